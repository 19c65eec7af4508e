// log/background.cpp — the log's background thread.
#include "log/background.hpp"

namespace seglog::detail {

BackgroundWorker::~BackgroundWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::post(Kind kind, std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({kind, std::move(task)});
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  work_ready_.notify_one();
}

unsigned BackgroundWorker::outstanding_mask_locked() const {
  unsigned mask = running_;
  for (const Task& task : queue_) mask |= static_cast<unsigned>(task.kind);
  return mask;
}

void BackgroundWorker::wait(unsigned mask) {
  std::unique_lock lock(mu_);
  work_done_.wait(lock, [&] { return (outstanding_mask_locked() & mask) == 0; });
}

void BackgroundWorker::wait_until_at_most(Kind kind, std::size_t count) {
  std::unique_lock lock(mu_);
  work_done_.wait(lock, [&] {
    std::size_t outstanding = running_ == static_cast<unsigned>(kind) ? 1 : 0;
    for (const Task& task : queue_) outstanding += task.kind == kind ? 1 : 0;
    return outstanding <= count;
  });
}

bool BackgroundWorker::busy(unsigned mask) const {
  std::lock_guard lock(mu_);
  return (outstanding_mask_locked() & mask) != 0;
}

void BackgroundWorker::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Queued work is finished even when stopping: a seal or an unlink that
    // was promised must not be dropped at close.
    work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Task task = std::move(queue_.front());
    queue_.pop_front();
    running_ = static_cast<unsigned>(task.kind);
    lock.unlock();
    task.run();
    // The task may hold the last reference to an unlinked segment: its
    // unmap and close can take milliseconds, which waiters must not spend
    // behind mu_.
    task.run = nullptr;
    lock.lock();
    running_ = 0;
    work_done_.notify_all();
  }
}

}  // namespace seglog::detail

// io/fault_injection.cpp — the test hook behind io/fault_injection.hpp.
#include "io/fault_injection.hpp"

#ifdef SEGLOG_FAULT_INJECTION
#include <atomic>
#include <mutex>

namespace seglog::detail::fault {
namespace {

// Serialises hooked calls: a hook sees one call at a time, in OS order.
std::mutex& seam_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::atomic<Hook*>& installed() {
  static std::atomic<Hook*> hook{nullptr};
  return hook;
}

}  // namespace

void set_hook(Hook* hook) {
  std::lock_guard lock(seam_mutex());
  installed().store(hook, std::memory_order_release);
}

PauseCalls::PauseCalls() { seam_mutex().lock(); }
PauseCalls::~PauseCalls() { seam_mutex().unlock(); }

Step::Step(const Call& call) : call_(call) {
  // Unhooked calls take no lock: the seam costs one atomic load.
  if (installed().load(std::memory_order_acquire) == nullptr) return;
  seam_mutex().lock();
  hook_ = installed().load(std::memory_order_acquire);
  if (hook_ == nullptr) {
    seam_mutex().unlock();
    return;
  }
  injected_ = hook_->before(call_);
}

void Step::done(int err, int fd) {
  if (hook_ == nullptr || reported_) return;
  reported_ = true;
  if (fd >= 0) call_.fd = fd;
  hook_->after(call_, err);
}

Step::~Step() {
  if (hook_ == nullptr) return;
  // A call that returned early without done() failed with what was injected.
  if (!reported_) {
    reported_ = true;
    hook_->after(call_, injected_);
  }
  seam_mutex().unlock();
}

}  // namespace seglog::detail::fault
#endif

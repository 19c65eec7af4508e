// log/background.hpp — a background thread of the log: work that must
// happen but that no caller should wait for (docs/design.md, "Background
// work"). The log has three: one seals the segment a roll left behind and
// runs the unlinks and rewrite that finish a truncate_before, one prepares
// the next segments (spares), one populates the page cache ahead of the
// writer.
//
// Tasks run one at a time in the order they were queued. A caller that
// needs some kinds of work finished (sync needs the pending seal; a
// truncation needs everything) waits for those kinds only.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace seglog::detail {

class BackgroundWorker {
 public:
  enum class Kind : unsigned { seal = 1, spare = 2, compaction = 4, prefault = 8 };
  static constexpr unsigned kAll = 15;

  BackgroundWorker() = default;
  // Finishes every queued task, then joins the thread.
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Queues `task`; starts the thread on first use.
  void post(Kind kind, std::function<void()> task);
  // Returns once no task of the kinds in `mask` is queued or running.
  void wait(unsigned mask);
  // Returns once at most `count` tasks of `kind` are queued or running.
  void wait_until_at_most(Kind kind, std::size_t count);
  // True when a task of these kinds is queued or running.
  bool busy(unsigned mask) const;

 private:
  struct Task {
    Kind kind;
    std::function<void()> run;
  };
  void loop();
  unsigned outstanding_mask_locked() const;

  mutable std::mutex mu_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::deque<Task> queue_;
  unsigned running_ = 0;  // kind bit of the running task, 0 when idle
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace seglog::detail

// log/table_lock.hpp — the reader-writer lock of the segment table.
//
// Every point read takes it shared once. std::shared_mutex is a
// pthread_rwlock: two out-of-line calls, each a compare-and-swap loop,
// about 10-12 ns per lock/unlock pair on the benchmark machine. Here a
// shared lock is one fetch_add and its unlock one fetch_sub, inline (about
// 6 ns together). Exclusive holders (the writer thread, background seals
// and rewrites, mapping drops) are rare and short: they announce
// themselves with a bit that turns new readers away, so a stream of
// readers never starves them, and wait on a futex (std::atomic::wait), not
// by spinning.
//
// Meets Lockable and SharedLockable, for std::unique_lock and
// std::shared_lock. Not recursive: a thread holding it shared must not
// take it again (a waiting writer would block the second take forever).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace seglog::detail {

class TableLock {
 public:
  void lock_shared() noexcept {
    while ((state_.fetch_add(1, std::memory_order_acquire) & kWriter) != 0) {
      back_off();
    }
  }

  void unlock_shared() noexcept {
    const std::uint64_t before = state_.fetch_sub(1, std::memory_order_release);
    // The last reader out wakes a writer waiting for the readers to leave.
    if ((before & kWriter) != 0 && (before & kReaders) == 1) state_.notify_all();
  }

  void lock() noexcept {
    writers_.lock();
    std::uint64_t seen = state_.fetch_or(kWriter, std::memory_order_acquire) | kWriter;
    while ((seen & kReaders) != 0) {
      state_.wait(seen, std::memory_order_acquire);
      seen = state_.load(std::memory_order_acquire);
    }
  }

  void unlock() noexcept {
    state_.fetch_and(~kWriter, std::memory_order_release);
    state_.notify_all();
    writers_.unlock();
  }

  // True while a writer holds the lock or waits for the readers to leave
  // (new readers wait then). A snapshot, for tests and diagnostics.
  bool writer_present() const noexcept {
    return (state_.load(std::memory_order_relaxed) & kWriter) != 0;
  }

 private:
  static constexpr std::uint64_t kWriter = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kReaders = kWriter - 1;

  // A reader that met a writer takes back its count, then waits for the
  // writer to leave.
  void back_off() noexcept {
    std::uint64_t now = state_.fetch_sub(1, std::memory_order_relaxed) - 1;
    if ((now & kReaders) == 0) state_.notify_all();
    while ((now & kWriter) != 0) {
      state_.wait(now, std::memory_order_relaxed);
      now = state_.load(std::memory_order_relaxed);
    }
  }

  std::atomic<std::uint64_t> state_{0};  // kWriter | number of readers
  std::mutex writers_;                   // one exclusive holder at a time
};

}  // namespace seglog::detail

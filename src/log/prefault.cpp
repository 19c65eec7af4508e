// log/prefault.cpp — zeroing and populating ahead of a streaming writer.
#include "log/prefault.hpp"

#include <algorithm>

namespace seglog::detail {

Prefault::Prefault(File file, std::shared_ptr<MappedFile> map, std::uint64_t first) noexcept
    : file_(std::move(file)),
      map_(std::move(map)),
      next_(first),
      limit_(first),
      settled_end_(first),
      limit_seen_(first) {
  // Ahead of the writer read-ahead only zero-fills pages that the zeros
  // then overwrite. Behind it (the records, which recovery scans and
  // readers fault in after a restart) read-ahead stays.
  map_->no_read_ahead(first, map_->size());  // clamped to the mapping
}

void Prefault::extend(std::uint64_t from, std::uint64_t end) {
  std::lock_guard lock(mu_);
  // A writer that ran past every claim (taking what was pending) claims
  // again from its cursor: the bytes it stored on the way, between the
  // old limit and `from`, are never zeroed.
  if (next_ >= limit_) next_ = std::max(next_, from);
  limit_ = std::max(limit_, end);
  limit_seen_ = limit_;
  settle_locked();
}

void Prefault::settle_locked() noexcept {
  const bool busy = busy_from_ != busy_to_;
  settled_end_.store(busy ? busy_from_ : std::min(next_, limit_), std::memory_order_release);
}

void Prefault::zero(std::uint64_t from, std::uint64_t to) noexcept {
  if (file_.write_zeros(from, to - from, fault::Op::zero_ahead)) {
    map_->populate_write(from, to - from);
  }
}

void Prefault::run() noexcept {
  std::unique_lock lock(mu_);
  while (next_ < limit_) {
    busy_from_ = next_;
    busy_to_ = std::min(chunk_end(next_), limit_);
    next_ = busy_to_;
    settle_locked();
    lock.unlock();
    zero(busy_from_, busy_to_);
    lock.lock();
    busy_from_ = busy_to_ = 0;
    settle_locked();
    chunk_done_.notify_all();
  }
}

void Prefault::ready_slow(std::uint64_t from, std::uint64_t to) noexcept {
  std::unique_lock lock(mu_);
  for (;;) {
    if (busy_from_ != busy_to_ && busy_from_ < to && from < busy_to_) {
      chunk_done_.wait(lock);
      continue;
    }
    if (next_ < limit_ && next_ < to) {
      // The prefaulter is behind: zeroing the chunk here is faster than
      // storing into pages that are not in the page cache. Never below
      // `from`: those bytes were stored already (every store passes here).
      const std::uint64_t chunk_from = std::max(next_, from);
      const std::uint64_t chunk_to = std::min(chunk_end(std::max(to - 1, chunk_from)), limit_);
      next_ = chunk_to;
      settle_locked();
      lock.unlock();
      zero(chunk_from, chunk_to);
      lock.lock();
      continue;
    }
    return;
  }
}

void Prefault::stop() noexcept {
  std::unique_lock lock(mu_);
  limit_ = std::min(limit_, next_);
  chunk_done_.wait(lock, [&] { return busy_from_ == busy_to_; });
}

}  // namespace seglog::detail

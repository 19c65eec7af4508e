// log/prefault.cpp — populating the page cache ahead of a streaming writer.
#include "log/prefault.hpp"

#include <algorithm>

namespace seglog::detail {

Prefault::Prefault(std::shared_ptr<MappedFile> map, std::uint64_t first) noexcept
    : map_(std::move(map)), next_(first), limit_(first), settled_end_(first), limit_seen_(first) {
  // From the chunk of `first` on: a huge-page hint applies to whole 2 MiB
  // ranges of the mapping, and the bytes below `first` in that chunk are
  // in the page cache already (what a fault there allocates changes no
  // byte).
  const std::uint64_t from = first / kChunk * kChunk;
  map_->huge_folios(from, map_->size() - std::min(from, map_->size()));
}

void Prefault::extend(std::uint64_t from, std::uint64_t end) {
  std::lock_guard lock(mu_);
  // A writer that ran past every claim (taking what was pending) claims
  // again from its cursor: the part between the old limit and `from` is
  // written already.
  if (next_ >= limit_) next_ = std::max(next_, from);
  limit_ = std::max(limit_, end);
  limit_seen_ = limit_;
  settle_locked();
}

void Prefault::settle_locked() noexcept {
  const bool busy = busy_from_ != busy_to_;
  settled_end_.store(busy ? busy_from_ : std::min(next_, limit_), std::memory_order_release);
}

void Prefault::populate(std::uint64_t from, std::uint64_t to) noexcept {
  map_->populate_read(from, to - from);
}

void Prefault::run() noexcept {
  std::unique_lock lock(mu_);
  while (next_ < limit_) {
    busy_from_ = next_;
    busy_to_ = std::min(chunk_end(next_), limit_);
    next_ = busy_to_;
    settle_locked();
    lock.unlock();
    populate(busy_from_, busy_to_);
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
      // The prefaulter is behind: populating the chunk here gives the
      // records the same 2 MiB folios. Never below `from`: those bytes
      // were written already (every write passes here).
      const std::uint64_t chunk_from = std::max(next_, from);
      const std::uint64_t chunk_to = std::min(chunk_end(std::max(to - 1, chunk_from)), limit_);
      next_ = chunk_to;
      settle_locked();
      lock.unlock();
      populate(chunk_from, chunk_to);
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

// log/segment_table.hpp — the ordered segments of a log and their lock,
// the published range (first and last index), the routing of reads to a
// segment, and the mapping cache with its eviction (docs/design.md, "The
// log", "Lookups", "Concurrency" and "Memory").
//
// The table lock (TableLock) is taken shared by readers for the lookup and
// exclusively by the writer (and the background worker) only to change the
// table, free a sealed segment's in-memory points, or drop evicted
// mappings — never across I/O that waits for the disk. Dropping a mapping
// happens only here, under the lock held exclusively: that is what lets a
// reader holding it shared copy a segment's mapping without a mutex
// (Segment::pin_shared). Lock order: the table lock (shared) → a segment's
// map_mu_; the cache's mutex is never held while taking a map_mu_.
//
// Mutations come from one thread at a time: the writer, or the background
// worker for a segment the writer left (a seal, a rewrite's swap).
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>

#include "log/segment.hpp"
#include "log/table_lock.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace seglog::detail {

// The mapping budget (Options::max_mapped_bytes, max_mapped_segments, as
// resolved at open): how many sealed segments, and how many of their
// bytes, stay mapped.
struct MappingBudget {
  std::uint64_t segments = 64;
  std::uint64_t bytes = std::uint64_t{4} << 30;
};

// The mapped sealed segments, in order of mapping (FIFO): the oldest
// beyond either bound of the budget become victims, dropped by
// SegmentTable::drop_evicted_mappings. Views that pin a dropped mapping
// keep it alive until they go.
class MappingCache {
 public:
  explicit MappingCache(MappingBudget budget) : budget_(budget) {}
  // Records that `segment` was just mapped, `bytes` long. Thread-safe.
  void note_mapped(const std::shared_ptr<Segment>& segment, std::uint64_t bytes);
  // True when victims wait to be dropped (one load: readers check it).
  bool has_victims() const noexcept { return has_victims_.load(std::memory_order_acquire); }
  std::vector<std::weak_ptr<Segment>> take_victims();
  // Forgets the segments `gone`, which left the log (each mapping goes
  // with its last holder; their bytes no longer count). Thread-safe.
  void forget(std::vector<const Segment*> gone);
  // Makes every mapping a victim (close).
  void evict_all();
  std::uint64_t size() const;
  std::uint64_t bytes() const;
  const MappingBudget& budget() const noexcept { return budget_; }

 private:
  struct Mapped {
    std::weak_ptr<Segment> segment;
    std::uint64_t bytes = 0;
  };
  const MappingBudget budget_;
  mutable std::mutex mu_;
  std::deque<Mapped> order_;  // oldest first
  std::uint64_t bytes_ = 0;   // of order_
  std::vector<std::weak_ptr<Segment>> victims_;
  std::atomic<bool> has_victims_{false};
};

class SegmentTable {
 public:
  explicit SegmentTable(MappingBudget budget) : cache_(budget) {}

  // ---- the published range (any thread) ----------------------------------
  std::uint64_t first_index() const noexcept {
    return first_index_.load(std::memory_order_acquire);
  }
  std::uint64_t last_index() const noexcept { return last_index_.load(std::memory_order_acquire); }
  void set_first_index(std::uint64_t index) noexcept {
    first_index_.store(index, std::memory_order_release);
  }
  void set_last_index(std::uint64_t index) noexcept {
    last_index_.store(index, std::memory_order_release);
  }

  // ---- reads (any thread) ---------------------------------------------------
  // Routes a read of `index` to its segment (Segment::locate), then drops
  // what the cache evicted meanwhile, with no lock held.
  // Errors: compacted, out_of_range, and Segment::locate's.
  [[nodiscard]] Status locate(std::uint64_t index, EntryView& out) const {
    Status located = [&]() -> Status {
      SharedTableLock lock(mu_);
      auto segment = find_readable(index, lock);
      if (!segment) return segment.error();
      Status status = (**segment)->locate(index, out, lock);
      if ((**segment)->take_new_mapping()) cache_.note_mapped(**segment, (**segment)->file_size());
      return status;
    }();
    drop_evicted_mappings();
    return located;
  }
  // The first step of a range read from `index` (Segment::start_visit),
  // under the lock; `segment` gets the segment to visit with no lock.
  [[nodiscard]] Result<Segment::VisitStart> start_visit(std::uint64_t index, std::uint64_t to,
                                                        std::shared_ptr<Segment>& segment) const;

  // ---- the writer's side ----------------------------------------------------
  // The writer reads the list without the lock: it is the only one that
  // changes it (the background worker changes it only while the writer
  // waits for it, or swaps an entry the writer does not hold).
  const std::vector<std::shared_ptr<Segment>>& segments() const noexcept { return segments_; }
  bool empty() const noexcept { return segments_.empty(); }
  std::size_t size() const noexcept { return segments_.size(); }
  // The position of the segment holding `index` (the last whose first
  // index is <= index), or npos.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t position_of(std::uint64_t index) const;
  // position_of under the lock (the background worker may swap entries).
  std::size_t find(std::uint64_t index) const {
    SharedTableLock lock(mu_);
    return position_of(index);
  }
  // A copy of the list, under the lock.
  std::vector<std::shared_ptr<Segment>> snapshot() const {
    SharedTableLock lock(mu_);
    return segments_;
  }
  // The newest segment, read under the lock (the background worker may
  // swap entries).
  std::shared_ptr<Segment> newest() const;

  void assign(std::vector<std::shared_ptr<Segment>> segments);
  void push_back(std::shared_ptr<Segment> segment);
  void replace_back(std::shared_ptr<Segment> segment);
  void pop_back();
  // Removes the first `count` segments and returns them.
  std::vector<std::shared_ptr<Segment>> erase_front(std::size_t count);
  // Replaces `old` by `replacement` (a boundary rewrite) and frees the
  // replacement's in-memory points.
  void replace(const std::shared_ptr<Segment>& old, const std::shared_ptr<Segment>& replacement);
  // Frees a sealed segment's in-memory points, readers excluded.
  void release_memory_points(const std::shared_ptr<Segment>& segment);

  // ---- mappings -------------------------------------------------------------
  // The cache's note of a mapping made by the log itself (a seal, a
  // rewrite, recovery), then the drops it causes. No lock held.
  void remember_mapping(const std::shared_ptr<Segment>& segment);
  // Drops the mappings the cache evicted, with the lock taken exclusively;
  // unmaps them after letting it go. Called with no lock held.
  void drop_evicted_mappings() const;
  // Drops every mapping of a sealed segment (close).
  void evict_all();
  std::uint64_t mapped_in_cache() const { return cache_.size(); }
  std::uint64_t mapped_bytes_in_cache() const { return cache_.bytes(); }
  const MappingBudget& mapping_budget() const noexcept { return cache_.budget(); }

  // Table-wide counts for Stats, under the lock.
  struct Census {
    std::uint64_t segments = 0, sealed = 0, mapped = 0, mapped_bytes = 0, bytes = 0;
  };
  Census census() const;

 private:
  // The segment holding `index`, for a read. Errors: compacted (below
  // first_index()), out_of_range (above the segment's last index).
  Result<const std::shared_ptr<Segment>*> find_readable(std::uint64_t index,
                                                        const SharedTableLock&) const {
    if (index < first_index()) return below_first(index);
    const std::size_t at = position_of(index);
    if (at == npos || index > segments_[at]->last_index()) return above_last(index);
    return &segments_[at];
  }
  Error below_first(std::uint64_t index) const;
  Error above_last(std::uint64_t index) const;

  mutable MappingCache cache_;
  mutable TableLock mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // by first index
  std::atomic<std::uint64_t> first_index_{1};
  std::atomic<std::uint64_t> last_index_{0};
};

inline std::size_t SegmentTable::position_of(std::uint64_t index) const {
  if (segments_.empty()) return npos;
  // Most reads are at the tail.
  if (index >= segments_.back()->first_index()) return segments_.size() - 1;
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), index,
      [](std::uint64_t i, const std::shared_ptr<Segment>& s) { return i < s->first_index(); });
  if (it == segments_.begin()) return npos;
  return static_cast<std::size_t>(it - 1 - segments_.begin());
}

}  // namespace seglog::detail

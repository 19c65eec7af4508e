// log/sparse_index.hpp — a segment's sparse index (docs/design.md,
// "Lookups"; the footer's bytes: docs/format.md, "Footer"): the placement
// rule that gives records their points (AppendCursor), the in-memory points
// and the recent-offset ring of an active segment, the footer view of a
// sealed one, and the lookup over them — floor (interpolation, then binary
// search), prefetch, and the walk to the record.
//
// Everything a read calls is inline here: the hot read path is
// SegmentLog::locate → Segment::locate → SparseIndex::find, with no call
// in between (checked in the disassembly of the release build).
#pragma once

#include "format/record.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"
#include "log/record_walk.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

namespace seglog::detail {

// Where the writer's next record goes, whether it fits, and whether it gets
// a sparse point: the one rule of placement, used both to plan a batch (so
// every segment it needs is preallocated before anything is written) and
// to write it. `end` is the segment's appended end.
struct AppendCursor {
  std::uint64_t end = kSegmentHeaderBytes;  // appended end: next record offset
  std::uint64_t point_count = 0;            // sparse points so far
  std::uint64_t next_point_offset = kSegmentHeaderBytes;
  std::uint64_t capacity = 0;
  std::uint64_t interval = 4096;

  // A fresh segment of `capacity` bytes.
  static AppendCursor empty(std::uint64_t capacity, std::uint64_t interval) noexcept {
    return {kSegmentHeaderBytes, 0, kSegmentHeaderBytes, capacity,
            std::max<std::uint64_t>(interval, 1)};
  }
  // Room for the record plus a footer with one more point.
  bool fits(std::uint64_t record_bytes) const noexcept {
    return end + record_bytes + footer_bytes(point_count + 1) <= capacity;
  }
  // The capacity of a segment made for one record that fits no segment of
  // the usual size (rounded to 4096).
  static std::uint64_t capacity_for_one(std::uint64_t record_bytes) noexcept {
    return align_up(kSegmentHeaderBytes + record_bytes + footer_bytes(1), 4096);
  }
  // Advances past a record; true when it gets a sparse point.
  bool advance(std::uint64_t record_bytes) noexcept {
    const bool point = end >= next_point_offset;
    if (point) {
      ++point_count;
      next_point_offset = end + interval;
    }
    end += record_bytes;
    return point;
  }
};

// Where a walk to target_delta starts: the last point whose index_delta <=
// target_delta among `count` points read through `get(i)` (found == false
// when there is none), and the point after it when there is one (its span
// tells the walk how far apart the records are, on average).
struct WalkStart {
  bool found = false;
  SparsePoint point;
  bool has_next = false;
  SparsePoint next;
};

template <class GetPoint>
inline WalkStart floor_point(std::uint64_t count, std::uint64_t target_delta,
                             GetPoint&& get) noexcept {
  // The answer, the first point with delta > target, is in [lo, hi].
  std::uint64_t lo = 0, hi = count;
  // The records of a Raft log are mostly of one size, so the points are
  // about equally far apart in index: a probe where the target should be
  // is usually right or next to it, where a binary search would take ~14
  // probes, the last of them cache misses on a cold read. Two such probes,
  // then a binary search over what is left.
  for (int probe = 0; probe < 2 && lo < hi; ++probe) {
    const std::uint64_t low = get(lo).index_delta;
    const std::uint64_t high = get(hi - 1).index_delta;
    if (target_delta < low) {
      hi = lo;
    } else if (target_delta >= high) {
      lo = hi;
    } else {  // low <= target < high, so lo <= guess < hi - 1
      const std::uint64_t guess = lo + (target_delta - low) * (hi - 1 - lo) / (high - low);
      if (get(guess).index_delta > target_delta) {
        hi = guess;
      } else {
        lo = guess + 1;
        if (get(lo).index_delta > target_delta) hi = lo;
      }
    }
  }
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (get(mid).index_delta <= target_delta) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  WalkStart start;
  if (lo == 0) return start;
  start.found = true;
  start.point = get(lo - 1);
  if (lo < count) {
    start.has_next = true;
    start.next = get(lo);
  }
  return start;
}

// The sparse index of one segment. The writer (append, scan, rewrite) adds
// points and ring offsets through add() and makes them visible with
// publish(); a seal writes the footer (encode_footer) and adopts it; a
// sealed segment's memory is freed with readers excluded (release). Readers
// call find() from any thread.
class SparseIndex {
 public:
  // The newest records of an active segment whose offsets the ring keeps.
  static constexpr std::uint64_t kRecentRecords = 4096;

  // The most points `record_bytes` of records can get: one per interval
  // started, plus the first, plus one for a record that fits no interval
  // (the capacity formula, here only: memory points, rewrite sizing).
  static constexpr std::uint64_t max_points(std::uint64_t record_bytes,
                                            std::uint64_t interval) noexcept {
    return record_bytes / std::max<std::uint64_t>(interval, 1) + 2;
  }

  // Memory for the points of `record_bytes` of records, and the ring.
  void allocate(std::uint64_t record_bytes, std::uint64_t interval) {
    memory_capacity_ = max_points(record_bytes, interval);
    memory_points_ = std::make_unique<SparsePoint[]>(memory_capacity_);
    recent_offsets_ = std::make_unique<std::atomic<std::uint32_t>[]>(kRecentRecords);
  }
  // Frees the memory points and the ring (a sealed segment reads its
  // footer). Call with readers excluded.
  void release() noexcept {
    memory_points_.reset();
    memory_capacity_ = 0;
    recent_offsets_.reset();
    memory_count_.store(0, std::memory_order_relaxed);
  }
  bool in_memory() const noexcept { return memory_points_ != nullptr; }
  std::uint64_t memory_capacity() const noexcept { return memory_capacity_; }
  std::uint64_t published_points() const noexcept {
    return memory_count_.load(std::memory_order_acquire);
  }

  // Writer: the record of first_index + delta starts at `offset`; `slot` is
  // its point's number when the cursor gave it one (AppendCursor::advance).
  void add(bool point, std::uint64_t slot, std::uint64_t delta, std::uint64_t offset) noexcept {
    if (point && slot < memory_capacity_) {
      memory_points_[slot] = {static_cast<std::uint32_t>(delta),
                              static_cast<std::uint32_t>(offset)};
    }
    recent_offsets_[delta % kRecentRecords].store(static_cast<std::uint32_t>(offset),
                                                  std::memory_order_relaxed);
  }
  // Writer: the first `count` points are visible to readers.
  void publish(std::uint64_t count) noexcept {
    memory_count_.store(count, std::memory_order_release);
  }

  // Seal: how many of the first `count` points a footer keeps — those of
  // records up to `last_delta + 1` records (`kept`) after the first.
  std::uint64_t footer_points(std::uint64_t count, std::uint64_t kept) const noexcept {
    count = std::min(count, memory_capacity_);
    while (count > 0 && memory_points_[count - 1].index_delta >= kept) --count;
    return count;
  }
  void encode_footer(std::byte* out, std::uint64_t count, std::uint64_t salt) const noexcept {
    detail::encode_footer(out, memory_points_.get(), count, salt);
  }
  // The footer of a sealed segment (after a seal, or its state slot at open).
  void adopt_footer(std::uint64_t offset, std::uint64_t count, bool verified) noexcept {
    footer_offset_ = offset;
    footer_count_ = count;
    footer_verified_.store(verified, std::memory_order_release);
  }
  std::uint64_t footer_offset() const noexcept { return footer_offset_; }
  std::uint64_t footer_count() const noexcept { return footer_count_; }
  std::uint64_t footer_end() const noexcept { return footer_offset_ + footer_bytes(footer_count_); }
  // The footer's checksum, checked once (at the first map of a sealed
  // segment): false when it fails or lies past `size`.
  bool check_footer(const std::byte* base, std::uint64_t size, std::uint64_t salt) const noexcept {
    if (footer_verified_.load(std::memory_order_acquire)) return true;
    if (footer_end() > size || !footer_valid(base + footer_offset_, footer_count_, salt)) {
      return false;
    }
    footer_verified_.store(true, std::memory_order_release);
    return true;
  }

  // Where the lookup found the record, or where it failed.
  struct Found {
    enum class Miss { none, point_outside, walk } miss = Miss::none;
    std::uint64_t offset = 0;  // of the record, or where the miss is
    std::uint64_t index = 0;   // the index expected there
  };
  // The offset of the record of `index` (first <= index <= last) in the
  // records [kSegmentHeaderBytes, bound) at `base`: the ring, else floor
  // and walk. Checks every record walked over (size and index), not the
  // target's checksum: the caller decodes that record in full.
  Found find(const std::byte* base, std::uint64_t bound, std::uint64_t first, std::uint64_t last,
             std::uint64_t index) const noexcept {
    if (recent_offsets_) {
      const std::uint64_t offset =
          recent_offsets_[(index - first) % kRecentRecords].load(std::memory_order_relaxed);
      if (offset >= kSegmentHeaderBytes && offset + kRecordHeaderBytes <= bound &&
          peek_record_index(base + offset) == index) {
        return {Found::Miss::none, offset, index};
      }
    }
    prefetch_guess(base, first, last, index, bound);
    WalkStart start;
    if (memory_points_) {
      const SparsePoint* points = memory_points_.get();
      start = floor_point(memory_count_.load(std::memory_order_acquire), index - first,
                          [points](std::uint64_t i) { return points[i]; });
    } else if (footer_count_ != 0) {
      const std::byte* footer = base + footer_offset_;
      start = floor_point(footer_count_, index - first,
                          [footer](std::uint64_t i) { return footer_point(footer, i); });
    }
    std::uint64_t offset = start.found ? start.point.offset : kSegmentHeaderBytes;
    std::uint64_t at = start.found ? first + start.point.index_delta : first;
    if (offset < kSegmentHeaderBytes || offset >= bound) {
      return {Found::Miss::point_outside, offset, at};
    }
    if (at < index) prefetch_walk(base, start, offset, index - at, bound);
    while (at < index) {
      const std::uint64_t bytes = step_over(base, offset, bound, at);
      if (bytes == 0) return {Found::Miss::walk, offset, at};
      offset += bytes;
      ++at;
    }
    return {Found::Miss::none, offset, index};
  }

 private:
  // The walk from a sparse point reads one record header after another, each
  // a cache miss that waits for the one before (a cold read is mostly that:
  // docs/performance.md). Records of a Raft log are mostly of one size, so
  // the headers are guessed at the average spacing of the records between
  // this point and the next, and fetched all at once; the walk itself still
  // checks every size and index, so a wrong guess only costs the fetches.
  // A prefetch that the compiler keeps. __builtin_prefetch has no effect
  // the optimiser must preserve, so GCC 12 at -O2/-O3 found the helpers
  // below free of side effects and deleted their calls altogether (no
  // prefetch left in find_offset: cold uniform reads ran 2x slower,
  // p50 ~580 -> ~1,060 ns in read_entry_bench). The empty volatile asm is
  // a side effect that costs no instruction.
  static void prefetch_line(const std::byte* at) noexcept {
    __builtin_prefetch(at);
    asm volatile("" : : "r"(at));
  }
  static void prefetch_walk(const std::byte* base, const WalkStart& start, std::uint64_t offset,
                            std::uint64_t steps, std::uint64_t bound) noexcept {
    if (!start.has_next || start.next.index_delta <= start.point.index_delta ||
        start.next.offset <= start.point.offset) {
      return;
    }
    const std::uint64_t spacing = (start.next.offset - start.point.offset) /
                                  (start.next.index_delta - start.point.index_delta);
    constexpr std::uint64_t kMaxLines = 32;
    constexpr std::uint64_t kSizeAndIndex = 8;  // header bytes 8..24 (docs/format.md)
    std::uint64_t last_line = UINT64_MAX;
    std::uint64_t lines = 0;
    // The headers on the way, then the target record's own lines.
    const std::uint64_t target = offset + steps * spacing;
    const std::uint64_t end = std::min(bound, target + spacing);
    for (std::uint64_t at = offset + kSizeAndIndex; at < end && lines < kMaxLines;
         at += at < target ? spacing : 64) {
      const std::uint64_t line = at / 64;
      if (line == last_line) continue;
      prefetch_line(base + at);
      last_line = line;
      ++lines;
    }
  }
  // Where the record of `index` would be if every record had the segment's
  // average size: that line is fetched now, while the sparse-point search
  // waits for its own miss. A Raft log's records are mostly one size, so
  // the guess usually lands, and the record's miss overlaps the points'
  // instead of following it. A wrong guess costs one fetch: the walk checks
  // every size and index. (Fetching the walk's headers too, up to 24 lines,
  // made cold reads slower: the fetches queued ahead of the points' miss.)
  static void prefetch_guess(const std::byte* base, std::uint64_t first, std::uint64_t last,
                             std::uint64_t index, std::uint64_t bound) noexcept {
    if (index < first || last < index || bound <= kSegmentHeaderBytes) return;
    const std::uint64_t spacing = (bound - kSegmentHeaderBytes) / (last - first + 1);
    const std::uint64_t target = kSegmentHeaderBytes + (index - first) * spacing;
    if (target < bound) prefetch_line(base + target);
  }

  // In memory while active (or scanned, read-only); swapped only with
  // readers excluded.
  std::unique_ptr<SparsePoint[]> memory_points_;
  std::uint64_t memory_capacity_ = 0;
  std::atomic<std::uint64_t> memory_count_{0};
  // The offsets of the newest records of an active segment, by index modulo
  // kRecentRecords: a read at the hot tail finds its record without walking
  // from a sparse point. A slot may be overwritten while a reader loads it;
  // readers take an offset only below the published end and only when the
  // record there carries the index they want.
  std::unique_ptr<std::atomic<std::uint32_t>[]> recent_offsets_;
  // The footer of a sealed segment (points in the mapping).
  std::uint64_t footer_offset_ = 0;
  std::uint64_t footer_count_ = 0;
  mutable std::atomic<bool> footer_verified_{false};
};

}  // namespace seglog::detail

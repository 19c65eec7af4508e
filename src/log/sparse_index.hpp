// log/sparse_index.hpp — finding the record of an index from sparse points
// (docs/design.md, "Lookups"): a binary search over points, then a short
// forward walk over record sizes.
#pragma once

#include "format/segment_footer.hpp"

#include <cstdint>
#include <utility>

namespace seglog::detail {

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

}  // namespace seglog::detail

// log/sparse_index.hpp — finding the record of an index from sparse points
// (docs/design.md, "Lookups"): a binary search over points, then a short
// forward walk over record sizes.
#pragma once

#include "format/segment_footer.hpp"

#include <cstdint>
#include <utility>

namespace seglog::detail {

// The last point whose index_delta <= target_delta among `count` points
// read through `get(i)`; nullopt-like {false, ..} when there is none.
template <class GetPoint>
inline std::pair<bool, SparsePoint> floor_point(std::uint64_t count,
                                                std::uint64_t target_delta,
                                                GetPoint&& get) noexcept {
  std::uint64_t lo = 0, hi = count;  // first point with delta > target
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (get(mid).index_delta <= target_delta) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return {false, {}};
  return {true, get(lo - 1)};
}

// Where the writer puts sparse points: the first record at or after every
// `interval` bytes, and always the first record of a segment.
struct PointCursor {
  std::uint64_t next_point_offset = 0;  // a record starting here or later gets a point

  bool wants_point(std::uint64_t offset) const noexcept {
    return offset >= next_point_offset;
  }
  void took_point(std::uint64_t offset, std::uint64_t interval) noexcept {
    next_point_offset = offset + interval;
  }
};

}  // namespace seglog::detail

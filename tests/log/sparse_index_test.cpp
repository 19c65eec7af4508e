// The sparse-index lookup (src/log/sparse_index.hpp): whatever the spacing
// of the points, floor_point finds the last point at or below the target
// and the one after it, exactly as a linear scan would.
#include "log/sparse_index.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

using seglog::detail::floor_point;
using seglog::detail::SparsePoint;
using seglog::detail::WalkStart;

namespace {

WalkStart by_scan(const std::vector<SparsePoint>& points, std::uint64_t target) {
  WalkStart start;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].index_delta > target) {
      if (start.found) {
        start.has_next = true;
        start.next = points[i];
      }
      return start;
    }
    start.found = true;
    start.point = points[i];
  }
  return start;
}

void check_every_target(const std::vector<SparsePoint>& points) {
  const std::uint64_t last = points.empty() ? 0 : points.back().index_delta;
  for (std::uint64_t target = 0; target <= last + 3; ++target) {
    const WalkStart want = by_scan(points, target);
    const WalkStart got = floor_point(points.size(), target,
                                      [&](std::uint64_t i) { return points[i]; });
    INFO("points " << points.size() << ", target " << target);
    REQUIRE(got.found == want.found);
    if (want.found) {
      CHECK(got.point.index_delta == want.point.index_delta);
      CHECK(got.point.offset == want.point.offset);
    }
    REQUIRE(got.has_next == want.has_next);
    if (want.has_next) CHECK(got.next.index_delta == want.next.index_delta);
  }
}

// Points as the writer makes them: one at the first record, then one per
// interval bytes of records whose sizes come from `size_of`.
template <class SizeOf>
std::vector<SparsePoint> points_for(std::uint64_t records, SizeOf size_of) {
  std::vector<SparsePoint> points;
  std::uint64_t offset = 4096, next_point = 4096;
  for (std::uint64_t i = 0; i < records; ++i) {
    if (offset >= next_point) {
      points.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(offset)});
      next_point = offset + 4096;
    }
    offset += size_of(i);
  }
  return points;
}

}  // namespace

TEST_CASE("floor_point with no point, one point and two points", "[sparse_index]") {
  check_every_target({});
  check_every_target({{0, 4096}});
  check_every_target({{5, 4096}});
  check_every_target({{0, 4096}, {1, 8192}});
}

TEST_CASE("floor_point over records of one size (the interpolation's best case)",
          "[sparse_index]") {
  for (std::uint64_t size : {40, 264, 1000, 4096, 70000}) {
    check_every_target(points_for(3000, [&](std::uint64_t) { return size; }));
  }
}

TEST_CASE("floor_point over records of mixed and skewed sizes", "[sparse_index]") {
  std::mt19937_64 rng(7);
  check_every_target(points_for(5000, [&](std::uint64_t) { return 40 + rng() % 3000; }));
  // Small records, then large ones: the points' spacing in index changes
  // by a factor of 100 in the middle of the segment.
  check_every_target(points_for(6000, [](std::uint64_t i) { return i < 5000 ? 40 : 4000; }));
  check_every_target(points_for(6000, [](std::uint64_t i) { return i < 1000 ? 4000 : 40; }));
  // One huge record among small ones.
  check_every_target(points_for(4000, [](std::uint64_t i) { return i == 2000 ? 1'000'000 : 64; }));
}

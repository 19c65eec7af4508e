// The sparse-index lookup (src/log/sparse_index.hpp): whatever the spacing
// of the points, floor_point finds the last point at or below the target
// and the one after it, exactly as a linear scan would. Then the other
// units of src/log tested alone (docs/design.md, "Shape of the code"):
// SparseIndex and AppendCursor, the record step (record_walk.hpp), the
// torn-vs-corrupted verdict (segment_scan.hpp), and the invariant checks
// S1–S3 and L1–L3, each shown to trip on a broken state. (Kept in this
// target until the tests' meson.build files are free to gain one.)
#include "format/record.hpp"
#include "log/record_walk.hpp"
#include "log/segment.hpp"
#include "log/segment_log.hpp"
#include "log/segment_scan.hpp"
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
    const WalkStart got =
        floor_point(points.size(), target, [&](std::uint64_t i) { return points[i]; });
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

// ---- the other units of src/log ----------------------------------------------

using namespace seglog::detail;

namespace {

constexpr std::uint64_t kSalt = 0x1234'5678'9abc'def0ull;

// Records of indices first.. with `payload` bytes each, encoded from
// kSegmentHeaderBytes on into `file`, placed and indexed as the writer
// does; returns the appended end.
std::uint64_t write_records(std::vector<std::byte>& file, SparseIndex& index, AppendCursor& cursor,
                            std::uint64_t first, std::uint64_t count, std::uint64_t payload) {
  const ChecksumKey key(kSalt);
  std::vector<std::byte> data(payload, std::byte{0x5a});
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t bytes = record_bytes(payload);
    REQUIRE(cursor.fits(bytes));
    const std::uint64_t offset = cursor.end;
    const std::uint64_t slot = cursor.point_count;
    const bool point = cursor.advance(bytes);
    encode_record(file.data() + offset, key, {first + i, 7, 0}, data);
    index.add(point, slot, i, offset);
  }
  index.publish(cursor.point_count);
  return cursor.end;
}

}  // namespace

TEST_CASE("SparseIndex finds every record from its points, its ring, and its footer") {
  const std::uint64_t capacity = 1 << 20, interval = 256, first = 1000;
  std::vector<std::byte> file(capacity);
  SparseIndex index;
  index.allocate(capacity - kSegmentHeaderBytes, interval);
  AppendCursor cursor = AppendCursor::empty(capacity, interval);
  const std::uint64_t count = 9000;
  const std::uint64_t end = write_records(file, index, cursor, first, count, 40);
  const std::uint64_t last = first + count - 1;
  // Every point lies on a record, and points are at least an interval apart.
  CHECK(cursor.point_count <= SparseIndex::max_points(end - kSegmentHeaderBytes, interval));
  for (std::uint64_t i = first; i <= last; ++i) {
    const auto found = index.find(file.data(), end, first, last, i);
    REQUIRE(found.miss == SparseIndex::Found::Miss::none);
    DecodedRecord record;
    REQUIRE(check_record(file.data(), found.offset, end, ChecksumKey(kSalt), true, i, record) ==
            RecordCheck::ok);
  }
  // The footer: every point kept when all records are kept, fewer after a cut.
  CHECK(index.footer_points(cursor.point_count, count) == cursor.point_count);
  const std::uint64_t kept = index.footer_points(cursor.point_count, 100);
  CHECK(kept < cursor.point_count);
  const std::uint64_t footer_offset = align_up(end, kRecordAlignment);
  index.encode_footer(file.data() + footer_offset, cursor.point_count, kSalt);
  index.release();
  CHECK_FALSE(index.in_memory());
  index.adopt_footer(footer_offset, cursor.point_count, false);
  CHECK(index.check_footer(file.data(), file.size(), kSalt));
  for (std::uint64_t i = first; i <= last; i += 7) {
    const auto found = index.find(file.data(), end, first, last, i);
    REQUIRE(found.miss == SparseIndex::Found::Miss::none);
    CHECK(peek_record_index(file.data() + found.offset) == i);
  }
}

TEST_CASE("SparseIndex's footer check fails on a flipped point") {
  std::vector<std::byte> file(1 << 16);
  SparseIndex index;
  index.allocate(file.size() - kSegmentHeaderBytes, 64);
  AppendCursor cursor = AppendCursor::empty(file.size(), 64);
  const std::uint64_t end = write_records(file, index, cursor, 1, 100, 8);
  const std::uint64_t at = align_up(end, kRecordAlignment);
  index.encode_footer(file.data() + at, cursor.point_count, kSalt);
  file[at + 3] ^= std::byte{1};
  SparseIndex sealed;
  sealed.adopt_footer(at, cursor.point_count, false);
  CHECK_FALSE(sealed.check_footer(file.data(), file.size(), kSalt));
  CHECK_FALSE(sealed.check_footer(file.data(), at + 8, kSalt));  // past the file
}

TEST_CASE("The walk stops at a record of the wrong index and says where") {
  std::vector<std::byte> file(1 << 16);
  SparseIndex index;
  index.allocate(file.size() - kSegmentHeaderBytes, 4096);
  AppendCursor cursor = AppendCursor::empty(file.size(), 4096);
  const std::uint64_t end = write_records(file, index, cursor, 1, 50, 8);
  // Index 5's header says 99: the walk from the first point to 10 fails there.
  const std::uint64_t fifth = kSegmentHeaderBytes + 4 * record_bytes(8);
  store_le<std::uint64_t>(file.data() + fifth + 16, 99);
  SparseIndex no_ring;  // a footer-less, ring-less view of the same points
  no_ring.allocate(file.size() - kSegmentHeaderBytes, 4096);
  no_ring.add(true, 0, 0, kSegmentHeaderBytes);
  no_ring.publish(1);
  const auto found = no_ring.find(file.data(), end, 1, 50, 10);
  CHECK(found.miss == SparseIndex::Found::Miss::walk);
  CHECK(found.offset == fifth);
  CHECK(found.index == 5);
  const auto error = record_error("seg", found.offset, found.index, RecordCheck::invalid);
  CHECK(error.message().find("offset " + std::to_string(fifth)) != std::string::npos);
  CHECK(error.message().find("(index 5)") != std::string::npos);
}

TEST_CASE("AppendCursor: the record plus a footer with one more point must fit") {
  AppendCursor cursor = AppendCursor::empty(kSegmentHeaderBytes + 64 + footer_bytes(1), 4096);
  CHECK(cursor.fits(64));
  CHECK_FALSE(cursor.fits(72));
  CHECK(cursor.advance(64));  // the first record gets a point
  CHECK(cursor.point_count == 1);
  CHECK(AppendCursor::capacity_for_one(1 << 20) % 4096 == 0);
  CHECK(AppendCursor::capacity_for_one(1 << 20) >=
        kSegmentHeaderBytes + (1 << 20) + footer_bytes(1));
}

TEST_CASE("check_record tells end, invalid, out of sequence and ok apart") {
  std::vector<std::byte> file(4096);
  DecodedRecord record;
  const ChecksumKey key(kSalt);
  CHECK(check_record(file.data(), 0, file.size(), key, true, 1, record) == RecordCheck::end);
  std::vector<std::byte> data(10, std::byte{1});
  encode_record(file.data(), key, {3, 1, 0}, data);
  CHECK(check_record(file.data(), 0, file.size(), key, true, 3, record) == RecordCheck::ok);
  CHECK(check_record(file.data(), 0, file.size(), key, true, 4, record) ==
        RecordCheck::out_of_sequence);
  file[40] ^= std::byte{1};
  CHECK(check_record(file.data(), 0, file.size(), key, true, 3, record) == RecordCheck::invalid);
  CHECK(check_record(file.data(), 0, file.size(), key, false, 3, record) == RecordCheck::ok);
  CHECK(step_over(file.data(), 0, file.size(), 3) == record_bytes(10));
  CHECK(step_over(file.data(), 0, file.size(), 4) == 0);
}

TEST_CASE("The scan verdict: damage below the durable synced end is corruption") {
  const std::optional<std::uint64_t> synced = 8192;
  CHECK(judge_position(RecordCheck::end, 8192, synced, false) == Verdict::clean_end);
  CHECK(judge_position(RecordCheck::end, 4096, synced, false) == Verdict::corruption);
  CHECK(judge_position(RecordCheck::invalid, 4096, synced, false) == Verdict::corruption);
  CHECK(judge_position(RecordCheck::out_of_sequence, 8000, synced, false) == Verdict::corruption);
  CHECK(judge_position(RecordCheck::invalid, 8192, synced, true) == Verdict::torn_tail);
  CHECK(judge_position(RecordCheck::out_of_sequence, 9000, synced, false) == Verdict::torn_tail);
}

TEST_CASE("The scan verdict without a readable slot looks ahead") {
  const std::optional<std::uint64_t> unknown;
  CHECK(needs_look_ahead(RecordCheck::invalid, unknown));
  CHECK_FALSE(needs_look_ahead(RecordCheck::end, unknown));
  CHECK_FALSE(needs_look_ahead(RecordCheck::invalid, std::optional<std::uint64_t>(4096)));
  CHECK(judge_position(RecordCheck::invalid, 4096, unknown, true) == Verdict::corruption);
  CHECK(judge_position(RecordCheck::invalid, 4096, unknown, false) == Verdict::torn_tail);
  CHECK(judge_position(RecordCheck::end, 4096, unknown, false) == Verdict::clean_end);
}

TEST_CASE("A scanned segment behind the newest keeps the next ones only if it lost nothing") {
  ScanResult result;
  result.torn = true;
  CHECK(judge_behind(result, 50, 50));
  CHECK_FALSE(result.torn);  // the bytes after it are an interrupted seal's footer
  result.torn = true;
  CHECK_FALSE(judge_behind(result, 40, 50));
  CHECK(result.torn);
}

namespace {

SegmentFacts sealed_segment() {
  SegmentFacts f;
  f.first_index = f.start_index = 10;
  f.last_index = 19;
  f.published_end = f.appended_end = f.high_water = kSegmentHeaderBytes + 10 * 64;
  f.capacity = 1 << 20;
  f.sealed = true;
  f.footer_offset = f.published_end;
  f.footer_count = 1;
  f.file_size = f.footer_offset + footer_bytes(1);
  SegmentState state;
  state.sealed = true;
  state.end_offset = f.published_end;
  state.last_index = 19;
  state.footer_offset = static_cast<std::uint32_t>(f.footer_offset);
  state.point_count = 1;
  f.state = state;
  return f;
}

bool trips(const std::string& broken, const char* which) { return broken.rfind(which, 0) == 0; }

}  // namespace

TEST_CASE("S1–S3 hold for a sealed segment and each trips on a broken one") {
  CHECK(segment_invariant_broken(sealed_segment()).empty());
  auto f = sealed_segment();
  f.published_end = f.appended_end + 8;  // published beyond appended
  CHECK(trips(segment_invariant_broken(f), "S1"));
  f = sealed_segment();
  f.last_index = 10'000;  // more indices than bytes
  CHECK(trips(segment_invariant_broken(f), "S1"));
  f = sealed_segment();
  f.start_index = 9;
  CHECK(trips(segment_invariant_broken(f), "S2"));
  f = sealed_segment();
  f.state->start_index = 15;
  CHECK(trips(segment_invariant_broken(f), "S2"));
  f = sealed_segment();
  f.state->last_index = 18;
  CHECK(trips(segment_invariant_broken(f), "S3"));
  f = sealed_segment();
  f.file_size = f.footer_offset;  // footer past the file
  CHECK(trips(segment_invariant_broken(f), "S3"));
  f = sealed_segment();
  f.state->sealed = false;
  CHECK(trips(segment_invariant_broken(f), "S3"));
}

namespace {

LogFacts three_segments() {
  LogFacts f;
  f.first_index = 1;
  f.last_index = 29;
  f.segments = {{1, 1, 11, true, false}, {11, 11, 21, true, false}, {21, 21, 30, false, true}};
  return f;
}

}  // namespace

TEST_CASE("L1–L3 hold for a rolled log and each trips on a broken one") {
  CHECK(log_invariant_broken(three_segments()).empty());
  auto f = three_segments();
  f.segments[1].first_index = 12;  // a hole
  CHECK(trips(log_invariant_broken(f), "L1"));
  f = three_segments();
  f.first_index = 2;
  CHECK(trips(log_invariant_broken(f), "L2"));
  f = three_segments();
  f.last_index = 30;
  CHECK(trips(log_invariant_broken(f), "L2"));
  f = three_segments();
  f.segments[1].active = true;  // active but not the newest
  CHECK(trips(log_invariant_broken(f), "L3"));
  f = three_segments();
  f.segments[1].sealed = false;  // unsealed with no seal queued
  CHECK(trips(log_invariant_broken(f), "L3"));
  f.seals_queued = 1;  // a roll's seal queued: allowed
  CHECK(log_invariant_broken(f).empty());
  f = three_segments();
  f.segments[0].sealed = false;  // unsealed before a sealed one
  f.seals_queued = 1;
  CHECK(trips(log_invariant_broken(f), "L3"));
  f.failed = true;  // after a sticky failure, seals are skipped
  CHECK(log_invariant_broken(f).empty());
  f = three_segments();
  f.segments.clear();
  f.first_index = 5;
  f.last_index = 4;
  CHECK(log_invariant_broken(f).empty());
}

// segment_footer_test.cpp — format/segment_footer.hpp: the sparse index a
// sealed segment persists (docs/format.md, "Footer").
#include "format/segment_footer.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace seglog::detail;

namespace {

constexpr std::uint64_t kSalt = 0xA5A5'0000'1111'2222ull;

std::vector<SparsePoint> some_points(std::uint64_t count) {
  std::vector<SparsePoint> points;
  for (std::uint64_t i = 0; i < count; ++i) {
    points.push_back({static_cast<std::uint32_t>(i * 7),
                      static_cast<std::uint32_t>(4096 + i * 256 + (i % 3) * 8)});
  }
  return points;
}

std::vector<std::byte> footer_of(const std::vector<SparsePoint>& points,
                                 std::uint64_t salt = kSalt) {
  std::vector<std::byte> out(footer_bytes(points.size()), std::byte{0xCC});
  encode_footer(out.data(), points.data(), points.size(), salt);
  return out;
}

}  // namespace

TEST_CASE("footer_bytes is 8 bytes per point plus an 8-byte checksum", "[format][footer]") {
  CHECK(footer_bytes(0) == 8);
  CHECK(footer_bytes(1) == 16);
  CHECK(footer_bytes(100) == 808);
}

TEST_CASE("a footer round-trips its points and validates under its salt", "[format][footer]") {
  const std::uint64_t count = GENERATE(0, 1, 2, 50);
  const auto points = some_points(count);
  const auto footer = footer_of(points);
  CHECK(footer_valid(footer.data(), count, kSalt));
  for (std::uint64_t i = 0; i < count; ++i) {
    const SparsePoint p = footer_point(footer.data(), i);
    CHECK(p.index_delta == points[i].index_delta);
    CHECK(p.offset == points[i].offset);
  }
}

TEST_CASE("a footer is invalid under another salt or another point count", "[format][footer]") {
  const auto footer = footer_of(some_points(4));
  CHECK_FALSE(footer_valid(footer.data(), 4, kSalt + 1));
  CHECK_FALSE(footer_valid(footer.data(), 3, kSalt));
}

TEST_CASE("every single-bit flip of a footer makes it invalid", "[format][footer]") {
  const auto original = footer_of(some_points(3));
  for (std::size_t byte = 0; byte < original.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto footer = original;
      footer[byte] ^= static_cast<std::byte>(1u << bit);
      INFO("byte " << byte << ", bit " << bit);
      REQUIRE_FALSE(footer_valid(footer.data(), 3, kSalt));
    }
  }
}

TEST_CASE("an all-zero footer is invalid", "[format][footer]") {
  const std::vector<std::byte> zeros(footer_bytes(2), std::byte{0});
  CHECK_FALSE(footer_valid(zeros.data(), 2, kSalt));
}

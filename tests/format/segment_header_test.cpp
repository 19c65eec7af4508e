// segment_header_test.cpp — format/segment_header.hpp: the identity block
// and the two alternating state slots of a segment's first page
// (docs/format.md, "Segment header").
#include "format/segment_header.hpp"

#include "format/checksum.hpp"
#include "format/endian.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

using namespace seglog::detail;

namespace {

constexpr std::uint64_t kSalt = 0x0BAD'CAFE'F00D'1234ull;

using Page = std::array<std::byte, kSegmentHeaderBytes>;

SegmentIdentity some_identity() {
  SegmentIdentity id;
  id.first_index = 0x0000'0123'4567'89ABull;
  id.salt = kSalt;
  id.capacity = 64 * 1024;
  id.index_interval_bytes = 256;
  return id;
}

SegmentState some_state(std::uint64_t sequence, bool sealed = false) {
  SegmentState s;
  s.sequence = sequence;
  s.synced_end = 4096 + 8 * sequence;
  s.start_index = 17;
  s.end_offset = 60000;
  s.last_index = 0xFFFF'FFFF'0000'0001ull;
  s.footer_offset = 60008;
  s.point_count = 123;
  s.sealed = sealed;
  return s;
}

// A zeroed page with `state` written in its slot for its sequence.
void put_state(Page& page, const SegmentState& state, std::uint64_t salt = kSalt) {
  encode_state(page.data() + next_slot_offset(state.sequence), state, salt);
}

bool same(const SegmentIdentity& a, const SegmentIdentity& b) {
  return a.first_index == b.first_index && a.salt == b.salt && a.capacity == b.capacity &&
         a.index_interval_bytes == b.index_interval_bytes;
}

}  // namespace

TEST_CASE("a segment identity round-trips every field", "[format][segment_header]") {
  std::array<std::byte, kIdentityBytes> block;
  block.fill(std::byte{0xEE});
  encode_identity(block.data(), some_identity());
  const auto decoded = decode_identity(block.data());
  REQUIRE(decoded);
  CHECK(same(*decoded, some_identity()));
  CHECK(std::memcmp(block.data(), "SEGLOGS1", 8) == 0);
  CHECK(load_le<std::uint32_t>(block.data() + 8) == kSegmentFormatVersion);
}

TEST_CASE("every single-bit flip of a segment identity makes it invalid",
          "[format][segment_header]") {
  std::array<std::byte, kIdentityBytes> original;
  encode_identity(original.data(), some_identity());
  for (std::size_t byte = 0; byte < kIdentityBytes; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto block = original;
      block[byte] ^= static_cast<std::byte>(1u << bit);
      INFO("byte " << byte << ", bit " << bit);
      REQUIRE_FALSE(decode_identity(block.data()));
    }
  }
}

TEST_CASE("an all-zero identity is invalid", "[format][segment_header]") {
  const std::array<std::byte, kIdentityBytes> zeros{};
  CHECK_FALSE(decode_identity(zeros.data()));
}

TEST_CASE("an identity of another format version is invalid even with a matching checksum",
          "[format][segment_header]") {
  std::array<std::byte, kIdentityBytes> block;
  encode_identity(block.data(), some_identity());
  store_le<std::uint32_t>(block.data() + 8, kSegmentFormatVersion + 1);
  store_le<std::uint64_t>(block.data() + 56, checksum(block.data(), 56, 0));
  CHECK_FALSE(decode_identity(block.data()));
}

TEST_CASE(
    "an identity with an impossible capacity or interval is invalid even with a matching "
    "checksum",
    "[format][segment_header]") {
  // Readers size allocations and mappings by these fields: a crafted file
  // with a valid checksum must not make them huge (or divide by zero).
  auto with = [](auto change) {
    SegmentIdentity id = some_identity();
    change(id);
    std::array<std::byte, kIdentityBytes> block;
    encode_identity(block.data(), id);
    return decode_identity(block.data());
  };
  CHECK_FALSE(with([](SegmentIdentity& id) { id.capacity = 0; }));
  CHECK_FALSE(with([](SegmentIdentity& id) { id.capacity = kSegmentHeaderBytes - 1; }));
  CHECK_FALSE(with([](SegmentIdentity& id) { id.capacity = std::uint64_t{1} << 62; }));
  CHECK_FALSE(with([](SegmentIdentity& id) { id.index_interval_bytes = 0; }));
  // A segment sized for the largest entry (4 GiB - 64 KiB) is still valid.
  CHECK(with([](SegmentIdentity& id) { id.capacity = 4ull << 30; }));
  CHECK(with([](SegmentIdentity& id) { id.capacity = kSegmentHeaderBytes + 8; }));
}

TEST_CASE("a state slot round-trips every field, sealed or not", "[format][segment_header]") {
  const bool sealed = GENERATE(false, true);
  std::array<std::byte, kSlotBytes> slot;
  slot.fill(std::byte{0x77});
  encode_state(slot.data(), some_state(5, sealed), kSalt);
  const auto decoded = decode_state(slot.data(), kSalt);
  REQUIRE(decoded);
  CHECK(*decoded == some_state(5, sealed));
}

TEST_CASE("every single-bit flip of a state slot makes it invalid", "[format][segment_header]") {
  std::array<std::byte, kSlotBytes> original;
  encode_state(original.data(), some_state(9, true), kSalt);
  for (std::size_t byte = 0; byte < kSlotBytes; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto slot = original;
      slot[byte] ^= static_cast<std::byte>(1u << bit);
      INFO("byte " << byte << ", bit " << bit);
      REQUIRE_FALSE(decode_state(slot.data(), kSalt));
    }
  }
}

TEST_CASE("a state slot is salted: another segment's salt does not validate it",
          "[format][segment_header]") {
  std::array<std::byte, kSlotBytes> slot;
  encode_state(slot.data(), some_state(3), kSalt);
  CHECK(decode_state(slot.data(), kSalt));
  CHECK_FALSE(decode_state(slot.data(), kSalt ^ 1));
}

TEST_CASE("a state slot with sequence 0 or unknown flags is invalid", "[format][segment_header]") {
  std::array<std::byte, kSlotBytes> slot{};
  CHECK_FALSE(decode_state(slot.data(), kSalt));  // never written
  encode_state(slot.data(), some_state(0), kSalt);
  CHECK_FALSE(decode_state(slot.data(), kSalt));
  encode_state(slot.data(), some_state(4, true), kSalt);
  store_le<std::uint32_t>(slot.data() + 52, 3u);  // sealed plus an unknown flag
  store_le<std::uint64_t>(slot.data() + 56, checksum(slot.data(), 56, kSalt));
  CHECK_FALSE(decode_state(slot.data(), kSalt));
}

TEST_CASE("next_slot_offset alternates between the two slots", "[format][segment_header]") {
  CHECK(next_slot_offset(1) != next_slot_offset(2));
  for (std::uint64_t seq = 1; seq < 10; ++seq) {
    CHECK(next_slot_offset(seq) == next_slot_offset(seq + 2));
    const std::uint64_t offset = next_slot_offset(seq);
    CHECK((offset == kSlotOffsets[0] || offset == kSlotOffsets[1]));
  }
  // Neither slot overlaps the identity or the other slot, and both fit in
  // the header page.
  CHECK(kSlotOffsets[0] >= kIdentityBytes);
  CHECK(kSlotOffsets[0] + kSlotBytes <= kSlotOffsets[1]);
  CHECK(kSlotOffsets[1] + kSlotBytes <= kSegmentHeaderBytes);
}

TEST_CASE("current_state picks the valid slot with the higher sequence",
          "[format][segment_header]") {
  Page page{};
  CHECK_FALSE(current_state(page.data(), kSalt));  // neither slot written
  put_state(page, some_state(1));
  CHECK(current_state(page.data(), kSalt) == some_state(1));
  put_state(page, some_state(2, true));
  CHECK(current_state(page.data(), kSalt) == some_state(2, true));
  put_state(page, some_state(3));  // overwrites sequence 1's slot
  CHECK(current_state(page.data(), kSalt) == some_state(3));
  put_state(page, some_state(4, true));
  CHECK(current_state(page.data(), kSalt) == some_state(4, true));
}

TEST_CASE("current_state survives a torn write of either slot by using the other",
          "[format][segment_header]") {
  Page page{};
  put_state(page, some_state(6));
  put_state(page, some_state(7, true));
  const std::uint64_t newer = next_slot_offset(7);
  const std::uint64_t older = next_slot_offset(6);

  SECTION("the newer slot torn: the older state wins") {
    const std::size_t at = GENERATE(0, 8, 31, 52, 63);
    page[newer + at] ^= std::byte{0x10};
    CHECK(current_state(page.data(), kSalt) == some_state(6));
  }
  SECTION("the newer slot half written (its tail still old bytes): the older state wins") {
    std::memset(page.data() + newer + 32, 0, 32);
    CHECK(current_state(page.data(), kSalt) == some_state(6));
  }
  SECTION("the older slot torn: the newer state stays") {
    page[older + 40] ^= std::byte{0x01};
    CHECK(current_state(page.data(), kSalt) == some_state(7, true));
  }
  SECTION("both slots torn: no state") {
    page[older + 1] ^= std::byte{0x01};
    page[newer + 1] ^= std::byte{0x01};
    CHECK_FALSE(current_state(page.data(), kSalt));
  }
  SECTION("another salt: no state") { CHECK_FALSE(current_state(page.data(), kSalt + 1)); }
}

TEST_CASE("current_state ignores bytes outside the two slots", "[format][segment_header]") {
  Page page;
  page.fill(std::byte{0x5A});
  encode_identity(page.data(), some_identity());
  put_state(page, some_state(11));
  put_state(page, some_state(12));
  CHECK(current_state(page.data(), kSalt) == some_state(12));
  CHECK(decode_identity(page.data()));
}

TEST_CASE(
    "reserved_byte_set finds any non-zero byte outside the identity and slots, and only there",
    "[format][segment_header]") {
  Page page{};
  CHECK_FALSE(reserved_byte_set(page.data()).has_value());
  const auto in_use = [](std::uint64_t pos) {
    return pos < kIdentityBytes || (pos >= kSlotOffsets[0] && pos < kSlotOffsets[0] + kSlotBytes) ||
           (pos >= kSlotOffsets[1] && pos < kSlotOffsets[1] + kSlotBytes);
  };
  for (std::uint64_t pos = 0; pos < kSegmentHeaderBytes; ++pos) {
    page.fill(std::byte{0});
    page[pos] = std::byte{0x01};
    // A second non-zero byte further on must not hide the first one.
    if (pos + 9 < kSegmentHeaderBytes) page[pos + 9] = std::byte{0x80};
    const auto found = reserved_byte_set(page.data());
    INFO("byte " << pos);
    if (!in_use(pos)) {
      REQUIRE(found == std::optional<std::uint64_t>(pos));
    } else if (pos + 9 < kSegmentHeaderBytes && !in_use(pos + 9)) {
      REQUIRE(found == std::optional<std::uint64_t>(pos + 9));
    } else {
      REQUIRE_FALSE(found.has_value());
    }
  }
}

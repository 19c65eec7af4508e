// record_test.cpp — format/record.hpp: one log record encoded and decoded,
// and every way a decode must refuse bytes (docs/format.md, "Record").
#include "format/record.hpp"

#include "support/entries.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

using namespace seglog::detail;
using seglog::test::payload_for;

namespace {

constexpr std::uint64_t kSalt = 0x1234'5678'9ABC'DEF1ull;

// The record of `payload_bytes` bytes for index/term/type, encoded into a
// buffer of exactly record_bytes() bytes that was filled with 0xCC first (so
// padding the encoder forgot to zero shows).
std::vector<std::byte> encoded(std::uint64_t payload_bytes, std::uint64_t index = 42,
                               std::uint64_t term = 7, std::uint8_t type = 3,
                               std::uint64_t salt = kSalt) {
  std::vector<std::byte> out(record_bytes(payload_bytes), std::byte{0xCC});
  encode_record(out.data(), salt, {index, term, type}, payload_for(index, payload_bytes));
  return out;
}

RecordStatus decode(const std::vector<std::byte>& bytes, std::uint64_t salt = kSalt,
                    DecodedRecord* out = nullptr) {
  DecodedRecord ignored;
  return decode_record(bytes.data(), bytes.size(), salt, true, out ? *out : ignored);
}

void put_u32(std::vector<std::byte>& bytes, std::size_t offset, std::uint32_t value) {
  store_le<std::uint32_t>(bytes.data() + offset, value);
}

}  // namespace

TEST_CASE("record_bytes is the header plus the payload rounded up to 8 bytes", "[format][record]") {
  CHECK(record_bytes(0) == 32);
  CHECK(record_bytes(1) == 40);
  CHECK(record_bytes(7) == 40);
  CHECK(record_bytes(8) == 40);
  CHECK(record_bytes(9) == 48);
  CHECK(record_bytes(4096) == 32 + 4096);
  CHECK(record_bytes(kMaxRecordPayload) % kRecordAlignment == 0);
}

TEST_CASE("a record round-trips its fields and payload for 0, 1, 7, 8 and 9 bytes and more",
          "[format][record]") {
  const std::uint64_t size = GENERATE(0, 1, 7, 8, 9, 15, 16, 17, 255, 4097);
  INFO("payload bytes " << size);
  const auto bytes = encoded(size, 0xFEDC'BA98'7654'3210ull, 0x0102'0304'0506'0708ull, 0xFF);
  DecodedRecord record;
  REQUIRE(decode(bytes, kSalt, &record) == RecordStatus::ok);
  CHECK(record.fields.index == 0xFEDC'BA98'7654'3210ull);
  CHECK(record.fields.term == 0x0102'0304'0506'0708ull);
  CHECK(record.fields.type == 0xFF);
  CHECK(record.bytes == record_bytes(size));
  CHECK(record.payload.data() == bytes.data() + kRecordHeaderBytes);  // zero-copy
  const auto expected = payload_for(0xFEDC'BA98'7654'3210ull, size);
  CHECK(std::vector<std::byte>(record.payload.begin(), record.payload.end()) == expected);
  // The size field says header + payload; the padding after it is zero.
  CHECK(load_le<std::uint32_t>(bytes.data() + 8) == kRecordHeaderBytes + size);
  for (std::uint64_t i = kRecordHeaderBytes + size; i < bytes.size(); ++i) {
    INFO("padding byte " << i);
    CHECK(bytes[i] == std::byte{0});
  }
  // The three bytes after the type are zero.
  CHECK(bytes[13] == std::byte{0});
  CHECK(bytes[14] == std::byte{0});
  CHECK(bytes[15] == std::byte{0});
}

TEST_CASE("a record decodes in place inside a larger buffer and reports its own length",
          "[format][record]") {
  std::vector<std::byte> buffer(record_bytes(5) + record_bytes(0) + 64, std::byte{0});
  encode_record(buffer.data(), kSalt, {1, 1, 0}, payload_for(1, 5));
  encode_record(buffer.data() + record_bytes(5), kSalt, {2, 1, 0}, {});
  DecodedRecord first, second, end;
  REQUIRE(decode_record(buffer.data(), buffer.size(), kSalt, true, first) == RecordStatus::ok);
  REQUIRE(first.bytes == record_bytes(5));
  REQUIRE(decode_record(buffer.data() + first.bytes, buffer.size() - first.bytes, kSalt, true,
                        second) == RecordStatus::ok);
  CHECK(second.fields.index == 2);
  CHECK(second.payload.empty());
  const std::uint64_t at = first.bytes + second.bytes;
  CHECK(decode_record(buffer.data() + at, buffer.size() - at, kSalt, true, end) ==
        RecordStatus::end);
}

TEST_CASE("an all-zero header is the end of the records", "[format][record]") {
  const std::vector<std::byte> zeros(64, std::byte{0});
  CHECK(decode(zeros) == RecordStatus::end);
  // Also when fewer than a header's bytes are left, all zero.
  DecodedRecord record;
  CHECK(decode_record(zeros.data(), 0, kSalt, true, record) == RecordStatus::end);
  CHECK(decode_record(zeros.data(), 31, kSalt, true, record) == RecordStatus::end);
}

TEST_CASE("fewer bytes than a header, not all zero, are invalid", "[format][record]") {
  std::vector<std::byte> bytes(31, std::byte{0});
  bytes[30] = std::byte{1};
  CHECK(decode(bytes) == RecordStatus::invalid);
}

TEST_CASE("a zero size with any other nonzero header byte is invalid, not the end",
          "[format][record]") {
  for (std::size_t i = 0; i < kRecordHeaderBytes; ++i) {
    if (i >= 8 && i < 12) continue;  // the size field itself stays zero
    std::vector<std::byte> bytes(kRecordHeaderBytes, std::byte{0});
    bytes[i] = std::byte{0x01};
    INFO("nonzero header byte " << i);
    CHECK(decode(bytes) == RecordStatus::invalid);
  }
  // And an encoded record whose size field was zeroed.
  auto bytes = encoded(16);
  put_u32(bytes, 8, 0);
  CHECK(decode(bytes) == RecordStatus::invalid);
}

TEST_CASE("a size beyond the available bytes is invalid before any payload byte is read",
          "[format][record]") {
  // Only the header exists (the vector is exactly 32 bytes: under ASan a read
  // of a payload byte would be a heap-buffer-overflow).
  const std::uint32_t size = GENERATE(33u, 40u, 1000u, 0xFFFF'FFFFu);
  INFO("size field " << size);
  const auto full = encoded(8);
  std::vector<std::byte> header(full.begin(), full.begin() + kRecordHeaderBytes);
  put_u32(header, 8, size);
  CHECK(decode(header) == RecordStatus::invalid);
  CHECK(peek_record_bytes(header.data(), header.size()) == 0);
}

TEST_CASE("a record that does not fit in `available`, even by its padding, is invalid",
          "[format][record]") {
  const auto bytes = encoded(9);  // 41 bytes of record, 48 with padding
  DecodedRecord record;
  CHECK(decode_record(bytes.data(), 47, kSalt, true, record) == RecordStatus::invalid);
  CHECK(decode_record(bytes.data(), 41, kSalt, true, record) == RecordStatus::invalid);
  CHECK(decode_record(bytes.data(), 48, kSalt, true, record) == RecordStatus::ok);
}

TEST_CASE("a size below the header's 32 bytes is invalid", "[format][record]") {
  const std::uint32_t size = GENERATE(1u, 8u, 31u);
  auto bytes = encoded(0);
  put_u32(bytes, 8, size);
  CHECK(decode(bytes) == RecordStatus::invalid);
  CHECK(peek_record_bytes(bytes.data(), bytes.size()) == 0);
}

TEST_CASE("nonzero reserved bytes after the type are invalid even when the checksum matches",
          "[format][record]") {
  const std::size_t reserved = GENERATE(13, 14, 15);
  auto bytes = encoded(12);
  bytes[reserved] = std::byte{0x80};
  // Re-seal the checksum so only the reserved byte is wrong.
  // The record's size field, bounded by the buffer it lies in: unbounded,
  // GCC 12 at -O3 inlines XXH3's paths for every length up to 2^32 and
  // reports their reads past the 48-byte buffer (-Warray-bounds), paths
  // that this size can never take.
  const std::size_t size =
      std::min<std::size_t>(load_le<std::uint32_t>(bytes.data() + 8), bytes.size());
  store_le<std::uint64_t>(bytes.data(), checksum(bytes.data() + 8, size - 8, kSalt));
  INFO("reserved byte " << reserved);
  CHECK(decode(bytes) == RecordStatus::invalid);
}

TEST_CASE("the checksum is seeded by the salt: the same bytes under another salt are invalid",
          "[format][record]") {
  const auto bytes = encoded(20);
  CHECK(decode(bytes, kSalt) == RecordStatus::ok);
  CHECK(decode(bytes, kSalt + 1) == RecordStatus::invalid);
  CHECK(decode(bytes, 0) == RecordStatus::invalid);
  // Without verification the bytes are taken as they are.
  DecodedRecord record;
  CHECK(decode_record(bytes.data(), bytes.size(), kSalt + 1, false, record) == RecordStatus::ok);
}

TEST_CASE("every single-bit flip of a record without padding is invalid", "[format][record]") {
  const std::uint64_t size = GENERATE(0, 8, 24);
  const auto original = encoded(size);
  REQUIRE(original.size() == kRecordHeaderBytes + size);  // no padding bytes
  int flips = 0;
  for (std::size_t byte = 0; byte < original.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bytes = original;
      bytes[byte] ^= static_cast<std::byte>(1u << bit);
      INFO("payload " << size << ", byte " << byte << ", bit " << bit);
      REQUIRE(decode(bytes) == RecordStatus::invalid);
      ++flips;
    }
  }
  CHECK(flips == static_cast<int>(original.size() * 8));
}

TEST_CASE("every single-bit flip in the size-covered bytes of a padded record is invalid",
          "[format][record]") {
  const std::uint64_t size = GENERATE(1, 5, 7, 9);
  const auto original = encoded(size);
  const std::uint64_t covered = kRecordHeaderBytes + size;
  for (std::size_t byte = 0; byte < covered; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bytes = original;
      bytes[byte] ^= static_cast<std::byte>(1u << bit);
      INFO("payload " << size << ", byte " << byte << ", bit " << bit);
      REQUIRE(decode(bytes) == RecordStatus::invalid);
    }
  }
  // The padding is not covered by the checksum (docs/format.md: xxh3 of
  // [8, size)); a flip there must at least never change what is returned.
  for (std::size_t byte = covered; byte < original.size(); ++byte) {
    auto bytes = original;
    bytes[byte] ^= std::byte{0x01};
    DecodedRecord record;
    const RecordStatus status = decode(bytes, kSalt, &record);
    INFO("padding byte " << byte);
    if (status == RecordStatus::ok) {
      CHECK(std::vector<std::byte>(record.payload.begin(), record.payload.end()) ==
            payload_for(42, size));
    } else {
      CHECK(status == RecordStatus::invalid);
    }
  }
}

TEST_CASE("peek_record_bytes and peek_record_index read a valid record's size and index",
          "[format][record]") {
  const auto bytes = encoded(9, 1234);
  CHECK(peek_record_bytes(bytes.data(), bytes.size()) == 48);
  CHECK(peek_record_bytes(bytes.data(), 47) == 0);
  CHECK(peek_record_bytes(bytes.data(), 31) == 0);
  CHECK(peek_record_index(bytes.data()) == 1234);
}

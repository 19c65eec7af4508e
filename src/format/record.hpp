// format/record.hpp — one log record: encode and decode, pure functions.
// Layout (docs/format.md, "Record"), all little-endian, 8-byte aligned:
//
//   0       8       12  13      16      24      32            32+len   pad
//   +-------+-------+---+-------+-------+-------+-------------+--------+
//   |xxh3   | size  |typ| zero  | index | term  | payload     | zeros  |
//   +-------+-------+---+-------+-------+-------+-------------+--------+
//
// size = 32 + payload length (never 0: a zero size ends the records of a
// preallocated segment). xxh3 = XXH3-64 of bytes [8, size) seeded with the
// segment's salt, so bytes of another segment file never validate.
#pragma once

#include "format/checksum.hpp"
#include "format/endian.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace seglog::detail {

inline constexpr std::uint64_t kRecordHeaderBytes = 32;
inline constexpr std::uint64_t kRecordAlignment = 8;
// size is a u32 that includes the header.
inline constexpr std::uint64_t kMaxRecordPayload = 0xFFFFFFFFull - kRecordHeaderBytes;

// Bytes a record with `payload_bytes` occupies, padding included.
inline constexpr std::uint64_t record_bytes(std::uint64_t payload_bytes) noexcept {
  return align_up(kRecordHeaderBytes + payload_bytes, kRecordAlignment);
}

struct RecordFields {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint8_t type = 0;
};

// Writes the record at `out` (record_bytes(payload.size()) bytes; the caller
// checked they are available). payload.size() <= kMaxRecordPayload.
inline void encode_record(std::byte* out, const ChecksumKey& key, const RecordFields& fields,
                          std::span<const std::byte> payload) noexcept {
  const auto size = static_cast<std::uint32_t>(kRecordHeaderBytes + payload.size());
  store_le<std::uint32_t>(out + 8, size);
  store_le<std::uint32_t>(out + 12, fields.type);  // type, then 3 zero bytes
  store_le<std::uint64_t>(out + 16, fields.index);
  store_le<std::uint64_t>(out + 24, fields.term);
  if (!payload.empty()) {
    std::memcpy(out + kRecordHeaderBytes, payload.data(), payload.size());
  }
  const std::uint64_t padded = record_bytes(payload.size());
  if (padded > size) std::memset(out + size, 0, padded - size);
  store_le<std::uint64_t>(out, key(out + 8, size - 8));
}

inline void encode_record(std::byte* out, std::uint64_t salt, const RecordFields& fields,
                          std::span<const std::byte> payload) noexcept {
  encode_record(out, ChecksumKey(salt), fields, payload);
}

enum class RecordStatus {
  ok,       // a well-formed record (checksum verified if asked)
  end,      // an all-zero header: no record here (unwritten space)
  invalid,  // anything else: torn, corrupted or stale bytes
};

struct DecodedRecord {
  RecordFields fields;
  std::span<const std::byte> payload;
  std::uint64_t bytes = 0;  // record_bytes(payload.size())
};

// Decodes the record at `in`, of which `available` bytes may be read. The
// size is bounds-checked before any payload byte is touched.
inline RecordStatus decode_record(const std::byte* in, std::uint64_t available,
                                  const ChecksumKey& key, bool verify,
                                  DecodedRecord& out) noexcept {
  if (available < kRecordHeaderBytes) {
    for (std::uint64_t i = 0; i < available; ++i) {
      if (in[i] != std::byte{0}) return RecordStatus::invalid;
    }
    return RecordStatus::end;
  }
  const auto size = load_le<std::uint32_t>(in + 8);
  if (size == 0) {
    for (std::uint64_t i = 0; i < kRecordHeaderBytes; ++i) {
      if (in[i] != std::byte{0}) return RecordStatus::invalid;
    }
    return RecordStatus::end;
  }
  const std::uint64_t padded = align_up(size, kRecordAlignment);
  if (size < kRecordHeaderBytes || padded > available) return RecordStatus::invalid;
  const auto type_and_zero = load_le<std::uint32_t>(in + 12);
  if ((type_and_zero >> 8) != 0) return RecordStatus::invalid;
  if (verify) {
    if (load_le<std::uint64_t>(in) != key(in + 8, size - 8)) return RecordStatus::invalid;
    // The padding is not hashed; the encoder zeroes it, so anything else
    // is damage.
    for (std::uint64_t i = size; i < padded; ++i) {
      if (in[i] != std::byte{0}) return RecordStatus::invalid;
    }
  }
  out.fields.type = static_cast<std::uint8_t>(type_and_zero);
  out.fields.index = load_le<std::uint64_t>(in + 16);
  out.fields.term = load_le<std::uint64_t>(in + 24);
  out.payload = {in + kRecordHeaderBytes, size - kRecordHeaderBytes};
  out.bytes = padded;
  return RecordStatus::ok;
}

// With a seed whose secret is derived per call (tests, tools).
inline RecordStatus decode_record(const std::byte* in, std::uint64_t available, std::uint64_t salt,
                                  bool verify, DecodedRecord& out) noexcept {
  return decode_record(in, available, ChecksumKey(salt), verify, out);
}

// The padded size of the record at `in` without verifying it, or 0 when the
// size field is out of bounds. Used to skip forward from a sparse point.
inline std::uint64_t peek_record_bytes(const std::byte* in, std::uint64_t available) noexcept {
  if (available < kRecordHeaderBytes) return 0;
  const auto size = load_le<std::uint32_t>(in + 8);
  const std::uint64_t padded = align_up(size, kRecordAlignment);
  if (size < kRecordHeaderBytes || padded > available) return 0;
  return padded;
}

inline std::uint64_t peek_record_index(const std::byte* in) noexcept {
  return load_le<std::uint64_t>(in + 16);
}

}  // namespace seglog::detail

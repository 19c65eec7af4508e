// fuzz/fuzz_record.cpp — libFuzzer target: the record decoder
// (format/record.hpp) on arbitrary bytes with an arbitrary salt
// (docs/reliability.md, "Fuzzing").
//
// Input: 8 bytes of salt (little-endian), then the bytes of a record area,
// walked record by record as a segment scan does. Invariants: no read
// outside the input (ASan); a record that decodes has a size in
// [32, remaining], 8-aligned, its payload inside it, and peek agrees; a
// record that verifies also decodes unverified, and encoding its fields
// again gives back its bytes exactly (so no unchecked byte can change what
// a reader sees).
#include "format/endian.hpp"
#include "format/record.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

using namespace seglog::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const std::uint64_t salt = load_le<std::uint64_t>(reinterpret_cast<const std::byte*>(data));
  const auto* in = reinterpret_cast<const std::byte*>(data + 8);
  std::uint64_t available = size - 8;

  while (true) {
    DecodedRecord loose;
    const RecordStatus unverified = decode_record(in, available, salt, false, loose);
    DecodedRecord record;
    const RecordStatus verified = decode_record(in, available, salt, true, record);
    const std::uint64_t peeked = peek_record_bytes(in, available);

    if (verified == RecordStatus::end) {
      SEGLOG_FUZZ_CHECK(unverified == RecordStatus::end);
      SEGLOG_FUZZ_CHECK(peeked == 0);
      for (std::uint64_t i = 0; i < available && i < kRecordHeaderBytes; ++i) {
        SEGLOG_FUZZ_CHECK(in[i] == std::byte{0});
      }
    }
    if (unverified == RecordStatus::ok) {
      SEGLOG_FUZZ_CHECK(loose.bytes >= kRecordHeaderBytes && loose.bytes <= available);
      SEGLOG_FUZZ_CHECK(loose.bytes % kRecordAlignment == 0);
      SEGLOG_FUZZ_CHECK(loose.bytes == record_bytes(loose.payload.size()));
      SEGLOG_FUZZ_CHECK(loose.payload.data() == in + kRecordHeaderBytes);
      SEGLOG_FUZZ_CHECK(peeked == loose.bytes);
      SEGLOG_FUZZ_CHECK(peek_record_index(in) == loose.fields.index);
    }
    if (verified != RecordStatus::ok) return 0;

    SEGLOG_FUZZ_CHECK(unverified == RecordStatus::ok);
    SEGLOG_FUZZ_CHECK(record.bytes == loose.bytes);
    // Re-encode into a buffer of exactly the record's size, so ASan sees
    // an encoder that writes past it.
    std::vector<std::byte> again(record.bytes);
    encode_record(again.data(), salt, record.fields, record.payload);
    const std::uint64_t unpadded = kRecordHeaderBytes + record.payload.size();
    SEGLOG_FUZZ_CHECK(std::memcmp(again.data(), in, unpadded) == 0);
    for (std::uint64_t i = unpadded; i < record.bytes; ++i) {
      SEGLOG_FUZZ_CHECK(again[i] == std::byte{0});
    }
    in += record.bytes;
    available -= record.bytes;
  }
}

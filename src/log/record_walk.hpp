// log/record_walk.hpp — the one step every reader of a segment's records
// takes: "decode the record at this offset and expect index i", and the
// error text that names it (docs/design.md, "Lookups" and "Torn tail or
// corruption"; the record's bytes: docs/format.md, "Record").
//
// Used by the lookup's walk from a sparse point (step_over: size and index
// only), by locate and visit (check_record with Options::verify_checksums),
// by the scan of an unsealed segment and its look-ahead, and by the
// boundary rewrite (check_record, always verified). Each of them, the
// recent-offset ring and the sparse points' deltas assume one record per
// index, in index order: this is where that assumption is checked.
#pragma once

#include <seglog/error.hpp>

#include "errors.hpp"
#include "format/checksum.hpp"
#include "format/record.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace seglog::detail {

// What is at an offset where the record of an expected index should be.
enum class RecordCheck {
  ok,               // a valid record (checksum verified if asked) of that index
  end,              // an all-zero header: no record here (unwritten space)
  invalid,          // bytes that are not a valid record
  out_of_sequence,  // a valid record of another index
};

// Decodes the record at `offset` (records end at `bound`) into `out` and
// checks that it carries `index`. UINT64_MAX is never a stored index (the
// facade refuses it): the index after it could not be represented.
inline RecordCheck check_record(const std::byte* base, std::uint64_t offset, std::uint64_t bound,
                                const ChecksumKey& key, bool verify, std::uint64_t index,
                                DecodedRecord& out) noexcept {
  const RecordStatus status = decode_record(base + offset, bound - offset, key, verify, out);
  if (status == RecordStatus::end) return RecordCheck::end;
  if (status != RecordStatus::ok) return RecordCheck::invalid;
  if (out.fields.index != index || index == UINT64_MAX) return RecordCheck::out_of_sequence;
  return RecordCheck::ok;
}

// The walk's step: the size of the record at `offset` when its size is in
// bounds and it carries `index` (no checksum: the record asked for is fully
// checked at the end of the walk), else 0.
inline std::uint64_t step_over(const std::byte* base, std::uint64_t offset, std::uint64_t bound,
                               std::uint64_t index) noexcept {
  const std::uint64_t bytes = peek_record_bytes(base + offset, bound - offset);
  return bytes != 0 && peek_record_index(base + offset) == index ? bytes : 0;
}

// Why a step failed, for the message.
inline std::string_view record_check_text(RecordCheck check) noexcept {
  switch (check) {
    case RecordCheck::ok:
      return "valid record";
    case RecordCheck::end:
      return "no record (zeros)";
    case RecordCheck::out_of_sequence:
      return "record out of sequence";
    case RecordCheck::invalid:
      break;
  }
  return "invalid record (checksum, size or index mismatch)";
}

// The error of a failed step: `corrupted`, naming the file, the offset and
// the expected index, and what the caller was doing (`during`, may be
// empty).
inline Error record_error(const std::filesystem::path& path, std::uint64_t offset,
                          std::uint64_t index, RecordCheck check, std::string_view during = {}) {
  std::string message(record_check_text(check));
  message += " in " + path.string() + " at offset " + std::to_string(offset) + " (index " +
             std::to_string(index) + ")";
  if (!during.empty()) {
    message += " ";
    message += during;
  }
  return make_error(errc::corrupted, std::move(message));
}

}  // namespace seglog::detail

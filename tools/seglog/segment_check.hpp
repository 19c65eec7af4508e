// tools/seglog/segment_check.hpp — one segment's records, footer and state
// checked (verify), or only what stat needs: the end of an unsealed
// segment's records (the scan a writable open makes). The verdict on the first bad position of an
// unsealed segment is the library's own (log/segment_scan.hpp).
#pragma once

#include <seglog/error.hpp>

#include "directory_scan.hpp"
#include "findings.hpp"
#include "log/segment_scan.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace seglog::tool {

// Called with bytes of records read so far, for the progress bar.
using ProgressHook = std::function<void(std::uint64_t bytes)>;

struct SegmentReport {
  std::uint64_t start_index = 0;  // first kept index
  std::uint64_t last_index = 0;   // last kept (sealed) or valid (unsealed) index
  std::uint64_t next_index = 0;   // max(last_index + 1, start_index)
  std::uint64_t records_end = 0;  // end of the kept or valid records
  std::uint64_t records = 0;      // records checked
  std::uint64_t bytes_checked = 0;
  // Of start_index and last_index, when kept and read (Depth::full, or an
  // unsealed segment's scan; log_check asks term_in_segment for the rest).
  std::optional<std::uint64_t> first_term;
  std::optional<std::uint64_t> last_term;
  // Unsealed: what the first position that is not the expected record is.
  detail::Verdict verdict = detail::Verdict::clean_end;
  std::uint64_t tail_bytes = 0;  // torn tail: its non-zero bytes, up to the data's end
  // Where a repair must cut the log: the first damaged record (or the
  // records' end when only the footer or the sealed slot is damaged);
  // nullopt when the segment is whole.
  std::optional<std::uint64_t> cut_offset;
  std::optional<std::uint64_t> cut_index;
  // A sealed segment whose records and slot are whole but whose footer
  // (or one of its sparse points) is damaged: repair rebuilds the footer
  // instead of cutting the log there.
  bool footer_only_damage = false;
  Findings findings;
};

enum class Depth {
  headers,  // stat: sealed segments by their slot; unsealed ones scanned
  full,     // verify: every record, footer and sparse point
};

// Checks `segment` (usable header). Errors: stale, io_error only — damage is
// in the report's findings.
[[nodiscard]] Result<SegmentReport> check_segment(const SegmentHeader& segment, Depth depth,
                                                  const ProgressHook& progress = {});

// The term of `index` in `segment` (a kept index), found through the
// footer's sparse points (sealed) or by walking (unsealed), checksum
// verified; nullopt when it cannot be read.
[[nodiscard]] Result<std::optional<std::uint64_t>> term_in_segment(const SegmentHeader& segment,
                                                                   std::uint64_t index);

// The end of the bytes that are not zero in [from, to) of `path` (8-byte
// aligned), i.e. how far a torn tail or other written bytes reach.
[[nodiscard]] Result<std::uint64_t> data_end(const fs::path& path, std::uint64_t from,
                                             std::uint64_t to);

}  // namespace seglog::tool

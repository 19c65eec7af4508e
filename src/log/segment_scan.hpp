// log/segment_scan.hpp — what a scan of an unsealed segment found, and the
// whole torn-vs-corrupted verdict (docs/design.md, "Torn tail or
// corruption", and "Open" step 4 for a segment behind the newest).
//
// The scan itself (Segment::scan, segment_scan.cpp) walks the records with
// record_walk.hpp's step until the first position that is not the expected
// record; judge_position says what that position is, and judge_behind what
// a scanned segment that is not the newest means for the segments after
// it. Recovery (recovery.cpp) only applies these verdicts.
#pragma once

#include "log/record_walk.hpp"

#include <cstdint>
#include <optional>

namespace seglog::detail {

// What a scan of an unsealed segment found (recovery).
struct ScanResult {
  std::uint64_t published_end = 0;  // end of the valid records, published
  std::uint64_t last_index = 0;
  bool torn = false;              // an invalid record beyond the synced end
  std::uint64_t torn_offset = 0;  // where it starts (= published_end)
  std::uint64_t torn_bytes = 0;   // bytes cut (up to the end of the file data;
                                  // read-only: to the end of the file, uncounted)
  bool damaged = false;           // read-only: synced records damaged at published_end
};

// The verdict on the first position of a scan that is not the expected
// record.
enum class Verdict {
  clean_end,   // zeros where nothing synced lies: the records end here
  torn_tail,   // invalid bytes beyond the synced end: a write a crash cut
  corruption,  // damage in synced data: corrupted, never cut
};

// `check`: what is at `position`. `durable_synced_end`: the current state
// slot's synced end, nullopt when no slot is readable; then
// `next_found_ahead` says whether a valid record with the next expected
// index lies after the position (the look-ahead: acknowledged data behind
// the damage). Zeros below the synced end are synced records missing.
inline Verdict judge_position(RecordCheck check, std::uint64_t position,
                              std::optional<std::uint64_t> durable_synced_end,
                              bool next_found_ahead) noexcept {
  const bool synced = durable_synced_end ? position < *durable_synced_end
                                         : check != RecordCheck::end && next_found_ahead;
  if (synced) return Verdict::corruption;
  return check == RecordCheck::end ? Verdict::clean_end : Verdict::torn_tail;
}

// Whether the scan of a segment with no readable slot must look ahead of
// the damage at all (judge_position's `next_found_ahead`).
inline bool needs_look_ahead(RecordCheck check,
                             std::optional<std::uint64_t> durable_synced_end) noexcept {
  return !durable_synced_end && check != RecordCheck::end;
}

// A scanned segment behind the newest: a roll whose background seal the
// crash interrupted (docs/design.md, "Open" step 4). When its records end
// exactly where the next segment starts (`next_index == next_first`), every
// record is there and the bytes after them are the interrupted seal's
// footer, not a torn tail: the result says so, and the next segments are
// kept (true). Otherwise it lost unsynced records, and the segments after
// it hold nothing synced and cannot follow it: they are dropped (false).
inline bool judge_behind(ScanResult& result, std::uint64_t next_index,
                         std::uint64_t next_first) noexcept {
  if (next_index != next_first) return false;
  result.torn = false;
  return true;
}

}  // namespace seglog::detail

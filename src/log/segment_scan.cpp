// log/segment_scan.cpp — the scan of an unsealed segment at open
// (docs/design.md, "Torn tail or corruption"): its records walked with
// record_walk.hpp's step, its sparse index rebuilt, and the first position
// that is not the expected record judged by segment_scan.hpp.
#include "log/segment.hpp"

#include "errors.hpp"

#include <algorithm>
#include <optional>

namespace seglog::detail {

Result<ScanResult> Segment::scan(bool tolerate_corruption) {
  // A writable open owns the files: it maps this one. A read-only open
  // must not map it: the live writer may trim it meanwhile (a seal), and a
  // touch past the new end is SIGBUS. It copies what it scans instead
  // (design.md, "Read-only opens beside a live writer").
  std::shared_ptr<MappedFile> map;
  std::optional<PrivateCopy> copy;
  if (writable_) {
    auto mapped = MappedFile::map(path_, MappedFile::Access::read_write, 0);
    if (!mapped) return mapped.error();
    map = std::move(*mapped);
    writer_.set_map(map);
  } else {
    if (!file_.is_open()) {
      return make_error(errc::io_error, "no descriptor to scan " + path_.string() + " with");
    }
    auto made = PrivateCopy::create(std::move(file_), file_size());
    if (!made) return made.error();
    copy.emplace(std::move(*made));
    map = copy->memory();
    // Never dropped: mapping the file again by path is what must not happen.
    evictable_.store(false, std::memory_order_release);
  }
  set_mapping(map);
  allocate_memory_points();
  if (state_ && state_->start_index != 0) {
    start_index_.store(state_->start_index, std::memory_order_relaxed);
  }
  // Bytes [from, from + length) of the file, copied if not yet (read-only).
  auto readable = [&](std::uint64_t from, std::uint64_t length, std::uint64_t limit) -> Status {
    return copy ? copy->ensure(std::min(limit, from + length)) : Status{};
  };

  const std::byte* base = map->data();
  std::uint64_t bound = map->size();
  if (state_ && state_->end_offset != 0) bound = std::min(bound, state_->end_offset);
  if (bound < kSegmentHeaderBytes) {
    // Only a damaged (or crafted) state slot puts the end inside the header.
    return corrupted(next_slot_offset(state_ ? state_->sequence + 1 : 1), identity_.first_index,
                     "state slot puts the end of the records inside the header");
  }
  // The durable synced end is known when a state slot is readable.
  // Otherwise damage is judged by looking ahead (judge_position).
  const std::optional<std::uint64_t> synced_end =
      state_ ? std::optional<std::uint64_t>(state_->synced_end) : std::nullopt;

  std::uint64_t pos = kSegmentHeaderBytes;
  std::uint64_t expected = identity_.first_index;
  ScanResult result;
  DecodedRecord record;
  for (;;) {
    // The header, then the whole record its size field claims (if in bounds).
    if (auto s = readable(pos, kRecordHeaderBytes, bound); !s) return s.error();
    if (const std::uint64_t n = peek_record_bytes(base + pos, bound - pos); n != 0) {
      if (auto s = readable(pos, n, bound); !s) return s.error();
    }
    const RecordCheck check = check_record(base, pos, bound, key_, true, expected, record);
    if (check == RecordCheck::ok) {
      add_record(expected, record.bytes);
      pos += record.bytes;
      ++expected;
      continue;
    }
    bool next_found_ahead = false;
    if (needs_look_ahead(check, synced_end) && expected != UINT64_MAX) {
      // A valid later record with the next expected index means
      // acknowledged data lies behind the damage.
      for (std::uint64_t q = pos + kRecordAlignment; q + kRecordHeaderBytes <= bound;
           q += kRecordAlignment) {
        if (auto s = readable(q, kRecordHeaderBytes, bound); !s) return s.error();
        if (const std::uint64_t n = peek_record_bytes(base + q, bound - q); n != 0) {
          if (auto s = readable(q, n, bound); !s) return s.error();
        }
        DecodedRecord later;
        if (check_record(base, q, bound, key_, true, expected + 1, later) == RecordCheck::ok) {
          next_found_ahead = true;
          break;
        }
      }
    }
    const Verdict verdict = judge_position(check, pos, synced_end, next_found_ahead);
    if (verdict == Verdict::clean_end) break;
    if (verdict == Verdict::corruption && !tolerate_corruption) {
      return record_error(path_, pos, expected, check, "in synced data");
    }
    result.damaged = verdict == Verdict::corruption;
    if (check != RecordCheck::end) {
      result.torn = verdict == Verdict::torn_tail;
      result.torn_offset = pos;
      // Count the torn bytes up to the first all-zero page after them. Only
      // for the cut a writable open makes: a read-only one cuts nothing and
      // copies nothing more for it.
      std::uint64_t end = copy ? bound : pos;
      while (end < bound) {
        const std::uint64_t page_end = std::min(bound, (end / 4096 + 1) * 4096);
        bool zero = true;
        for (std::uint64_t i = end; i < page_end && zero; ++i) zero = base[i] == std::byte{0};
        if (zero && end > pos) break;
        end = page_end;
      }
      result.torn_bytes = end - pos;
    }
    break;
  }
  writer_.synced(pos);
  publish();
  result.published_end = pos;
  result.last_index = expected - 1;
  check_invariants();
  return result;
}

}  // namespace seglog::detail

// sweep/regions.cpp — naming the bytes of the sweep's directory.
#include "sweep/regions.hpp"

#include "format/file_names.hpp"
#include "format/segment_header.hpp"

#include <algorithm>
#include <cstring>

namespace seglog::sweep {

namespace {

std::string record_part(const RecordSpan& r, std::uint64_t offset) {
  const std::uint64_t at = offset - r.offset;
  if (at < 8) return "record checksum";
  if (at < 12) return "record size";
  if (at < 13) return "record type";
  if (at < 16) return "record zero bytes";
  if (at < 24) return "record index";
  if (at < 32) return "record term";
  if (at < r.size) return "record payload";
  return "record padding";
}

std::string segment_part(const SegmentLayout& s, std::uint64_t offset) {
  if (offset < 56) return "identity fields";
  if (offset < 64) return "identity checksum";
  if (offset >= s.current_slot && offset < s.current_slot + detail::kSlotBytes) {
    return "current state slot";
  }
  if (offset >= s.other_slot && offset < s.other_slot + detail::kSlotBytes) {
    return "other state slot";
  }
  if (offset < detail::kSegmentHeaderBytes) return "header page zeros";
  if (offset < s.records_end) {
    const auto it =
        std::upper_bound(s.records.begin(), s.records.end(), offset,
                         [](std::uint64_t off, const RecordSpan& r) { return off < r.offset; });
    return record_part(*std::prev(it), offset);
  }
  if (!s.sealed) return "preallocated space after the records";
  if (offset < s.footer_offset) return "bytes of records removed by truncate_after";
  if (offset < s.footer_offset + s.footer_bytes - 8) return "footer points";
  return "footer checksum";
}

}  // namespace

std::string region_of(const SweepLog& log, const std::string& name, std::uint64_t offset) {
  if (const SegmentLayout* s = log.segment_named(name)) {
    return std::string(s->newest ? "newest segment: " : "sealed segment: ") +
           segment_part(*s, offset);
  }
  if (name == "snapshot.bin") {
    if (offset < 48) return "snapshot.bin: header fields";
    if (offset < 56) return "snapshot.bin: header checksum";
    if (offset < 4096) return "snapshot.bin: header padding";
    return "snapshot.bin: data";
  }
  return name;  // state.json and cluster.json: every byte is one canonical document
}

Allowance allowance_for(const SweepLog& log, const std::string& name, std::uint64_t offset) {
  Allowance allowance;
  if (const SegmentLayout* s = log.segment_named(name)) {
    allowance.corrupt_first = s->first_index;
    allowance.corrupt_last = s->records.empty() ? s->first_index : s->records.back().index;
  } else {
    allowance.corrupt_first = 1;  // a meta file: no entry may read as corrupted
    allowance.corrupt_last = 0;
  }
  if (name != log.newest().name || offset < detail::kSegmentHeaderBytes) return allowance;
  allowance.in_newest_records = true;
  if (offset >= log.synced_end) {
    allowance.torn_floor = log.synced_last;
  } else if (offset >= log.durable_synced_end) {
    allowance.lag_floor = log.durable_synced_last;
  }
  return allowance;
}

// Header-page zeros and record padding were here until open checked the
// reserved bytes and verified reads checked the padding (both now
// corrupted): only redundant copies of the state remain.
const std::vector<AllowedRegion>& undetected_allow_list() {
  static const std::vector<AllowedRegion> list = {
      {"sealed segment: other state slot",
       "the previous state, kept for crash safety: the valid slot with the higher sequence is "
       "used, so damage to the other one is never read (it matters only if the current slot "
       "is lost too)"},
      {"newest segment: other state slot", "as for sealed segments"},
      {"newest segment: current state slot",
       "recovered from the redundant copy: the other slot (one sync older) takes over; its "
       "lower synced end only makes open's torn-tail judgement more lenient, and open re-scans "
       "and re-verifies every record of the unsealed segment anyway"},
  };
  return list;
}

const char* allowed_because(const std::string& region) {
  for (const AllowedRegion& a : undetected_allow_list()) {
    if (region == a.region) return a.why;
  }
  return nullptr;
}

}  // namespace seglog::sweep

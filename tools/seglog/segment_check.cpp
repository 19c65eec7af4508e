// tools/seglog/segment_check.cpp — one segment checked record by record
// (verify) or as far as stat needs (docs/cli.md, "verify": what is
// checked). Sealed segments: the slot against the file (as a writable open
// does, design.md "Open" step 4), every record, the footer and its points.
// Unsealed ones: the scan a writable open makes, judged by
// log/segment_scan.hpp.
#include "segment_check.hpp"

#include "format/segment_footer.hpp"
#include "record_reader.hpp"

#include <algorithm>

namespace seglog::tool {

namespace {

using detail::RecordCheck;
using detail::Verdict;

std::string slot_name(int slot) { return slot == 0 ? "A" : "B"; }

// What adopt_sealed requires of a sealed slot (design.md, "Open" step 4).
bool sealed_state_consistent(const SegmentHeader& h) {
  const detail::SegmentState& s = *h.state;
  const std::uint64_t first = h.identity->first_index;
  return s.end_offset >= detail::kSegmentHeaderBytes && s.footer_offset >= s.end_offset &&
         s.footer_offset % detail::kRecordAlignment == 0 && s.footer_offset <= h.file_bytes &&
         detail::footer_bytes(s.point_count) <= h.file_bytes - s.footer_offset &&
         s.last_index != UINT64_MAX && s.last_index + 1 >= first &&
         (s.last_index + 1 - first) <= (s.end_offset - detail::kSegmentHeaderBytes) / 32;
}

void note_cut(SegmentReport& r, std::uint64_t offset, std::uint64_t index) {
  if (!r.cut_offset) {
    r.cut_offset = offset;
    r.cut_index = index;
  }
}

// The walk's step over a valid record, and the progress hook told every
// 4 MiB.
class Step {
 public:
  explicit Step(const ProgressHook& progress) : progress_(progress) {}
  void over(const RecordAt& at, SegmentReport& r, std::uint64_t& pos, std::uint64_t& expected) {
    ++r.records;
    pos += at.record.bytes;
    ++expected;
    if (progress_ && pos - reported_ >= (4u << 20)) finish(pos);
  }
  void finish(std::uint64_t pos) {
    if (progress_ && pos > reported_) progress_(pos - reported_);
    reported_ = pos;
  }

 private:
  const ProgressHook& progress_;
  std::uint64_t reported_ = 0;
};

// Walks records [4096, limit) expecting consecutive indices from the first
// index; each damaged stretch is a finding, and the walk goes on at the
// next valid record. Calls `on_record` for each valid one.
template <class OnRecord>
Status walk_all(RecordReader& reader, const SegmentHeader& h, std::uint64_t limit, SegmentReport& r,
                std::uint64_t& pos, std::uint64_t& expected, const ProgressHook& progress,
                OnRecord on_record) {
  Step step(progress);
  while (pos < limit) {
    auto at = reader.at(pos, expected, limit);
    if (!at) return at.error();
    if (at->check == RecordCheck::ok) {
      on_record(*at);
      step.over(*at, r, pos, expected);
      continue;
    }
    const std::uint64_t bad_at = pos;
    const std::uint64_t bad_index = expected;
    note_cut(r, bad_at, bad_index);
    auto next = reader.find_after(
        pos,
        [&](std::uint64_t index) { return index >= expected && index - expected < (1u << 30); },
        limit);
    if (!next) return next.error();
    std::string message(detail::record_check_text(at->check));
    if (*next) {
      message += "; records resume at offset " + std::to_string((*next)->offset) + " with index " +
                 std::to_string((*next)->record.fields.index);
      if ((*next)->record.fields.index > expected) {
        message += " (indices " + std::to_string(expected) + ".." +
                   std::to_string((*next)->record.fields.index - 1) + " unreadable)";
      }
      pos = (*next)->offset;
      expected = (*next)->record.fields.index;
    } else {
      message += "; no valid record after it up to offset " + std::to_string(limit);
      pos = limit;
    }
    r.findings.damage("record", h.name, message, bad_at, bad_index);
  }
  step.finish(pos);
  return {};
}

Status check_sealed(const SegmentHeader& h, Depth depth, SegmentReport& r,
                    const ProgressHook& progress) {
  const detail::SegmentState& s = *h.state;
  const std::uint64_t first = h.identity->first_index;
  const int current = h.current_slot;
  if (!sealed_state_consistent(h)) {
    r.findings.damage("sealed_state", h.name,
                      "sealed state slot " + slot_name(current) +
                          " disagrees with the file (end, footer or last index out of bounds)",
                      detail::kSlotOffsets[current], std::nullopt);
    // Its records may still be whole: find where they end, for repair.
    auto reader = RecordReader::open(h.path, h.file_bytes, h.salt());
    if (!reader) return reader.error();
    std::uint64_t pos = detail::kSegmentHeaderBytes;
    std::uint64_t expected = first;
    for (;;) {
      auto at = reader->at(pos, expected, h.file_bytes);
      if (!at) return at.error();
      if (at->check != RecordCheck::ok) break;
      pos += at->record.bytes;
      ++expected;
    }
    r.last_index = expected - 1;
    r.records_end = pos;
    r.next_index = std::max(r.last_index + 1, r.start_index);
    note_cut(r, pos, expected);
    return {};
  }
  r.last_index = s.last_index;
  r.records_end = s.end_offset;
  r.next_index = std::max(s.last_index + 1, r.start_index);
  if (depth == Depth::headers) return {};

  auto reader = RecordReader::open(h.path, h.file_bytes, h.salt());
  if (!reader) return reader.error();
  // The footer first: its points are checked against the records' walk.
  std::vector<detail::SparsePoint> points;
  {
    auto bytes = reader->bytes(s.footer_offset, detail::footer_bytes(s.point_count));
    if (!bytes) return bytes.error();
    if (!detail::footer_valid(*bytes, s.point_count, h.salt())) {
      r.findings.damage("footer", h.name,
                        "footer of " + std::to_string(s.point_count) +
                            " sparse points fails its checksum (every read of this segment "
                            "fails)",
                        s.footer_offset, std::nullopt);
    } else {
      for (std::uint64_t i = 0; i < s.point_count; ++i) {
        points.push_back(detail::footer_point(*bytes, i));
      }
    }
  }
  std::size_t next_point = 0;
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  std::uint64_t expected = first;
  auto status =
      walk_all(*reader, h, s.end_offset, r, pos, expected, progress, [&](const RecordAt& at) {
        const std::uint64_t index = at.record.fields.index;
        if (index == r.start_index) r.first_term = at.record.fields.term;
        if (index == s.last_index) r.last_term = at.record.fields.term;
        while (next_point < points.size() && points[next_point].offset <= at.offset) {
          const detail::SparsePoint p = points[next_point];
          if (p.offset < at.offset || first + p.index_delta != index) {
            r.findings.damage("sparse_point", h.name,
                              "sparse point " + std::to_string(next_point) + " {index " +
                                  std::to_string(first + p.index_delta) + ", offset " +
                                  std::to_string(p.offset) + "} does not point at that record",
                              s.footer_offset + 8 * next_point, first + p.index_delta);
            note_cut(r, s.end_offset, s.last_index + 1);
          }
          ++next_point;
        }
      });
  if (!status) return status;
  r.bytes_checked = pos - detail::kSegmentHeaderBytes + detail::footer_bytes(s.point_count);
  if (r.findings.clean() && (pos != s.end_offset || expected != s.last_index + 1)) {
    r.findings.damage("sealed_state", h.name,
                      "records end at offset " + std::to_string(pos) + " after index " +
                          std::to_string(expected - 1) + ", but the state slot says offset " +
                          std::to_string(s.end_offset) + ", index " + std::to_string(s.last_index),
                      s.end_offset, s.last_index);
  }
  const auto damaged = [&r](const char* kind) {
    return std::any_of(r.findings.all().begin(), r.findings.all().end(), [&](const Finding& f) {
      return f.severity == Severity::damage && f.kind == kind;
    });
  };
  r.footer_only_damage = (damaged("footer") || damaged("sparse_point")) && !damaged("record") &&
                         !damaged("sealed_state") && !damaged("state_slot");
  if (!r.findings.clean()) note_cut(r, s.end_offset, s.last_index + 1);
  return {};
}

Status check_unsealed(const SegmentHeader& h, SegmentReport& r, const ProgressHook& progress) {
  const std::uint64_t first = h.identity->first_index;
  std::uint64_t bound = h.file_bytes;
  if (h.state && h.state->end_offset != 0) bound = std::min(bound, h.state->end_offset);
  const std::optional<std::uint64_t> synced_end =
      h.state ? std::optional<std::uint64_t>(h.state->synced_end) : std::nullopt;
  auto reader = RecordReader::open(h.path, h.file_bytes, h.salt());
  if (!reader) return reader.error();
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  std::uint64_t expected = first;
  Step step(progress);
  for (;;) {
    auto at = reader->at(pos, expected, bound);
    if (!at) return at.error();
    if (at->check == RecordCheck::ok) {
      if (expected == r.start_index) r.first_term = at->record.fields.term;
      r.last_term = at->record.fields.term;
      step.over(*at, r, pos, expected);
      continue;
    }
    bool next_found_ahead = false;
    if (detail::needs_look_ahead(at->check, synced_end) && expected != UINT64_MAX) {
      const std::uint64_t want = expected + 1;
      auto ahead = reader->find_after(
          pos, [want](std::uint64_t index) { return index == want; }, bound);
      if (!ahead) return ahead.error();
      next_found_ahead = ahead->has_value();
    }
    r.verdict = detail::judge_position(at->check, pos, synced_end, next_found_ahead);
    if (r.verdict == Verdict::clean_end) break;
    auto end = data_end(h.path, pos, h.file_bytes);
    if (!end) return end.error();
    r.tail_bytes = *end > pos ? *end - pos : 0;
    note_cut(r, pos, expected);
    const std::string what(detail::record_check_text(at->check));
    const std::string synced = synced_end
                                   ? "the durable synced end " + std::to_string(*synced_end)
                                   : std::string("no readable state slot; judged by looking ahead");
    if (r.verdict == Verdict::torn_tail) {
      r.findings.warning("torn_tail", h.name,
                         "torn tail: " + what + ", " + std::to_string(r.tail_bytes) +
                             " bytes from here are beyond " + synced +
                             " (an interrupted write, or a live writer's newest batch); a "
                             "writable open cuts them",
                         pos, expected);
    } else {
      r.findings.damage("record", h.name, what + " in synced data (" + synced + ")", pos, expected);
    }
    break;
  }
  step.finish(pos);
  r.bytes_checked = pos - detail::kSegmentHeaderBytes;
  r.last_index = expected - 1;
  r.records_end = pos;
  r.next_index = std::max(r.last_index + 1, r.start_index);
  if (r.last_index < r.start_index) r.last_term.reset();
  return {};
}

}  // namespace

Result<SegmentReport> check_segment(const SegmentHeader& h, Depth depth,
                                    const ProgressHook& progress) {
  SegmentReport r;
  const std::uint64_t first = h.identity->first_index;
  r.start_index = h.state && h.state->start_index != 0 ? h.state->start_index : first;
  for (int slot = 0; slot < 2; ++slot) {
    if (h.slot_written[slot] && !h.slot_valid[slot] && h.state) {
      r.findings.warning("state_slot", h.name,
                         "state slot " + slot_name(slot) + " fails its checksum; slot " +
                             slot_name(1 - slot) +
                             " is current (a state write a crash interrupted, or damage)",
                         detail::kSlotOffsets[slot], std::nullopt);
    }
  }
  if (!h.state) {
    r.findings.damage("state_slot", h.name,
                      "neither state slot is readable (a crash alone cannot do this): the "
                      "synced end is unknown",
                      detail::kSlotOffsets[0], std::nullopt);
  }
  Status status = h.sealed() ? check_sealed(h, depth, r, progress) : check_unsealed(h, r, progress);
  if (!status) return status.error();
  return r;
}

Result<std::optional<std::uint64_t>> term_in_segment(const SegmentHeader& h, std::uint64_t index) {
  const std::uint64_t first = h.identity->first_index;
  if (index < first) return std::optional<std::uint64_t>();
  auto reader = RecordReader::open(h.path, h.file_bytes, h.salt());
  if (!reader) return reader.error();
  std::uint64_t limit = h.file_bytes;
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  std::uint64_t at_index = first;
  if (h.sealed() && sealed_state_consistent(h)) {
    const detail::SegmentState& s = *h.state;
    limit = s.end_offset;
    auto bytes = reader->bytes(s.footer_offset, detail::footer_bytes(s.point_count));
    if (!bytes) return bytes.error();
    if (detail::footer_valid(*bytes, s.point_count, h.salt())) {
      // The last point at or before `index` (points ascend).
      std::uint64_t lo = 0;
      std::uint64_t hi = s.point_count;
      while (lo < hi) {
        const std::uint64_t mid = (lo + hi) / 2;
        if (first + detail::footer_point(*bytes, mid).index_delta <= index) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo > 0) {
        const detail::SparsePoint p = detail::footer_point(*bytes, lo - 1);
        pos = p.offset;
        at_index = first + p.index_delta;
      }
    }
  }
  while (at_index <= index) {
    auto at = reader->at(pos, at_index, limit);
    if (!at) return at.error();
    if (at->check != RecordCheck::ok) return std::optional<std::uint64_t>();
    if (at_index == index) return std::optional<std::uint64_t>(at->record.fields.term);
    pos += at->record.bytes;
    ++at_index;
  }
  return std::optional<std::uint64_t>();
}

Result<std::uint64_t> data_end(const fs::path& path, std::uint64_t from, std::uint64_t to) {
  auto file = detail::File::open(path, detail::File::Mode::read_only);
  if (!file) return file.error();
  std::vector<std::byte> chunk(1 << 20);
  std::uint64_t end = from;
  for (std::uint64_t at = from; at < to;) {
    const std::uint64_t want = std::min<std::uint64_t>(chunk.size(), to - at);
    auto got = file->read_upto(at, std::span<std::byte>(chunk.data(), want));
    if (!got) return got.error();
    for (std::uint64_t i = *got; i > 0; --i) {
      if (chunk[i - 1] != std::byte{0}) {
        end = at + i;
        break;
      }
    }
    if (*got < want) break;
    at += want;
  }
  return std::min(to, detail::align_up(end, detail::kRecordAlignment));
}

}  // namespace seglog::tool

// log/segment.cpp — a segment's identity, kept range and state-slot
// writes: publish, sync, seal, set_start_index, cut_after; and its
// invariants S1–S3 (docs/design.md, "Segments", "sync", "Roll" step 6,
// "truncate_after" step 4, "truncate_before" step 1).
#include "log/segment.hpp"

#include "errors.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace seglog::detail {

Segment::Segment(const Config& cfg, std::filesystem::path path, SegmentIdentity identity)
    : cfg_(cfg), path_(std::move(path)), identity_(identity), key_(identity.salt) {
  start_index_.store(identity.first_index, std::memory_order_relaxed);
  last_index_.store(identity.first_index - 1, std::memory_order_relaxed);
  writer_.start(identity.capacity, identity.index_interval_bytes, identity.first_index);
}

Error Segment::corrupted(std::uint64_t offset, std::uint64_t index, std::string_view what) const {
  std::string message(what);
  message += " in ";
  message += path_.string();
  message += " at offset " + std::to_string(offset);
  message += " (index " + std::to_string(index) + ")";
  return make_error(errc::corrupted, std::move(message));
}

void Segment::allocate_memory_points() {
  // Bounded by the file's real size, never by a header field alone.
  const std::uint64_t bytes = std::min(identity_.capacity, file_size());
  index_.allocate(bytes > kSegmentHeaderBytes ? bytes - kSegmentHeaderBytes : 0,
                  identity_.index_interval_bytes);
}

void Segment::publish() {
  write_staged();
  index_.publish(writer_.cursor().point_count);
  published_end_.store(writer_.appended_end(), std::memory_order_release);
  last_index_.store(writer_.last_appended(), std::memory_order_release);
}

SegmentState Segment::current_state_fields() const {
  SegmentState s = state_.value_or(SegmentState{});
  s.synced_end = writer_.synced_end();
  return s;
}

Status Segment::ensure_file_open() {
  if (file_.is_open()) return {};
  auto file = File::open(path_, File::Mode::read_write);
  if (!file) return file.error();
  file_ = std::move(*file);
  return {};
}

Status Segment::write_state(SegmentState state) {
  if (auto s = ensure_file_open(); !s) return s;
  state.sequence = (state_ ? state_->sequence : 0) + 1;
  std::array<std::byte, kSlotBytes> slot;
  encode_state(slot.data(), state, identity_.salt);
  // The slot lives in the header page: never over record bytes.
  if (auto s = file_.write_at(next_slot_offset(state.sequence), slot); !s) return s;
  state_ = state;
  return {};
}

Status Segment::sync() {
  if (!dirty()) return {};
  write_staged();  // publish() did, unless the caller appended since
  const std::uint64_t target = writer_.appended_end();
  // Step 1 of sync (design.md): the slot records the end of the *previous*
  // sync, which is already durable: a crash during this fdatasync can never
  // leave a slot that claims unsynced bytes.
  if (auto s = write_state(current_state_fields()); !s) return s;
  // Step 2: the runway, for a small sync.
  writer_.extend_runway(file_, target - writer_.synced_end());
  // Steps 3 and 4.
  if (auto s = file_.data_sync(); !s) return s;
  writer_.synced(target);
  return {};
}

Status Segment::seal() {
  if (sealed()) return {};
  write_staged();
  // No zeros may land over the footer, nor past the trimmed end.
  stop_prefault();
  const std::uint64_t first = identity_.first_index;
  const std::uint64_t last = writer_.last_appended();
  const std::uint64_t end = writer_.appended_end();
  const std::uint64_t count = index_.footer_points(writer_.cursor().point_count, last + 1 - first);
  // The footer goes above the high water, so bytes of records cut by
  // truncate_after (which readers may hold) are never overwritten.
  const std::uint64_t footer_offset = align_up(writer_.high_water(), kRecordAlignment);
  const auto& map = writer_.map();
  if (footer_offset + footer_bytes(count) > map->size()) {
    return corrupted(footer_offset, last,
                     "no room for the sparse-index footer (file shorter than its records)");
  }
  index_.encode_footer(map->data() + footer_offset, count, identity_.salt);
  map->unmap_pages(0, map->size());
  // Roll step 6a (design.md, "Roll"): records and footer durable.
  if (auto s = ensure_file_open(); !s) return s;
  if (auto s = file_.data_sync(); !s) return s;
  writer_.synced(end);
  // Step 6b: the state slot says sealed.
  SegmentState state = current_state_fields();
  state.sealed = true;
  state.end_offset = end;
  state.last_index = last;
  state.footer_offset = footer_offset;
  state.point_count = static_cast<std::uint32_t>(count);
  if (auto s = write_state(state); !s) return s;
  // The seal must be durable before the trim: a trim that lands without it
  // would leave a shorter unsealed file whose rescan finds cut records.
  if (auto s = file_.data_sync(); !s) return s;
  // Step 6c: trim the preallocated space after the footer. Its durability
  // only frees space; a crash before it leaves a longer sealed file.
  const std::uint64_t file_end = footer_offset + footer_bytes(count);
  if (auto s = file_.truncate(file_end); !s) return s;
  file_size_.store(file_end, std::memory_order_relaxed);
  index_.adopt_footer(footer_offset, count, true);
  sealed_.store(true, std::memory_order_release);
  file_.close();
  // Readers keep using the mapping through map_ until the cache evicts it.
  writer_.finish();
  evictable_.store(true, std::memory_order_release);
  check_invariants();
  return {};
}

void Segment::release_memory_points(const ExclusiveTableLock& lock) noexcept {
  assert(lock.owns_lock());
  (void)lock;
  if (sealed()) {
    index_.release();
    writer_.forget_points();
  }
}

Status Segment::set_start_index(std::uint64_t index) {
  SegmentState state = current_state_fields();
  state.start_index = index;
  if (auto s = write_state(state); !s) return s;
  // fdatasync covers the whole file: appended records become durable too.
  const std::uint64_t target = writer_.appended_end();
  if (auto s = file_.data_sync(); !s) return s;
  writer_.synced(target);
  start_index_.store(index, std::memory_order_release);
  check_invariants();
  return {};
}

Status Segment::cut_after(std::uint64_t index) {
  auto pinned = pin();
  if (!pinned) return pinned.error();
  auto offset = find_offset((*pinned)->data(), index + 1);
  if (!offset) return offset.error();
  // Readers see the shorter range at once; the bytes stay untouched.
  last_index_.store(index, std::memory_order_release);
  published_end_.store(*offset, std::memory_order_release);
  if (!sealed()) {
    // The caller seals it: the seal's footer goes above the high water,
    // over none of the bytes cut here.
    writer_.reset_to(*offset, index, false);
    return {};
  }
  SegmentState state = current_state_fields();
  state.end_offset = *offset;
  state.last_index = index;
  state.synced_end = *offset;
  if (auto s = write_state(state); !s) return s;
  if (auto s = file_.data_sync(); !s) return s;
  writer_.reset_to(*offset, index, true);
  check_invariants();
  return {};
}

// ---- invariants (design.md, "Segments") -----------------------------------

std::string segment_invariant_broken(const SegmentFacts& f) {
  const auto say = [](const char* text) { return std::string(text); };
  // S1: the published records lie in the file, below every end written
  // after them, and hold at least one header per index.
  if (f.published_end < kSegmentHeaderBytes || f.published_end > f.appended_end ||
      f.appended_end > f.high_water || f.high_water > f.capacity) {
    return say(
        "S1: the ends are out of order (header <= published <= appended <= high water "
        "<= capacity)");
  }
  if (f.last_index + 1 < f.first_index) return say("S1: last index below first index - 1");
  if (f.last_index + 1 - f.first_index >
      (f.published_end - kSegmentHeaderBytes) / kRecordHeaderBytes) {
    return say("S1: more indices than the published records can hold");
  }
  // S2.
  if (f.start_index < f.first_index) return say("S2: start index below first index");
  if (f.state && f.state->start_index != 0 && f.state->start_index != f.start_index) {
    return say("S2: the state slot's start index is not the segment's");
  }
  // S3.
  if (f.sealed) {
    if (!f.state || !f.state->sealed) return say("S3: sealed, but the state slot is not");
    if (f.state->end_offset != f.published_end || f.state->last_index != f.last_index) {
      return say("S3: the sealed state slot does not describe the kept records");
    }
    if (f.footer_offset < f.published_end || f.footer_offset % kRecordAlignment != 0 ||
        f.footer_offset != f.state->footer_offset || f.footer_count != f.state->point_count ||
        f.footer_offset + footer_bytes(f.footer_count) > f.file_size) {
      return say("S3: the footer is not where the sealed state slot says, or past the file");
    }
  }
  return {};
}

SegmentFacts Segment::facts() const {
  SegmentFacts f;
  f.first_index = identity_.first_index;
  f.start_index = start_index();
  f.last_index = last_index();
  f.published_end = published_end();
  f.appended_end = writer_.appended_end();
  f.high_water = writer_.high_water();
  f.capacity = identity_.capacity;
  f.file_size = file_size();
  f.sealed = sealed();
  f.state = state_;
  f.footer_offset = index_.footer_offset();
  f.footer_count = index_.footer_count();
  return f;
}

#ifndef NDEBUG
void Segment::check_invariants() const {
  if (unassigned()) return;  // a spare: no range yet
  if (const std::string broken = segment_invariant_broken(facts()); !broken.empty()) {
    std::fprintf(stderr, "seglog: invariant broken in %s: %s\n", path_.c_str(), broken.c_str());
    std::abort();
  }
}
#endif

}  // namespace seglog::detail

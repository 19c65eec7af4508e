// log/segment.cpp — one segment file (docs/design.md, "Segments").
#include "log/segment.hpp"

#include "errors.hpp"
#include "format/file_names.hpp"
#include "log/mapping_cache.hpp"
#include "log/sparse_index.hpp"
#include "range_read.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdio>
#include <new>
#include <random>

namespace seglog::detail {
namespace {

std::uint64_t random_salt() {
  std::random_device device;
  std::uint64_t salt = 0;
  while (salt == 0) {
    salt = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  return salt;
}

// A read-only handle's view of `path` is out of date (design.md, "Read-only
// opens beside a live writer"): retryable by reopening.
Error stale_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(errc::stale, "segment " + path.string() + " " + std::string(what) +
                                     " by the writer since this read-only handle read it; "
                                     "reopen to see the log as it is now");
}

}  // namespace

Segment::Segment(const Config& cfg, std::filesystem::path path,
                 SegmentIdentity identity)
    : cfg_(cfg), path_(std::move(path)), identity_(identity), key_(identity.salt) {
  start_index_.store(identity.first_index, std::memory_order_relaxed);
  last_index_.store(identity.first_index - 1, std::memory_order_relaxed);
  pending_last_ = identity.first_index - 1;
  cursor_.capacity = identity.capacity;
  cursor_.interval = std::max<std::uint32_t>(identity.index_interval_bytes, 1);
}

std::uint64_t Segment::next_index() const noexcept {
  return std::max(last_index() + 1, start_index());
}

Error Segment::corrupted(std::uint64_t offset, std::uint64_t index,
                         std::string_view what) const {
  std::string message(what);
  message += " in ";
  message += path_.string();
  message += " at offset " + std::to_string(offset);
  message += " (index " + std::to_string(index) + ")";
  return make_error(errc::corrupted, std::move(message));
}

void Segment::allocate_memory_points() {
  const std::uint64_t interval = std::max<std::uint64_t>(identity_.index_interval_bytes, 1);
  // Bounded by the file's real size, never by a header field alone.
  const std::uint64_t bytes = std::min(identity_.capacity, file_size());
  memory_point_capacity_ =
      (bytes > kSegmentHeaderBytes ? bytes - kSegmentHeaderBytes : 0) / interval + 2;
  memory_points_ = std::make_unique<SparsePoint[]>(memory_point_capacity_);
  recent_offsets_ = std::make_unique<std::atomic<std::uint32_t>[]>(kRecentRecords);
}

// ---- creation -------------------------------------------------------------

Result<std::shared_ptr<Segment>> Segment::prepare(const Config& cfg,
                                                  std::uint64_t first_index,
                                                  std::uint64_t capacity,
                                                  std::uint64_t salt) {
  SegmentIdentity identity;
  identity.first_index = first_index;
  identity.salt = salt != 0 ? salt : random_salt();
  identity.capacity = capacity;
  identity.index_interval_bytes = cfg.index_interval_bytes;
  std::filesystem::path temp_path = cfg.dir / segment_name(first_index);
  temp_path += std::string(kTempSuffix);
  return create(cfg, identity, temp_path);
}

Result<std::shared_ptr<Segment>> Segment::prepare_spare(const Config& cfg,
                                                        std::uint64_t capacity) {
  SegmentIdentity identity;
  identity.first_index = 0;
  identity.salt = random_salt();
  identity.capacity = capacity;
  identity.index_interval_bytes = cfg.index_interval_bytes;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx%s", static_cast<unsigned long long>(identity.salt),
                kSpareSuffix.data());
  auto spare = create(cfg, identity, cfg.dir / name);
  // The first stores after the roll that takes this spare find their pages
  // in the page cache (zero-filled here, not in the writer's store). Read,
  // not write: dirty zeros would be written by the segment's next sync.
  // Twice the streaming mark: by then a streaming writer's own windows
  // (claim_prefault_window) have taken over; more would only be zeroing
  // that competes with readers for memory bandwidth.
  if (spare) {
    (*spare)->writable_map_->populate_read(kSegmentHeaderBytes, 2 * kPrefaultStreaming);
  }
  return spare;
}

void Segment::assign(std::uint64_t first_index) noexcept {
  identity_.first_index = first_index;
  start_index_.store(first_index, std::memory_order_relaxed);
  last_index_.store(first_index - 1, std::memory_order_relaxed);
  pending_last_ = first_index - 1;
  // Sector 0 holds the whole identity: a crash leaves the old or the new.
  encode_identity(writable_map_->data(), identity_);
}

Result<std::shared_ptr<Segment>> Segment::create(const Config& cfg, SegmentIdentity identity,
                                                 const std::filesystem::path& temp_path) {
  const std::uint64_t capacity = identity.capacity;
  auto file = File::open(temp_path, File::Mode::create_or_truncate);
  if (!file) return file.error();
  std::shared_ptr<Segment> segment(new Segment(cfg, temp_path, identity));
  segment->file_ = std::move(*file);
  segment->writable_ = true;
  segment->temp_ = true;
  auto fail = [&](Error error) -> Result<std::shared_ptr<Segment>> {
    segment->file_.close();
    (void)detail::remove_file(temp_path);
    return error;
  };
  // Step 1 of a roll (design.md): allocate every block now, so a full disk
  // is no_space here and never SIGBUS on a later store into the mapping.
  if (auto s = segment->file_.preallocate(capacity); !s) return fail(s.error());
  std::array<std::byte, kSegmentHeaderBytes> page{};
  encode_identity(page.data(), identity);
  SegmentState state;
  state.sequence = 1;
  state.synced_end = kSegmentHeaderBytes;
  encode_state(page.data() + next_slot_offset(state.sequence), state, identity.salt);
  if (auto s = segment->file_.write_at(0, page); !s) return fail(s.error());
  if (auto s = segment->file_.data_sync(); !s) return fail(s.error());
  segment->state_ = state;
  segment->file_size_.store(capacity, std::memory_order_relaxed);
  auto map = MappedFile::map(temp_path, MappedFile::Access::read_write, capacity);
  if (!map) return fail(map.error());
  segment->writable_map_ = *map;
  segment->map_ = *map;
  segment->map_ready_.store(true, std::memory_order_release);
  segment->evictable_.store(false, std::memory_order_release);
  segment->allocate_memory_points();
  return segment;
}

Status Segment::install() {
  std::filesystem::path final_path = cfg_.dir / segment_name(identity_.first_index);
  // Replaces an empty segment of the same name atomically, if there is one.
  if (auto s = rename_file(path_, final_path); !s) return s;
  if (file_.is_open()) file_.renamed(final_path);
  path_ = std::move(final_path);
  temp_ = false;
  return {};
}

// ---- opening ----------------------------------------------------------------

Result<std::shared_ptr<Segment>> Segment::open_existing(
    const Config& cfg, const std::filesystem::path& path,
    std::uint64_t name_index, bool writable) {
  auto file = File::open(path, writable ? File::Mode::read_write : File::Mode::read_only);
  if (!file) {
    // Listed a moment ago: the writer removed it (truncate_before's unlinks,
    // truncate_after, a rewrite) while this read-only open was reading.
    if (!writable && file.error() == errc::not_found) return stale_error(path, "was removed");
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  if (*size < kSegmentHeaderBytes) {
    return make_error(errc::corrupted, "segment " + path.string() + " is " +
                                           std::to_string(*size) +
                                           " bytes, shorter than its header");
  }
  std::array<std::byte, kSegmentHeaderBytes> page;
  if (auto s = file->read_at(0, page); !s) return s.error();
  auto identity = decode_identity(page.data());
  if (!identity) {
    return make_error(errc::corrupted, "segment header of " + path.string() +
                                           " at offset 0 fails its checksum");
  }
  if (identity->first_index != name_index && identity->first_index != 0) {
    return make_error(errc::corrupted,
                      "segment " + path.string() + " holds first index " +
                          std::to_string(identity->first_index) + ", not the " +
                          std::to_string(name_index) + " its name says");
  }
  if (*size > identity->capacity) {
    // Files only ever shrink from their capacity (the trim of a seal).
    return make_error(errc::corrupted, "segment " + path.string() + " is " +
                                           std::to_string(*size) +
                                           " bytes, larger than the capacity its header states");
  }
  if (const auto at = reserved_byte_set(page.data())) {
    return make_error(errc::corrupted, "segment header of " + path.string() +
                                           " has a non-zero reserved byte at offset " +
                                           std::to_string(*at));
  }
  std::shared_ptr<Segment> segment(new Segment(cfg, path, *identity));
  segment->state_ = current_state(page.data(), identity->salt);
  segment->file_size_.store(*size, std::memory_order_relaxed);
  segment->writable_ = writable;
  // A read-only open scans an unsealed segment through this very
  // descriptor (Segment::scan): the file whose header was just read, even
  // if the writer unlinks it and creates another of the same name.
  const bool will_scan = !(segment->state_ && segment->state_->sealed);
  if (writable || will_scan) segment->file_ = std::move(*file);
  return segment;
}

Status Segment::adopt_sealed() {
  const SegmentState& s = *state_;
  const std::uint64_t first = identity_.first_index;
  const bool consistent =
      s.sealed && s.end_offset >= kSegmentHeaderBytes && s.footer_offset >= s.end_offset &&
      s.footer_offset % kRecordAlignment == 0 && s.footer_offset <= file_size() &&
      footer_bytes(s.point_count) <= file_size() - s.footer_offset &&
      // UINT64_MAX is never a stored index (the facade refuses it): the
      // next index after it could not be represented.
      s.last_index != UINT64_MAX && s.last_index + 1 >= first &&
      (s.last_index + 1 - first) <= (s.end_offset - kSegmentHeaderBytes) / kRecordHeaderBytes;
  if (!consistent) {
    return corrupted(next_slot_offset(s.sequence + 1), first,
                     "sealed segment state disagrees with the file");
  }
  records_end_.store(s.end_offset, std::memory_order_relaxed);
  last_index_.store(s.last_index, std::memory_order_relaxed);
  if (s.start_index != 0) start_index_.store(s.start_index, std::memory_order_relaxed);
  footer_offset_ = s.footer_offset;
  footer_point_count_ = s.point_count;
  cursor_.end = high_water_ = durable_end_ = s.end_offset;
  pending_last_ = s.last_index;
  sealed_.store(true, std::memory_order_release);
  // One descriptor per segment would exhaust the limit on a long log; a
  // sealed segment reopens its file only for a rare state write.
  file_.close();
  return {};
}

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
    writable_map_ = map;
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
  map_ = map;
  map_ready_.store(true, std::memory_order_release);
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
  // The synced end is known when a state slot is readable. Otherwise
  // damage is judged by looking ahead (design.md, "Torn tail or corruption").
  const bool synced_known = state_.has_value();
  const std::uint64_t synced_end = synced_known ? state_->synced_end : kSegmentHeaderBytes;

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
    const RecordStatus status = decode_record(base + pos, bound - pos, key_, true, record);
    // A record of index UINT64_MAX (crafted, or from a version that took
    // one) is out of sequence: next_index() after it would wrap to 0.
    if (status == RecordStatus::ok && record.fields.index == expected && expected != UINT64_MAX) {
      add_record(expected, record.bytes);
      pos += record.bytes;
      ++expected;
      continue;
    }
    bool damage_is_synced = pos < synced_end;
    if (!synced_known && status != RecordStatus::end) {
      // Look ahead: a valid later record means acknowledged data lies
      // behind the damage.
      for (std::uint64_t q = pos + kRecordAlignment; q + kRecordHeaderBytes <= bound;
           q += kRecordAlignment) {
        if (auto s = readable(q, kRecordHeaderBytes, bound); !s) return s.error();
        if (const std::uint64_t n = peek_record_bytes(base + q, bound - q); n != 0) {
          if (auto s = readable(q, n, bound); !s) return s.error();
        }
        DecodedRecord later;
        if (decode_record(base + q, bound - q, key_, true, later) ==
                RecordStatus::ok &&
            later.fields.index > expected && later.fields.index <= expected + 1) {
          damage_is_synced = true;
          break;
        }
      }
    }
    if (status == RecordStatus::end && !damage_is_synced) break;  // clean end
    if (damage_is_synced && !tolerate_corruption) {
      return corrupted(pos, expected,
                       status == RecordStatus::ok ? "record out of sequence"
                                                  : "invalid record in synced data");
    }
    result.damaged = damage_is_synced;
    if (status != RecordStatus::end) {
      result.torn = !damage_is_synced;
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
  durable_end_ = pos;
  publish();
  result.records_end = pos;
  result.last_index = expected - 1;
  return result;
}

// A reader that lost a race with truncate_after sees the published end move
// below the record it walks to: that is out_of_range, not damage. The
// writer lowers last_index_ before records_end_, so a reader that saw the
// lower end sees the lower last index too.
Error Segment::truncated_meanwhile(std::uint64_t index, Error error) const {
  if (index > last_index()) {
    return make_error(errc::out_of_range, "index " + std::to_string(index) +
                                              " was truncated from " + path_.string());
  }
  return error;
}

// ---- reads ------------------------------------------------------------------

bool Segment::mapped() const {
  std::lock_guard lock(map_mu_);
  return map_ != nullptr;
}

std::shared_ptr<const MappedFile> Segment::drop_mapping() noexcept {
  if (!evictable_.load(std::memory_order_acquire)) return nullptr;  // active: stays mapped
  std::lock_guard lock(map_mu_);
  map_ready_.store(false, std::memory_order_relaxed);
  return std::move(map_);
}

Result<std::shared_ptr<const MappedFile>> Segment::pin_shared() const {
  if (map_ready_.load(std::memory_order_acquire)) return map_;
  return pin();
}

Result<std::shared_ptr<const MappedFile>> Segment::pin() const {
  std::shared_ptr<const MappedFile> map;
  {
    std::lock_guard lock(map_mu_);
    if (map_) return map_;
    auto mapped = writable_ ? MappedFile::map(path_, MappedFile::Access::read_only, 0)
                            : map_beside_writer();
    if (!mapped) return mapped.error();
    if (sealed() && !footer_verified_.load(std::memory_order_acquire)) {
      const std::uint64_t size = (*mapped)->size();
      if (footer_offset_ + footer_bytes(footer_point_count_) > size ||
          !footer_valid((*mapped)->data() + footer_offset_, footer_point_count_,
                        identity_.salt)) {
        return corrupted(footer_offset_, identity_.first_index,
                         "sparse-index footer fails its checksum");
      }
      footer_verified_.store(true, std::memory_order_release);
    }
    map_ = *mapped;
    map_ready_.store(true, std::memory_order_release);
    map = map_;
  }
  if (cfg_.cache != nullptr) {
    cfg_.cache->note_mapped(std::const_pointer_cast<Segment>(shared_from_this()));
  }
  return map;
}

// A read-only handle maps only sealed segments (an unsealed one holds the
// private copy its scan made, never dropped), and only the file its open
// saw: the writer may have unlinked it (truncate_before, truncate_after,
// a rewrite) and created another of the same name — an active segment it
// will trim at its seal. The identity in the header page, read from the
// descriptor that is then mapped, tells them apart (every segment file gets
// a random salt; a rewrite keeps its source's salt but has another name).
// The same sealed file never shrinks below its footer's end (a seal's trim
// may land after the open read its sealed slot, not lower), so mapping up
// to that end never reaches past the file.
Result<std::shared_ptr<MappedFile>> Segment::map_beside_writer() const {
  if (!sealed()) {
    return make_error(errc::io_error, "read-only handle has no copy of unsealed segment " +
                                          path_.string());
  }
  const std::uint64_t needed = footer_offset_ + footer_bytes(footer_point_count_);
  auto check = [&](std::span<const std::byte> head,
                   std::uint64_t size) -> Result<std::uint64_t> {
    const auto identity = head.size() >= kSegmentHeaderBytes
                              ? decode_identity(head.data())
                              : std::optional<SegmentIdentity>();
    if (!identity || identity->salt != identity_.salt ||
        identity->first_index != identity_.first_index) {
      return stale_error(path_, "was replaced");
    }
    if (size < needed) {
      return corrupted(footer_offset_, identity_.first_index,
                       "sealed segment shorter than its footer's end");
    }
    return needed;
  };
  auto mapped = MappedFile::map_checked(path_, kSegmentHeaderBytes, check);
  if (!mapped && mapped.error() == errc::not_found) return stale_error(path_, "was removed");
  return mapped;
}

// The walk from a sparse point reads one record header after another, each
// a cache miss that waits for the one before (a cold read is mostly that:
// docs/performance.md). Records of a Raft log are mostly of one size, so
// the headers are guessed at the average spacing of the records between
// this point and the next, and fetched all at once; the walk itself still
// checks every size and index, so a wrong guess only costs the fetches.
void Segment::prefetch_walk(const std::byte* base, const WalkStart& start,
                            std::uint64_t offset, std::uint64_t steps,
                            std::uint64_t bound) noexcept {
  if (!start.has_next || start.next.index_delta <= start.point.index_delta ||
      start.next.offset <= start.point.offset) {
    return;
  }
  const std::uint64_t spacing = (start.next.offset - start.point.offset) /
                                (start.next.index_delta - start.point.index_delta);
  constexpr std::uint64_t kMaxLines = 32;
  constexpr std::uint64_t kSizeAndIndex = 8;  // header bytes 8..24 (docs/format.md)
  std::uint64_t last_line = UINT64_MAX;
  std::uint64_t lines = 0;
  // The headers on the way, then the target record's own lines.
  const std::uint64_t target = offset + steps * spacing;
  const std::uint64_t end = std::min(bound, target + spacing);
  for (std::uint64_t at = offset + kSizeAndIndex; at < end && lines < kMaxLines;
       at += at < target ? spacing : 64) {
    const std::uint64_t line = at / 64;
    if (line == last_line) continue;
    __builtin_prefetch(base + at);
    last_line = line;
    ++lines;
  }
}

// Where the record of `index` would be if every record had the segment's
// average size: that line is fetched now, while the sparse-point search
// below waits for its own miss. A Raft log's records are mostly one size,
// so the guess usually lands, and the record's miss overlaps the points'
// instead of following it. A wrong guess costs one fetch: the walk checks
// every size and index. (Fetching the walk's headers too, up to 24 lines,
// made cold reads slower: the fetches queued ahead of the points' miss.)
void Segment::prefetch_guess(const std::byte* base, std::uint64_t index,
                             std::uint64_t bound) const noexcept {
  const std::uint64_t first = identity_.first_index;
  const std::uint64_t last = last_index();
  if (index < first || last < index || bound <= kSegmentHeaderBytes) return;
  const std::uint64_t spacing = (bound - kSegmentHeaderBytes) / (last - first + 1);
  const std::uint64_t target = kSegmentHeaderBytes + (index - first) * spacing;
  if (target < bound) __builtin_prefetch(base + target);
}

Result<std::uint64_t> Segment::find_offset(const std::byte* base,
                                           std::uint64_t index) const {
  const std::uint64_t first = identity_.first_index;
  const std::uint64_t bound = records_end();
  if (recent_offsets_) {
    const std::uint64_t offset =
        recent_offsets_[(index - first) % kRecentRecords].load(std::memory_order_relaxed);
    if (offset >= kSegmentHeaderBytes && offset + kRecordHeaderBytes <= bound &&
        peek_record_index(base + offset) == index) {
      return offset;
    }
  }
  prefetch_guess(base, index, bound);
  WalkStart start;
  if (memory_points_) {
    const SparsePoint* points = memory_points_.get();
    start = floor_point(memory_point_count_.load(std::memory_order_acquire), index - first,
                        [points](std::uint64_t i) { return points[i]; });
  } else if (footer_point_count_ != 0) {
    const std::byte* footer = base + footer_offset_;
    start = floor_point(footer_point_count_, index - first,
                        [footer](std::uint64_t i) { return footer_point(footer, i); });
  }
  std::uint64_t offset = start.found ? start.point.offset : kSegmentHeaderBytes;
  std::uint64_t at = start.found ? first + start.point.index_delta : first;
  if (offset < kSegmentHeaderBytes || offset >= bound) {
    return corrupted(offset, at, "sparse-index point outside the records");
  }
  if (at < index) prefetch_walk(base, start, offset, index - at, bound);
  while (at < index) {
    const std::uint64_t bytes = peek_record_bytes(base + offset, bound - offset);
    if (bytes == 0 || peek_record_index(base + offset) != at) {
      return corrupted(offset, at, "record size or index mismatch");
    }
    offset += bytes;
    ++at;
  }
  return offset;
}

Status Segment::locate(std::uint64_t index, EntryView& out) const {
  // pin_shared, written out: pinning straight into the view saves the
  // Result around the pointer (about 1 ns of a 28 ns hot read, measured).
  const MappedFile* mapping = nullptr;
  if (map_ready_.load(std::memory_order_acquire)) {
    EntryViewCursor::pin(out, map_);
    mapping = map_.get();
  } else {
    auto pinned = pin();
    if (!pinned) return pinned.error();
    EntryViewCursor::pin(out, *pinned);
    mapping = pinned->get();
  }
  if (index < identity_.first_index || index > last_index()) {
    return make_error(errc::out_of_range,
                      "index " + std::to_string(index) + " is not in " + path_.string());
  }
  const std::byte* base = mapping->data();
  auto offset = find_offset(base, index);
  if (!offset) return truncated_meanwhile(index, offset.error());
  DecodedRecord record;
  const RecordStatus status = decode_record(base + *offset, records_end() - *offset, key_,
                                            cfg_.verify_checksums, record);
  if (status != RecordStatus::ok || record.fields.index != index) {
    return truncated_meanwhile(index, corrupted(*offset, index, "record fails its checksum"));
  }
  EntryViewCursor::point(out, index, record.fields.term, record.fields.type, record.payload);
  return {};
}

Result<Segment::VisitStart> Segment::start_visit(std::uint64_t from, std::uint64_t to) const {
  auto pinned = pin_shared();
  if (!pinned) return pinned.error();
  to = std::min(to, last_index());
  if (from < identity_.first_index || from > to) {
    return make_error(errc::out_of_range,
                      "index " + std::to_string(from) + " is not in " + path_.string());
  }
  auto offset = find_offset((*pinned)->data(), from);
  if (!offset) return truncated_meanwhile(from, offset.error());
  return VisitStart{std::move(*pinned), from, to, *offset, records_end()};
}

Result<bool> Segment::visit(const VisitStart& start, const Visitor& visitor) const {
  const std::byte* base = start.pin->data();
  const std::uint64_t bound = start.bound;
  std::uint64_t at = start.offset;
  // The records ahead are fetched before the checksum needs them: the
  // hardware prefetcher stops at every 4 KiB page, where the hash would
  // wait for memory again.
  constexpr std::uint64_t kFetchAhead = 2048;
  std::uint64_t fetched = at;
  for (std::uint64_t index = start.from; index <= start.to; ++index) {
    for (const std::uint64_t want = std::min(bound, at + kFetchAhead); fetched < want;
         fetched += 64) {
      __builtin_prefetch(base + fetched);
    }
    DecodedRecord record;
    if (decode_record(base + at, bound - at, key_, cfg_.verify_checksums,
                      record) != RecordStatus::ok ||
        record.fields.index != index) {
      return truncated_meanwhile(index, corrupted(at, index, "record fails its checksum"));
    }
    if (!visitor(record, start.pin)) return true;
    at += record.bytes;
  }
  return false;
}

// ---- writes -------------------------------------------------------------------

bool Segment::accepts(std::uint64_t index) const noexcept {
  return writable_map_ != nullptr && !sealed() && index == pending_last_ + 1 &&
         index >= start_index();
}

// Moves the cursor past the record of `index` at the cursor, giving it a
// sparse point where the cursor says so.
void Segment::add_record(std::uint64_t index, std::uint64_t bytes) noexcept {
  const std::uint64_t offset = cursor_.end;
  const std::uint64_t slot = cursor_.point_count;
  if (cursor_.advance(bytes) && slot < memory_point_capacity_) {
    memory_points_[slot] = {static_cast<std::uint32_t>(index - identity_.first_index),
                            static_cast<std::uint32_t>(offset)};
  }
  recent_offsets_[(index - identity_.first_index) % kRecentRecords].store(
      static_cast<std::uint32_t>(offset), std::memory_order_relaxed);
  high_water_ = std::max(high_water_, cursor_.end);
  pending_last_ = index;
}

void Segment::append(const LogEntry& entry) {
  const std::uint64_t bytes = record_bytes(entry.data.size());
  encode_record(record_destination(bytes), key_, {entry.index, entry.term, entry.type},
                entry.data);
  add_record(entry.index, bytes);
}

std::byte* Segment::record_destination(std::uint64_t bytes) {
  if (staged_bytes_ > 0 && staged_bytes_ + bytes > kStagingBytes) write_staged();
  if (staged_bytes_ == 0) {
    const bool streaming = cursor_.end - durable_end_ >= kPrefaultStreaming;
    // Allocated mid-batch: without memory the record goes to the mapping
    // rather than an exception leaving the batch half encoded.
    if (streaming || bytes > kStagingBytes || !allocate_staging()) {
      await_prefault(cursor_.end, cursor_.end + bytes);
      return writable_map_->data() + cursor_.end;
    }
    staged_from_ = cursor_.end;
  }
  std::byte* out = staging_.get() + staged_bytes_;
  staged_bytes_ += bytes;
  return out;
}

bool Segment::allocate_staging() noexcept {
  if (!staging_) staging_.reset(new (std::nothrow) std::byte[kStagingBytes]);
  return staging_ != nullptr;
}

void Segment::write_staged() {
  if (staged_bytes_ == 0) return;
  const std::span<const std::byte> bytes(staging_.get(), staged_bytes_);
  staged_bytes_ = 0;
  await_prefault(staged_from_, staged_from_ + bytes.size());
  if (ensure_file_open() && file_.write_at(staged_from_, bytes)) return;
  std::memcpy(writable_map_->data() + staged_from_, bytes.data(), bytes.size());
}

std::shared_ptr<Prefault> Segment::claim_prefault_window() {
  // Only for a writer that streams: the pages become dirty zeros, which
  // the next fdatasync writes too. A writer that syncs every small batch
  // would pay for writing the window at its next sync.
  if (!writable_map_ || sealed() || cursor_.end - durable_end_ < kPrefaultStreaming) {
    return nullptr;
  }
  const std::uint64_t limit = writable_map_->size();
  const std::uint64_t from = std::max(prefault_ ? prefault_->claimed_end() : 0, cursor_.end);
  // Whole chunks (Prefault::kChunk), or up to the end of the file.
  const std::uint64_t ahead = cursor_.end + kPrefaultAhead;
  const std::uint64_t to = std::min(ahead / kPrefaultStep * kPrefaultStep, limit);
  if (to <= from || (to - from < kPrefaultStep && to < limit)) return nullptr;
  if (!prefault_) {
    // Its own descriptor: the task may outlive this segment's file_.
    auto file = File::open(path_, File::Mode::read_write);
    if (!file) return nullptr;  // the writer faults its pages itself
    prefault_ = std::make_shared<Prefault>(std::move(*file), writable_map_, from);
  }
  prefault_->extend(from, to);
  return prefault_;
}

void Segment::stop_prefault() noexcept {
  if (!prefault_) return;
  prefault_->stop();
  prefault_.reset();
}

void Segment::publish() {
  write_staged();
  memory_point_count_.store(cursor_.point_count, std::memory_order_release);
  records_end_.store(cursor_.end, std::memory_order_release);
  last_index_.store(pending_last_, std::memory_order_release);
}

SegmentState Segment::current_state_fields() const {
  SegmentState s = state_.value_or(SegmentState{});
  s.synced_end = durable_end_;
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
  const std::uint64_t target = cursor_.end;
  // The slot records the end of the *previous* sync, which is already
  // durable: a crash during this fdatasync can never leave a slot that
  // claims unsynced bytes (design.md, "sync").
  if (auto s = write_state(current_state_fields()); !s) return s;
  extend_runway(target - durable_end_);
  if (auto s = file_.data_sync(); !s) return s;
  durable_end_ = target;
  return {};
}

void Segment::extend_runway(std::uint64_t batch_bytes) {
  if (batch_bytes > kRunwayMaxBatch || !writable_map_) return;
  // Never over a byte written before: every byte ever written lies below
  // high_water_ (records cut by truncate_after included).
  if (runway_end_ >= high_water_ + 2 * batch_bytes) return;
  const std::uint64_t from = std::max(runway_end_, align_up(high_water_, 4096));
  const std::uint64_t to =
      std::min(align_up(from + kRunwaySyncs * batch_bytes, 4096), writable_map_->size());
  if (to <= from) return;
  // A failure costs only the speed-up: the sync after it reports a disk
  // that fails.
  if (file_.write_zeros(from, to - from)) runway_end_ = to;
}

Status Segment::seal() {
  if (sealed()) return {};
  write_staged();
  // No zeros may land over the footer, nor past the trimmed end.
  stop_prefault();
  const std::uint64_t first = identity_.first_index;
  const std::uint64_t last = pending_last_;
  std::uint64_t count = std::min(cursor_.point_count, memory_point_capacity_);
  while (count > 0 && first + memory_points_[count - 1].index_delta > last) --count;
  // The footer goes after every byte ever written, so bytes of records cut
  // by truncate_after (which readers may hold) are never overwritten.
  const std::uint64_t footer_offset = align_up(high_water_, kRecordAlignment);
  if (footer_offset + footer_bytes(count) > writable_map_->size()) {
    return corrupted(footer_offset, last,
                     "no room for the sparse-index footer (file shorter than its records)");
  }
  encode_footer(writable_map_->data() + footer_offset, memory_points_.get(), count,
                identity_.salt);
  // Step 1 of seal (design.md): records and footer durable.
  if (auto s = ensure_file_open(); !s) return s;
  if (auto s = file_.data_sync(); !s) return s;
  durable_end_ = cursor_.end;
  // Step 2: the state slot says sealed.
  SegmentState state = current_state_fields();
  state.sealed = true;
  state.end_offset = cursor_.end;
  state.last_index = last;
  state.footer_offset = footer_offset;
  state.point_count = static_cast<std::uint32_t>(count);
  if (auto s = write_state(state); !s) return s;
  // The seal must be durable before the trim: a trim that lands without it
  // would leave a shorter unsealed file whose rescan finds cut records.
  if (auto s = file_.data_sync(); !s) return s;
  // Step 3: trim the preallocated space after the footer. Its durability
  // only frees space; a crash before it leaves a longer sealed file.
  const std::uint64_t file_end = footer_offset + footer_bytes(count);
  if (auto s = file_.truncate(file_end); !s) return s;
  file_size_.store(file_end, std::memory_order_relaxed);
  footer_offset_ = footer_offset;
  footer_point_count_ = count;
  footer_verified_.store(true, std::memory_order_release);
  sealed_.store(true, std::memory_order_release);
  file_.close();
  // Readers keep using the mapping through map_ until the cache evicts it.
  writable_map_.reset();
  staging_.reset();
  evictable_.store(true, std::memory_order_release);
  return {};
}

void Segment::release_memory_points() noexcept {
  if (sealed()) {
    memory_points_.reset();
    memory_point_capacity_ = 0;
    recent_offsets_.reset();
    cursor_.point_count = 0;
    memory_point_count_.store(0, std::memory_order_relaxed);
  }
}

Status Segment::set_start_index(std::uint64_t index) {
  SegmentState state = current_state_fields();
  state.start_index = index;
  if (auto s = write_state(state); !s) return s;
  // fdatasync covers the whole file: appended records become durable too.
  const std::uint64_t target = cursor_.end;
  if (auto s = file_.data_sync(); !s) return s;
  durable_end_ = target;
  start_index_.store(index, std::memory_order_release);
  return {};
}

Status Segment::cut_after(std::uint64_t index) {
  auto pinned = pin();
  if (!pinned) return pinned.error();
  auto offset = find_offset((*pinned)->data(), index + 1);
  if (!offset) return offset.error();
  // Readers see the shorter range at once; the bytes stay untouched.
  last_index_.store(index, std::memory_order_release);
  records_end_.store(*offset, std::memory_order_release);
  if (!sealed()) {
    cursor_.end = *offset;
    pending_last_ = index;
    return seal();
  }
  SegmentState state = current_state_fields();
  state.end_offset = *offset;
  state.last_index = index;
  state.synced_end = *offset;
  if (auto s = write_state(state); !s) return s;
  if (auto s = file_.data_sync(); !s) return s;
  cursor_.end = durable_end_ = *offset;
  pending_last_ = index;
  return {};
}

Result<std::shared_ptr<Segment>> Segment::rewrite_kept(const Config& cfg) const {
  auto pinned = pin();
  if (!pinned) return pinned.error();
  const std::uint64_t start = start_index();
  const std::uint64_t last = last_index();
  const std::byte* base = (*pinned)->data();
  auto from = find_offset(base, start);
  if (!from) return from.error();
  const std::uint64_t end = records_end();
  const std::uint64_t bytes = end - *from;
  const std::uint64_t interval = std::max<std::uint32_t>(cfg.index_interval_bytes, 1);
  const std::uint64_t capacity =
      align_up(kSegmentHeaderBytes + bytes + footer_bytes(bytes / interval + 2), 4096);
  auto target = prepare(cfg, start, capacity, identity_.salt);
  if (!target) return target.error();
  Segment& out = **target;
  std::byte* dst = out.writable_map_->data();
  std::memcpy(dst + kSegmentHeaderBytes, base + *from, bytes);
  // Verify while indexing: a rewrite must not carry damage forward.
  std::uint64_t pos = kSegmentHeaderBytes;
  for (std::uint64_t index = start; index <= last; ++index) {
    DecodedRecord record;
    if (decode_record(dst + pos, kSegmentHeaderBytes + bytes - pos, key_, true,
                      record) != RecordStatus::ok ||
        record.fields.index != index) {
      out.file_.close();
      (void)detail::remove_file(out.path_);
      return corrupted(*from + (pos - kSegmentHeaderBytes), index,
                       "record fails its checksum during the boundary rewrite");
    }
    out.add_record(index, record.bytes);
    pos += record.bytes;
  }
  out.publish();
  // The rewrite marks itself as the log's start, so a segment below it that
  // a failed unlink left behind stays a leftover at the next open.
  out.state_->start_index = start;
  out.start_index_.store(start, std::memory_order_relaxed);
  if (auto s = out.seal(); !s) {
    (void)detail::remove_file(out.path_);
    return s.error();
  }
  return target;
}

Status Segment::remove_file() {
  file_.close();
  return detail::remove_file(path_);
}

}  // namespace seglog::detail

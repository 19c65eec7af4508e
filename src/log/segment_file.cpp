// log/segment_file.cpp — a segment file's lifecycle: prepare, spare,
// assign, create, install, open, adopt and remove (docs/design.md, "Roll"
// steps 1, 3 and 4, and "Open" steps 2 and 4; the bytes: docs/format.md,
// "Segment file").
#include "log/segment.hpp"

#include "errors.hpp"
#include "format/file_names.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
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

}  // namespace

// A read-only handle's view of `path` is out of date (design.md, "Read-only
// opens beside a live writer"): retryable by reopening.
Error stale_segment_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(errc::stale, "segment " + path.string() + " " + std::string(what) +
                                     " by the writer since this read-only handle read it; "
                                     "reopen to see the log as it is now");
}

// ---- creation -------------------------------------------------------------

Result<std::shared_ptr<Segment>> Segment::prepare(const Config& cfg, std::uint64_t first_index,
                                                  std::uint64_t capacity, std::uint64_t salt) {
  SegmentIdentity identity;
  identity.first_index = first_index;
  identity.salt = salt != 0 ? salt : random_salt();
  identity.capacity = capacity;
  identity.index_interval_bytes = cfg.index_interval_bytes;
  std::filesystem::path temp_path = cfg.dir / segment_name(first_index);
  temp_path += std::string(kTempSuffix);
  return create(cfg, identity, temp_path, false);
}

Result<std::shared_ptr<Segment>> Segment::prepare_spare(const Config& cfg, std::uint64_t capacity) {
  SegmentIdentity identity;
  identity.first_index = 0;
  identity.salt = random_salt();
  identity.capacity = capacity;
  identity.index_interval_bytes = cfg.index_interval_bytes;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx%s", static_cast<unsigned long long>(identity.salt),
                kSpareSuffix.data());
  // The first writes after the roll that takes this spare find their
  // pages in the page cache (see create), not in the writer's time.
  return create(cfg, identity, cfg.dir / name, true);
}

void Segment::assign(std::uint64_t first_index) noexcept {
  identity_.first_index = first_index;
  start_index_.store(first_index, std::memory_order_relaxed);
  last_index_.store(first_index - 1, std::memory_order_relaxed);
  writer_.start(identity_.capacity, identity_.index_interval_bytes, first_index);
  // Sector 0 holds the whole identity: a crash leaves the old or the new.
  encode_identity(writer_.map()->data(), identity_);
}

Result<std::shared_ptr<Segment>> Segment::create(const Config& cfg, SegmentIdentity identity,
                                                 const std::filesystem::path& temp_path,
                                                 bool populate) {
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
  auto map = MappedFile::map(temp_path, MappedFile::Access::read_write, capacity);
  if (!map) return fail(map.error());
  // Page cache for this file in 2 MiB folios wherever a fault allocates it
  // (log/prefault.hpp), which readers' mappings map whole. Without the
  // hint a fault reads ahead in folios of 16 KiB to 1 MiB (the device's
  // 8 MiB read-ahead ramping up), which are mapped 4 KiB at a time.
  (*map)->huge_folios(0, capacity);
  // Before the header page is written: a page already cached keeps its
  // chunk from becoming one folio. Read, not write: dirty zeros would be
  // written by the segment's next sync.
  if (populate) (*map)->populate_read(0, Prefault::kChunk);
  std::array<std::byte, kSegmentHeaderBytes> page{};
  encode_identity(page.data(), identity);
  SegmentState state;
  state.sequence = 1;
  state.synced_end = kSegmentHeaderBytes;
  encode_state(page.data() + next_slot_offset(state.sequence), state, identity.salt);
  if (auto s = segment->file_.write_at(0, page); !s) return fail(s.error());
  if (auto s = segment->file_.data_sync(); !s) return fail(s.error());
  // The rest of the prefault window: after a roll the prefaulter starts
  // that far ahead, so the writer's first megabytes never wait for a
  // chunk (at 60 M entries, 0.3 s of waits instead of 2.2–2.9 s).
  if (populate) {
    (*map)->populate_read(Prefault::kChunk, ActiveWriter::kPrefaultAhead - Prefault::kChunk);
  }
  segment->state_ = state;
  segment->file_size_.store(capacity, std::memory_order_relaxed);
  segment->writer_.set_map(*map);
  segment->set_mapping(*map);
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

Result<std::shared_ptr<Segment>> Segment::open_existing(const Config& cfg,
                                                        const std::filesystem::path& path,
                                                        std::uint64_t name_index, bool writable) {
  auto file = File::open(path, writable ? File::Mode::read_write : File::Mode::read_only);
  if (!file) {
    // Listed a moment ago: the writer removed it (truncate_before's unlinks,
    // truncate_after, a rewrite) while this read-only open was reading.
    if (!writable && file.error() == errc::not_found)
      return stale_segment_error(path, "was removed");
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  if (*size < kSegmentHeaderBytes) {
    return make_error(errc::corrupted, "segment " + path.string() + " is " + std::to_string(*size) +
                                           " bytes, shorter than its header");
  }
  std::array<std::byte, kSegmentHeaderBytes> page;
  if (auto s = file->read_at(0, page); !s) return s.error();
  auto identity = decode_identity(page.data());
  if (!identity) {
    return make_error(errc::corrupted,
                      "segment header of " + path.string() + " at offset 0 fails its checksum");
  }
  if (identity->first_index != name_index && identity->first_index != 0) {
    return make_error(errc::corrupted, "segment " + path.string() + " holds first index " +
                                           std::to_string(identity->first_index) + ", not the " +
                                           std::to_string(name_index) + " its name says");
  }
  if (*size > identity->capacity) {
    // Files only ever shrink from their capacity (the trim of a seal).
    return make_error(errc::corrupted, "segment " + path.string() + " is " + std::to_string(*size) +
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
  published_end_.store(s.end_offset, std::memory_order_relaxed);
  last_index_.store(s.last_index, std::memory_order_relaxed);
  if (s.start_index != 0) start_index_.store(s.start_index, std::memory_order_relaxed);
  index_.adopt_footer(s.footer_offset, s.point_count, false);
  writer_.reset_to(s.end_offset, s.last_index, true);
  sealed_.store(true, std::memory_order_release);
  // One descriptor per segment would exhaust the limit on a long log; a
  // sealed segment reopens its file only for a rare state write.
  file_.close();
  check_invariants();
  return {};
}

Status Segment::remove_file() {
  file_.close();
  return detail::remove_file(path_);
}

}  // namespace seglog::detail

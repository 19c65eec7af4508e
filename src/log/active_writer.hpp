// log/active_writer.hpp — the writer-only state of a segment and its I/O
// policy (docs/design.md, "Append and roll" steps 3 and 5, and "sync"):
// the appended end (AppendCursor), the high water, the synced end, the
// staging buffer, the runway and the prefault window.
//
// It decides where a record's bytes go (record_destination: the mapping
// for a streaming writer, the staging buffer for one that syncs often) and
// how a small sync's blocks are made ready (extend_runway). It writes no
// state slot and syncs nothing: the segment does (segment.cpp), and says
// when records are published. Writer thread only (the roll's background
// seal takes a segment over only once the writer has left it).
#pragma once

#include "io/file.hpp"
#include "io/mapped_file.hpp"
#include "log/prefault.hpp"
#include "log/sparse_index.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>

namespace seglog::detail {

class ActiveWriter {
 public:
  // The prefault window (claim_prefault_window): up to kPrefaultAhead past
  // the appended end, in whole kPrefaultStep chunks, for a writer that
  // streams (kPrefaultStreaming or more bytes since its last sync). 8 MiB
  // is ~3 ms of appends at the fastest rate measured here
  // (docs/performance.md).
  static constexpr std::uint64_t kPrefaultAhead = 8ull << 20;
  static constexpr std::uint64_t kPrefaultStep = Prefault::kChunk;
  static constexpr std::uint64_t kPrefaultStreaming = 1ull << 20;
  static constexpr std::uint64_t kStagingBytes = 256ull << 10;
  static constexpr std::uint64_t kRunwaySyncs = 8;
  static constexpr std::uint64_t kRunwayMaxBatch = 64ull << 10;

  void start(std::uint64_t capacity, std::uint64_t interval, std::uint64_t first_index) noexcept {
    cursor_ = AppendCursor::empty(capacity, interval);
    last_appended_ = first_index - 1;
  }
  // The mapping records are stored into (active, or a writable open's scan).
  void set_map(std::shared_ptr<MappedFile> map) noexcept { map_ = std::move(map); }
  const std::shared_ptr<MappedFile>& map() const noexcept { return map_; }

  // ---- the ends (docs/design.md, "Glossary") ---------------------------
  const AppendCursor& cursor() const noexcept { return cursor_; }
  std::uint64_t appended_end() const noexcept { return cursor_.end; }
  std::uint64_t last_appended() const noexcept { return last_appended_; }
  std::uint64_t high_water() const noexcept { return high_water_; }
  std::uint64_t synced_end() const noexcept { return synced_end_; }
  bool dirty() const noexcept { return synced_end_ != cursor_.end; }
  // The records below `end` are durable.
  void synced(std::uint64_t end) noexcept { synced_end_ = end; }
  // Sets every end to `end` (a sealed segment adopted at open, a cut).
  void reset_to(std::uint64_t end, std::uint64_t last, bool synced_too) noexcept {
    cursor_.end = end;
    if (high_water_ < end) high_water_ = end;
    if (synced_too) synced_end_ = end;
    last_appended_ = last;
  }
  void forget_points() noexcept { cursor_.point_count = 0; }

  // Moves the appended end past the record of `index` of `bytes` that
  // starts there; returns its offset, and sets `point`/`slot` where the
  // placement rule gives it a sparse point.
  std::uint64_t advance(std::uint64_t index, std::uint64_t bytes, bool& point,
                        std::uint64_t& slot) noexcept {
    const std::uint64_t offset = cursor_.end;
    slot = cursor_.point_count;
    point = cursor_.advance(bytes);
    if (cursor_.end > high_water_) high_water_ = cursor_.end;
    last_appended_ = index;
    return offset;
  }

  // Where the next record of `bytes` is encoded: into the mapping when the
  // writer streams (kPrefaultStreaming or more unsynced bytes), else into
  // the staging buffer, written with one pwrite by write_staged(). A writer
  // that syncs every small batch and stores through the mapping pays a
  // write-protect fault per page after each fdatasync cleaned it, and on
  // this machine's ext4 those syncs grew slower the longer it ran: 3,000
  // append+sync of 64 × 280 B ran at 690–830 per second stored through a
  // mapping, 2,850–2,870 written with pwrite, 3,230–3,400 for a bare
  // pwrite without the state slot (docs/performance.md, "append_sync").
  // The caller writes the staged records first when must_write_staged().
  std::byte* record_destination(std::uint64_t bytes) {
    if (staged_bytes_ == 0) {
      const bool streaming = cursor_.end - synced_end_ >= kPrefaultStreaming;
      // Allocated mid-batch: without memory the record goes to the mapping
      // rather than an exception leaving the batch half encoded.
      if (streaming || bytes > kStagingBytes || !allocate_staging()) {
        await_prefault(cursor_.end, cursor_.end + bytes);
        return map_->data() + cursor_.end;
      }
      staged_from_ = cursor_.end;
    }
    std::byte* out = staging_.get() + staged_bytes_;
    staged_bytes_ += bytes;
    return out;
  }
  // True when a record of `bytes` does not fit behind the staged ones.
  bool must_write_staged(std::uint64_t bytes) const noexcept {
    return staged_bytes_ > 0 && staged_bytes_ + bytes > kStagingBytes;
  }
  bool has_staged() const noexcept { return staged_bytes_ > 0; }
  // Writes the staged records at their offsets through `file`. Should the
  // pwrite fail (or `file` be null), they are stored through the mapping
  // instead, as a streaming writer's are: the same bytes reach the page
  // cache and nothing is left to undo (a disk error shows at the next
  // fdatasync, which reports it).
  void write_staged(File* file);

  // Claims the part of the file the writer reaches next (up to
  // kPrefaultAhead past the appended end) that no claim covers yet, to be
  // zeroed and mapped writable off the writer's thread (log/prefault.hpp);
  // returns the Prefault to run there. Null when what lies ahead is claimed
  // or too little to be worth a task, or when the writer does not stream
  // (the zeros would be written by its next fdatasync too).
  std::shared_ptr<Prefault> claim_prefault_window(const std::filesystem::path& path);
  // Ends all zeroing ahead of the writer (waiting for a chunk in progress).
  void stop_prefault() noexcept;

  // Before a sync of `batch_bytes` (the bytes since the last one), writes
  // zeros through `file` over the next kRunwaySyncs syncs' worth of the
  // file ahead of the records, once fewer than two syncs' worth are left;
  // that sync's fdatasync makes them durable. The file was preallocated
  // with fallocate, whose blocks stay "unwritten" until data reaches them,
  // and every fdatasync that converts some must also write the file's
  // extent metadata (ext4 without a journal, here: a synchronous write of
  // the inode's blocks; with one, a journal commit): 280–310 µs against
  // 150–170 µs for the same pwrite + fdatasync into blocks already
  // written. Only for small batches (kRunwayMaxBatch): it doubles the
  // bytes a sync-heavy writer sends to the disk, and is worth it only
  // where that metadata write outweighs the batch.
  void extend_runway(File& file, std::uint64_t batch_bytes);

  // The segment is sealed: the mapping and the staging buffer go.
  void finish() noexcept {
    map_.reset();
    staging_.reset();
  }

 private:
  // Returns once no byte of [from, to) is left to be zeroed ahead of the
  // writer (Prefault::ready): its bytes land after the zeros, never under.
  void await_prefault(std::uint64_t from, std::uint64_t to) const noexcept {
    if (prefault_) prefault_->ready(from, to);
  }
  bool allocate_staging() noexcept;

  std::shared_ptr<MappedFile> map_;                 // read-write while active
  AppendCursor cursor_;                             // cursor_.end: the appended end
  std::uint64_t last_appended_ = 0;                 // index of the last record appended
  std::uint64_t high_water_ = kSegmentHeaderBytes;  // end of every byte ever written
  std::uint64_t synced_end_ = kSegmentHeaderBytes;  // records below are durable
  std::shared_ptr<Prefault> prefault_;              // created by the first claim
  std::unique_ptr<std::byte[]> staging_;            // allocated on first use
  std::uint64_t staged_from_ = 0;                   // file offset of staging_[0]
  std::uint64_t staged_bytes_ = 0;
  std::uint64_t runway_end_ = 0;  // zeros written up to here (extend_runway)
};

}  // namespace seglog::detail

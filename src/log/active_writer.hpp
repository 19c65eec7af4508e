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
#include <memory>

namespace seglog::detail {

class ActiveWriter {
 public:
  // The prefault window (claim_prefault_window): up to kPrefaultAhead past
  // the appended end, in whole kPrefaultStep chunks, for a writer that
  // streams (kPrefaultStreaming or more bytes since its last sync). 8 MiB
  // is ~4 ms of appends at the fastest rate measured here since issue 15
  // (6.6 M entries/s of 256 B; docs/performance.md, "At scale").
  static constexpr std::uint64_t kPrefaultAhead = 8ull << 20;
  static constexpr std::uint64_t kPrefaultStep = Prefault::kChunk;
  static constexpr std::uint64_t kPrefaultStreaming = 1ull << 20;
  static constexpr std::uint64_t kStagingBytes = 256ull << 10;
  static constexpr std::uint64_t kStoredBatchBytes = 1024;
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

  // The batch about to be appended holds `bytes` of records: it decides
  // where they go (record_destination) and whether zeros go ahead of them
  // (claim_prefault_window).
  void begin_batch(std::uint64_t bytes) noexcept { batch_bytes_ = bytes; }

  // Where the next record of `bytes` is encoded: into the staging buffer,
  // written with one pwrite by write_staged() (at publish, or when the
  // buffer is full), unless the writer streams (kPrefaultStreaming or more
  // unsynced bytes) in batches smaller than kStoredBatchBytes, whose
  // records are stored through the mapping.
  // - pwrite, not stores, for batches: no page of the file is ever mapped
  //   writable by the writer, so writeback (a seal's fdatasync, the
  //   kernel's flusher) never write-protects one (folio_mkclean, a TLB
  //   shootdown per page, an IPI to the writer's CPU), and no zeros need
  //   to be written ahead to keep page faults off the writer's thread.
  //   Release build, 256 B entries in batches of 64, against the mmap
  //   floor (docs/performance.md, "At scale"): 6.3–6.6 M entries/s (1.06–
  //   1.22 × the floor) at 1 M entries instead of 1.2–2.2 M/s (0.26–0.70 ×),
  //   and 1.7–2.0 M/s at 20 M (0.78–0.97 ×) instead of 0.74–0.86 (0.31–0.41),
  //   before the prefaulter populated 2 MiB folios.
  // - stores for a streaming writer's small batches: a pwrite per call costs
  //   more than the stores it saves (batches of 1: 0.51 M entries/s written,
  //   0.90 M/s stored; batches of 4: 1.64 against 1.19 M/s; with the 2 MiB
  //   population ahead, batches of 1 stored: 1.35 M/s).
  // - pwrite for a writer that syncs every small batch, which through the
  //   mapping would pay a write-protect fault per page after each fdatasync
  //   cleaned it: 3,000 append+sync of 64 × 280 B ran at 690–830 per second
  //   stored through a mapping, 2,850–2,870 written with pwrite
  //   (docs/performance.md, "append_sync").
  // The caller writes the staged records first when must_write_staged().
  std::byte* record_destination(std::uint64_t bytes) {
    if (staged_bytes_ == 0) {
      // Allocated mid-batch: without memory the record goes to the mapping
      // rather than an exception leaving the batch half encoded.
      if (stores_records() || bytes > kStagingBytes || !allocate_staging()) {
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
  // made resident in 2 MiB folios off the writer's thread
  // (log/prefault.hpp); returns the Prefault to run there. Null when what
  // lies ahead is claimed or too little to be worth a task, or when the
  // writer does not stream (it syncs every small batch: the page cache it
  // needs is a page or two per sync).
  std::shared_ptr<Prefault> claim_prefault_window();
  // Ends all population ahead of the writer (waiting for a chunk in
  // progress).
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

  // True when kPrefaultStreaming or more bytes were appended since the
  // last sync: the writer streams (prefaulting, spares asked for early).
  bool streaming() const noexcept { return cursor_.end - synced_end_ >= kPrefaultStreaming; }
  // The segment is sealed: the mapping and the staging buffer go.
  void finish() noexcept {
    map_.reset();
    staging_.reset();
  }

 private:
  // True when records are stored through the mapping (see
  // record_destination): a streaming writer's small batch.
  bool stores_records() const noexcept { return streaming() && batch_bytes_ < kStoredBatchBytes; }
  // Returns once no chunk under [from, to) is left to be populated ahead
  // of the writer (Prefault::ready): its bytes land in 2 MiB folios.
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
  std::uint64_t batch_bytes_ = 0;  // of the batch being appended (begin_batch)
  std::uint64_t runway_end_ = 0;   // zeros written up to here (extend_runway)
};

}  // namespace seglog::detail

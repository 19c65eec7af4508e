// log/segment.hpp — one segment file: its identity, its kept range, its
// sparse index, its mapping, and the writes that change it
// (docs/design.md, "Segments"; docs/format.md, "Segment file").
//
// A segment is *active* (the one the writer appends to: mapped read-write,
// sparse points in memory) or *sealed* (immutable records, sparse points in
// its footer, mapped read-only on demand). Invariants (design.md §Segment):
//   S1. records [kHeader, records_end) hold indices [first_index, last_index],
//       consecutive; bytes a reader was given are never written again.
//   S2. start_index <= last_index + 1 unless a snapshot was installed past
//       the segment (then next_index() == start_index).
//   S3. a sealed segment's footer and state slot describe exactly S1.
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>

#include "format/checksum.hpp"
#include "format/record.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"
#include "io/file.hpp"
#include "io/mapped_file.hpp"
#include "log/prefault.hpp"
#include "log/sparse_index.hpp"

#include <atomic>
#include <functional>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

namespace seglog::detail {

class MappingCache;

// What a scan of an unsealed segment found (recovery).
struct ScanResult {
  std::uint64_t records_end = 0;
  std::uint64_t last_index = 0;
  bool torn = false;               // an invalid record beyond the synced end
  std::uint64_t torn_offset = 0;   // where it starts (= records_end)
  std::uint64_t torn_bytes = 0;    // bytes cut (up to the end of the file data;
                                   // read-only: to the end of the file, uncounted)
  bool damaged = false;            // read-only: synced records damaged at records_end
};

// Where the writer's next record goes and whether it fits: the one place
// that decides placement, used both to plan a batch (so every segment it
// needs is preallocated before anything is written) and to write it.
struct AppendCursor {
  std::uint64_t end = kSegmentHeaderBytes;            // next record offset
  std::uint64_t point_count = 0;                      // sparse points so far
  std::uint64_t next_point_offset = kSegmentHeaderBytes;
  std::uint64_t capacity = 0;
  std::uint64_t interval = 4096;

  // Room for the record plus a footer with one more point.
  bool fits(std::uint64_t record_bytes) const noexcept {
    return end + record_bytes + footer_bytes(point_count + 1) <= capacity;
  }
  // Advances past a record; true when it gets a sparse point.
  bool advance(std::uint64_t record_bytes) noexcept {
    const bool point = end >= next_point_offset;
    if (point) {
      ++point_count;
      next_point_offset = end + interval;
    }
    end += record_bytes;
    return point;
  }
};

class Segment : public std::enable_shared_from_this<Segment> {
 public:
  struct Config {
    std::filesystem::path dir;
    std::uint32_t index_interval_bytes = 4096;
    bool verify_checksums = true;
    MappingCache* cache = nullptr;
  };

  // ---- creation (writer) ------------------------------------------------
  // Creates "<segment name>.tmp" in cfg.dir, preallocated to `capacity`,
  // with its identity written and synced. install() publishes it.
  // Errors: no_space (preallocation), io_error.
  // `salt` 0 draws a random one (a rewrite keeps its source's salt so
  // records copy verbatim).
  [[nodiscard]] static Result<std::shared_ptr<Segment>> prepare(
      const Config& cfg, std::uint64_t first_index, std::uint64_t capacity,
      std::uint64_t salt = 0);

  // Creates kSpareName in cfg.dir: a segment prepared like prepare() but
  // with no first index yet (its identity says 0), its pages faulted in
  // so that the writer's first stores into them do not wait for the page
  // cache. assign() gives it its first index at the roll that uses it.
  // Errors: no_space (preallocation), io_error.
  [[nodiscard]] static Result<std::shared_ptr<Segment>> prepare_spare(
      const Config& cfg, std::uint64_t capacity);
  // Makes a spare the segment that starts at `first_index`: its identity
  // is stored into the mapped header page (durable with the segment's
  // first fdatasync; until then the file on disk says "unassigned", which
  // recovery treats as holding nothing synced). No I/O.
  void assign(std::uint64_t first_index) noexcept;

  // Renames the prepared file to its segment name (replacing an empty
  // segment of the same name, if any) and maps it read-write. The caller
  // syncs the directory. Errors: io_error.
  [[nodiscard]] Status install();

  // ---- opening (recovery) -----------------------------------------------
  // Reads the header page of an existing segment file. A read-only open
  // keeps the descriptor of a segment that is not sealed, for scan().
  // Errors: corrupted (bad identity, name mismatch, short file), stale
  // (read-only: the file went away since the listing), io_error.
  [[nodiscard]] static Result<std::shared_ptr<Segment>> open_existing(
      const Config& cfg, const std::filesystem::path& path,
      std::uint64_t name_index, bool writable);

  // True for a segment file whose identity has no first index: a spare
  // renamed by a roll whose header never reached the disk (open_existing).
  bool unassigned() const noexcept { return identity_.first_index == 0; }

  // The state read from the header at open or last written since (nullopt:
  // no valid slot). Writer thread only.
  const std::optional<SegmentState>& state() const noexcept { return state_; }
  std::uint64_t file_size() const noexcept {
    return file_size_.load(std::memory_order_relaxed);
  }

  // Sets up a sealed segment from its state slot (footer checked lazily).
  // Errors: corrupted (the slot is inconsistent with the file).
  [[nodiscard]] Status adopt_sealed();

  // Scans the records of an unsealed segment, building its sparse index.
  // Damage below the synced end is corrupted (file, offset, index); damage
  // beyond it is a torn tail (reported in ScanResult, nothing changed yet).
  // `tolerate_corruption` (read-only opens) turns corruption into an end.
  // A writable open maps the file; a read-only one reads it with pread into
  // private memory (PrivateCopy), as far as the scan goes, and serves its
  // records from there: a live writer's trim cannot fault it.
  // Errors: corrupted, io_error (an OS call failed: never a shorter log).
  [[nodiscard]] Result<ScanResult> scan(bool tolerate_corruption);

  // ---- identity and range (any thread) ----------------------------------
  const std::filesystem::path& path() const noexcept { return path_; }
  std::uint64_t first_index() const noexcept { return identity_.first_index; }
  std::uint64_t salt() const noexcept { return identity_.salt; }
  std::uint64_t capacity() const noexcept { return identity_.capacity; }
  // First kept index (truncate_before may have raised it).
  std::uint64_t start_index() const noexcept {
    return start_index_.load(std::memory_order_acquire);
  }
  std::uint64_t last_index() const noexcept {
    return last_index_.load(std::memory_order_acquire);
  }
  std::uint64_t records_end() const noexcept {
    return records_end_.load(std::memory_order_acquire);
  }
  // The index the next segment must start at.
  std::uint64_t next_index() const noexcept;
  bool sealed() const noexcept { return sealed_.load(std::memory_order_acquire); }

  // ---- reads (any thread) ------------------------------------------------
  // Points `out` at the record of `index` (first_index() <= index <=
  // last_index()), pinning its mapping. An out-parameter the caller's
  // result already holds, not a returned record: moving a record through
  // results cost a point read a fifth of its time (store-forwarding stalls
  // where fields written one by one were copied as 16-byte blocks).
  // Errors: corrupted (checksum, size or index mismatch: file, offset,
  //         index in the message), out_of_range (truncated meanwhile),
  //         stale (read-only: the file was removed or replaced since the
  //         open), io_error (mapping failed).
  [[nodiscard]] Status locate(std::uint64_t index, EntryView& out) const;
  // The mapping, mapped on demand (and verified, for a sealed segment; for
  // a read-only handle, checked to be the file its open saw first:
  // map_beside_writer). Errors: as locate.
  [[nodiscard]] Result<std::shared_ptr<const MappedFile>> pin() const;
  // pin() for a caller that holds the log's table lock (shared or
  // exclusive): a mapping in place is copied without taking a lock.
  [[nodiscard]] Result<std::shared_ptr<const MappedFile>> pin_shared() const;
  // A range read in two steps, so that the caller's visitor runs with no
  // lock held: start_visit (the caller holds the log's table lock shared,
  // see pin_shared) pins the mapping and finds where record `from` starts;
  // visit then walks [from, to] with no lock, since published records are
  // never written again and the pin keeps the bytes alive.
  struct VisitStart {
    std::shared_ptr<const MappedFile> pin;
    std::uint64_t from = 0;
    std::uint64_t to = 0;       // clamped to the last index at the start
    std::uint64_t offset = 0;   // of record `from`
    std::uint64_t bound = 0;    // the records' end at the start
  };
  // Errors: as locate.
  [[nodiscard]] Result<VisitStart> start_visit(std::uint64_t from, std::uint64_t to) const;
  // Calls visit(record, pin) for the records of the start's range in order
  // until it returns false; returns whether it did (stopped early).
  // Errors: corrupted, out_of_range (truncated meanwhile).
  using Visitor = std::function<bool(const DecodedRecord&,
                                     const std::shared_ptr<const MappedFile>&)>;
  [[nodiscard]] Result<bool> visit(const VisitStart& start, const Visitor& visitor) const;
  bool mapped() const;
  // Drops the cache's mapping (views keep theirs alive) and returns it,
  // for the caller to release after its locks. Active: no-op. Call with the
  // log's table lock held exclusively (see pin_shared).
  [[nodiscard]] std::shared_ptr<const MappedFile> drop_mapping() noexcept;

  // ---- writes (the writer thread only) -----------------------------------
  // The writer's placement state (see AppendCursor).
  const AppendCursor& cursor() const noexcept { return cursor_; }
  // True when the next appended index may go here: active, and index
  // follows the last entry (and is not below a raised start index).
  bool accepts(std::uint64_t index) const noexcept;
  // Encodes one record after the last; not visible to readers until
  // publish(). The caller checked fits() and the index.
  void append(const LogEntry& entry);
  // Writes staged records (see record_destination), then makes appended
  // records visible to readers.
  void publish();
  // Claims the part of the file the writer reaches next (up to
  // kPrefaultAhead past the cursor) that no claim covers yet, to be zeroed
  // and mapped writable off the writer's thread (log/prefault.hpp); returns
  // the Prefault to run there. Null when what lies ahead is claimed or too
  // little to be worth a task, or when the writer does not stream (less
  // than kPrefaultStreaming unsynced bytes: the zeros would be written by
  // its next fdatasync too). 8 MiB is ~3 ms of appends at the fastest rate
  // measured here (docs/performance.md).
  static constexpr std::uint64_t kPrefaultAhead = 8ull << 20;
  static constexpr std::uint64_t kPrefaultStep = Prefault::kChunk;
  static constexpr std::uint64_t kPrefaultStreaming = 1ull << 20;
  std::shared_ptr<Prefault> claim_prefault_window();
  // Ends all zeroing ahead of the writer (waiting for a chunk in
  // progress): before a seal, and at close, so that no zero lands after
  // the file is handed on (a reopen in this process appends there too).
  void stop_prefault() noexcept;
  // Makes records durable: writes the state slot (synced end of the previous
  // sync) and fdatasyncs. Errors: io_error.
  [[nodiscard]] Status sync();
  bool dirty() const noexcept { return durable_end_ != cursor_.end; }
  // Writes the footer after every byte ever written, records the seal in
  // the state slot, trims the file and syncs it. Errors: io_error.
  [[nodiscard]] Status seal();
  // truncate_before: keeps indices >= index (durable on return).
  [[nodiscard]] Status set_start_index(std::uint64_t index);
  // truncate_after: keeps indices <= index (durable on return). An active
  // segment is sealed (new entries go to a new segment, so no byte a reader
  // holds is ever overwritten). Errors: corrupted, io_error.
  [[nodiscard]] Status cut_after(std::uint64_t index);
  // Frees the in-memory sparse points of a sealed segment (readers then use
  // the footer). Call with readers excluded.
  void release_memory_points() noexcept;

  // Copies kept records [start_index(), last_index()] into a new prepared
  // segment named start_index() (the boundary rewrite of truncate_before),
  // sealed and synced, not yet installed. Errors: corrupted, no_space,
  // io_error.
  [[nodiscard]] Result<std::shared_ptr<Segment>> rewrite_kept(const Config& cfg) const;

  // Unlinks the file (mappings stay valid). The caller syncs the directory.
  [[nodiscard]] Status remove_file();

 private:
  Segment(const Config& cfg, std::filesystem::path path, SegmentIdentity identity);
  static Result<std::shared_ptr<Segment>> create(const Config& cfg, SegmentIdentity identity,
                                                 const std::filesystem::path& temp_path);

  // pin() of a read-only handle: maps the sealed file its open saw, or
  // fails with stale (removed or replaced since). Errors: stale,
  // corrupted, io_error.
  [[nodiscard]] Result<std::shared_ptr<MappedFile>> map_beside_writer() const;
  [[nodiscard]] Status write_state(SegmentState state);
  [[nodiscard]] Status ensure_file_open();
  SegmentState current_state_fields() const;
  Error corrupted(std::uint64_t offset, std::uint64_t index, std::string_view what) const;
  Error truncated_meanwhile(std::uint64_t index, Error error) const;
  void add_record(std::uint64_t index, std::uint64_t bytes) noexcept;
  // Where the writer encodes its next record of `bytes`: into the mapping
  // when it streams (kPrefaultStreaming or more unsynced bytes), else into
  // staging_, written with one pwrite by write_staged(). A writer that
  // syncs every small batch and stores through the mapping pays a
  // write-protect fault per page after each fdatasync cleaned it, and on
  // this machine's ext4 those syncs grew slower the longer it ran: 3,000
  // append+sync of 64 × 280 B ran at 690–830 per second stored through a
  // mapping, 2,850–2,870 written with pwrite, 3,230–3,400 for a bare
  // pwrite without the state slot (docs/performance.md, "append_sync").
  std::byte* record_destination(std::uint64_t bytes);
  // The staging buffer, allocated on first use; false without memory.
  bool allocate_staging() noexcept;
  // Writes the staged records at their offsets. Should the pwrite fail,
  // they are stored through the mapping instead, as a streaming writer's
  // are: the same bytes reach the page cache and nothing is left to undo
  // (a disk error shows at the next fdatasync, which reports it).
  void write_staged();
  // Returns once no byte of [from, to) is left to be zeroed ahead of the
  // writer (Prefault::ready): its bytes land after the zeros, never under.
  void await_prefault(std::uint64_t from, std::uint64_t to) const noexcept {
    if (prefault_) prefault_->ready(from, to);
  }
  // Before a sync of `batch_bytes` (the bytes since the last one), writes
  // zeros over the next kRunwaySyncs syncs' worth of the file ahead of the
  // records, once fewer than two syncs' worth are left; that sync's
  // fdatasync makes them durable. The file was preallocated with
  // fallocate, whose blocks stay "unwritten" until data reaches them, and
  // every fdatasync that converts some must also write the file's extent
  // metadata (ext4 without a journal, here: a synchronous write of the
  // inode's blocks; with one, a journal commit): 280–310 µs against
  // 150–170 µs for the same pwrite + fdatasync into blocks already
  // written. Only for small batches (kRunwayMaxBatch): it doubles the
  // bytes a sync-heavy writer sends to the disk, and is worth it only
  // where that metadata write outweighs the batch.
  void extend_runway(std::uint64_t batch_bytes);
  // Offset of the record of `index` in `base` (bounded by records_end()).
  Result<std::uint64_t> find_offset(const std::byte* base, std::uint64_t index) const;
  static void prefetch_walk(const std::byte* base, const WalkStart& start, std::uint64_t offset,
                            std::uint64_t steps, std::uint64_t bound) noexcept;
  void prefetch_guess(const std::byte* base, std::uint64_t index,
                      std::uint64_t bound) const noexcept;
  void allocate_memory_points();

  Config cfg_;
  std::filesystem::path path_;
  SegmentIdentity identity_;
  ChecksumKey key_;  // the salt with its XXH3 secret, derived once

  std::atomic<std::uint64_t> start_index_{0};
  std::atomic<std::uint64_t> last_index_{0};
  std::atomic<std::uint64_t> records_end_{kSegmentHeaderBytes};
  std::atomic<bool> sealed_{false};

  // Sparse points: in memory while active (or scanned, read-only), in the
  // footer once sealed. memory_points_ is swapped only with readers excluded.
  std::unique_ptr<SparsePoint[]> memory_points_;
  std::uint64_t memory_point_capacity_ = 0;
  std::atomic<std::uint64_t> memory_point_count_{0};
  // The offsets of the newest records of an active segment, by index modulo
  // kRecentRecords: a read at the hot tail finds its record without walking
  // from a sparse point. A slot may be overwritten while a reader loads it;
  // readers take an offset only below the published end and only when the
  // record there carries the index they want.
  static constexpr std::uint64_t kRecentRecords = 4096;
  std::unique_ptr<std::atomic<std::uint32_t>[]> recent_offsets_;
  std::uint64_t footer_offset_ = 0;
  std::uint64_t footer_point_count_ = 0;
  mutable std::atomic<bool> footer_verified_{false};

  // Mapping: fixed while active; managed by the MappingCache once sealed.
  mutable std::mutex map_mu_;
  mutable std::shared_ptr<const MappedFile> map_;
  // True while map_ holds a mapping. Only drop_mapping clears it and resets
  // map_, with the table lock held exclusively: a reader holding that lock
  // shared that sees it true copies map_ without map_mu_.
  mutable std::atomic<bool> map_ready_{false};
  std::shared_ptr<MappedFile> writable_map_;  // active only (writer)
  std::atomic<bool> evictable_{true};         // false while active

  // Writer-only state.
  File file_;
  std::optional<SegmentState> state_;   // last state written or read
  AppendCursor cursor_;  // cursor_.end: appended, maybe unpublished
  std::uint64_t high_water_ = kSegmentHeaderBytes;   // end of every byte ever written
  std::uint64_t durable_end_ = kSegmentHeaderBytes;  // synced
  std::uint64_t pending_last_ = 0;
  std::shared_ptr<Prefault> prefault_;  // created by the first claim
  static constexpr std::uint64_t kStagingBytes = 256ull << 10;
  std::unique_ptr<std::byte[]> staging_;  // allocated on first use
  std::uint64_t staged_from_ = 0;         // file offset of staging_[0]
  std::uint64_t staged_bytes_ = 0;
  static constexpr std::uint64_t kRunwaySyncs = 8;
  static constexpr std::uint64_t kRunwayMaxBatch = 64ull << 10;
  std::uint64_t runway_end_ = 0;  // zeros written up to here (extend_runway)
  std::atomic<std::uint64_t> file_size_{0};
  bool writable_ = false;
  bool temp_ = false;
};

}  // namespace seglog::detail

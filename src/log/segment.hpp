// log/segment.hpp — one segment file: its identity, its kept range and the
// state-slot writes that change it (seal, cut_after, set_start_index), and
// its invariants (docs/design.md, "Segments"; docs/format.md, "Segment
// file"). The parts it is made of each have their own file:
//
//   segment.cpp          identity, kept range, state slots, seal, cut, start
//                        index, invariants S1–S3
//   segment_file.cpp     the file's lifecycle: prepare, spare, assign,
//                        create, install, open, adopt, remove
//   segment_scan.cpp     the scan of an unsealed segment (verdicts in
//                        segment_scan.hpp)
//   segment_reads.cpp    pin and the mapping, locate, visit
//   sparse_index.hpp     the sparse index (SparseIndex), inline
//   active_writer.*      the writer-only state and its I/O policy
//   compaction.cpp       rewrite_kept, the boundary rewrite's copy
//
// A segment is *active* (the one the writer appends to: mapped read-write,
// sparse points in memory) or *sealed* (immutable records, sparse points in
// its footer, mapped read-only on demand). Invariants (design.md, "Segments"),
// checked by check_invariants() after each mutation when NDEBUG is not
// defined:
//   S1. records [kSegmentHeaderBytes, published_end) hold indices
//       [first_index, last_index], consecutive; bytes a reader was given are
//       never written again.
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
#include "log/active_writer.hpp"
#include "log/prefault.hpp"
#include "log/segment_scan.hpp"
#include "log/sparse_index.hpp"
#include "log/table_lock.hpp"
#include "range_read.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>

namespace seglog::detail {

// What S1–S3 are about, as one snapshot (Segment::facts): check_invariants
// judges it, and unit tests feed it broken ones.
struct SegmentFacts {
  std::uint64_t first_index = 0;
  std::uint64_t start_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t published_end = kSegmentHeaderBytes;
  std::uint64_t appended_end = kSegmentHeaderBytes;
  std::uint64_t high_water = kSegmentHeaderBytes;
  std::uint64_t capacity = 0;
  std::uint64_t file_size = 0;
  bool sealed = false;
  std::optional<SegmentState> state;
  std::uint64_t footer_offset = 0;
  std::uint64_t footer_count = 0;
};
// The first of S1–S3 that `facts` break, as a sentence naming it; empty
// when they hold. O(1): no record is read.
std::string segment_invariant_broken(const SegmentFacts& facts);

// A read-only handle's view of `path` is out of date (design.md, "Read-only
// opens beside a live writer"): stale, retryable by reopening.
Error stale_segment_error(const std::filesystem::path& path, std::string_view what);

// Proof that the caller holds the log's table lock (SegmentTable): shared
// for a read that copies the mapping without a mutex, exclusive to drop it.
using SharedTableLock = std::shared_lock<TableLock>;
using ExclusiveTableLock = std::unique_lock<TableLock>;

class Segment : public std::enable_shared_from_this<Segment> {
 public:
  struct Config {
    std::filesystem::path dir;
    std::uint32_t index_interval_bytes = 4096;
    bool verify_checksums = true;
  };

  // ---- the file's lifecycle (segment_file.cpp) ---------------------------
  // Creates "<segment name>.tmp" in cfg.dir, preallocated to `capacity`,
  // with its identity written and synced. install() publishes it.
  // Errors: no_space (preallocation), io_error.
  // `salt` 0 draws a random one (a rewrite keeps its source's salt so
  // records copy verbatim).
  [[nodiscard]] static Result<std::shared_ptr<Segment>> prepare(const Config& cfg,
                                                                std::uint64_t first_index,
                                                                std::uint64_t capacity,
                                                                std::uint64_t salt = 0);

  // Creates kSpareName in cfg.dir: a segment prepared like prepare() but
  // with no first index yet (its identity says 0), its pages faulted in
  // so that the writer's first stores into them do not wait for the page
  // cache. assign() gives it its first index at the roll that uses it.
  // Errors: no_space (preallocation), io_error.
  [[nodiscard]] static Result<std::shared_ptr<Segment>> prepare_spare(const Config& cfg,
                                                                      std::uint64_t capacity);
  // Makes a spare the segment that starts at `first_index`: its identity
  // is stored into the mapped header page (durable with the segment's
  // first fdatasync; until then the file on disk says "unassigned", which
  // recovery treats as holding nothing synced). No I/O.
  void assign(std::uint64_t first_index) noexcept;

  // Renames the prepared file to its segment name (replacing an empty
  // segment of the same name, if any). The caller syncs the directory.
  // Errors: io_error.
  [[nodiscard]] Status install();

  // Reads the header page of an existing segment file. A read-only open
  // keeps the descriptor of a segment that is not sealed, for scan().
  // Errors: corrupted (bad identity, name mismatch, short file), stale
  // (read-only: the file went away since the listing), io_error.
  [[nodiscard]] static Result<std::shared_ptr<Segment>> open_existing(
      const Config& cfg, const std::filesystem::path& path, std::uint64_t name_index,
      bool writable);

  // True for a segment file whose identity has no first index: a spare
  // renamed by a roll whose header never reached the disk (open_existing).
  bool unassigned() const noexcept { return identity_.first_index == 0; }

  // The state read from the header at open or last written since (nullopt:
  // no valid slot). Writer thread only.
  const std::optional<SegmentState>& state() const noexcept { return state_; }
  std::uint64_t file_size() const noexcept { return file_size_.load(std::memory_order_relaxed); }

  // Sets up a sealed segment from its state slot (footer checked lazily).
  // Errors: corrupted (the slot is inconsistent with the file).
  [[nodiscard]] Status adopt_sealed();

  // Unlinks the file (mappings stay valid). The caller syncs the directory.
  [[nodiscard]] Status remove_file();

  // ---- scan (segment_scan.cpp) --------------------------------------------
  // Scans the records of an unsealed segment, building its sparse index,
  // and judges the first position that is not the expected record
  // (segment_scan.hpp): corruption is `corrupted` (file, offset, index); a
  // torn tail is reported in ScanResult, nothing changed yet.
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
  std::uint64_t last_index() const noexcept { return last_index_.load(std::memory_order_acquire); }
  // The end of the records readers may see.
  std::uint64_t published_end() const noexcept {
    return published_end_.load(std::memory_order_acquire);
  }
  // The index the next segment must start at.
  std::uint64_t next_index() const noexcept { return std::max(last_index() + 1, start_index()); }
  bool sealed() const noexcept { return sealed_.load(std::memory_order_acquire); }
  // True while the writer appends here (mapped read-write, not sealed).
  bool active() const noexcept { return writer_.map() != nullptr && !sealed(); }

  // ---- reads (segment_reads.cpp; any thread) ------------------------------
  // Points `out` at the record of `index` (first_index() <= index <=
  // last_index()), pinning its mapping. An out-parameter the caller's
  // result already holds, not a returned record: moving a record through
  // results cost a point read a fifth of its time (store-forwarding stalls
  // where fields written one by one were copied as 16-byte blocks). The
  // caller holds the table lock shared (see pin_shared).
  // Errors: corrupted (checksum, size or index mismatch: file, offset,
  //         index in the message), out_of_range (truncated meanwhile),
  //         stale (read-only: the file was removed or replaced since the
  //         open), io_error (mapping failed).
  [[nodiscard]] Status locate(std::uint64_t index, EntryView& out, const SharedTableLock&) const;
  // The mapping, mapped on demand (and verified, for a sealed segment; for
  // a read-only handle, checked to be the file its open saw first:
  // map_beside_writer). A new mapping is reported once by
  // take_new_mapping(), for the mapping cache. Errors: as locate.
  [[nodiscard]] Result<std::shared_ptr<const MappedFile>> pin() const;
  // pin() for a caller that holds the log's table lock shared: a mapping in
  // place is copied without taking a lock, since only drop_mapping resets
  // it, and only under the lock held exclusively.
  [[nodiscard]] Result<std::shared_ptr<const MappedFile>> pin_shared(const SharedTableLock&) const {
    if (map_ready_.load(std::memory_order_acquire)) return map_;
    return pin();
  }
  // True once after pin() made a new mapping (the cache notes it).
  bool take_new_mapping() const noexcept {
    return new_mapping_.load(std::memory_order_relaxed) &&
           new_mapping_.exchange(false, std::memory_order_acq_rel);
  }
  // A range read in two steps, so that the caller's visitor runs with no
  // lock held: start_visit (the caller holds the log's table lock shared,
  // see pin_shared) pins the mapping and finds where record `from` starts;
  // visit then walks [from, to] with no lock, since published records are
  // never written again and the pin keeps the bytes alive.
  struct VisitStart {
    std::shared_ptr<const MappedFile> pin;
    std::uint64_t from = 0;
    std::uint64_t to = 0;      // clamped to the last index at the start
    std::uint64_t offset = 0;  // of record `from`
    std::uint64_t bound = 0;   // the published end at the start
  };
  // Errors: as locate.
  [[nodiscard]] Result<VisitStart> start_visit(std::uint64_t from, std::uint64_t to,
                                               const SharedTableLock& lock) const;
  // Calls visit(record, pin) for the records of the start's range in order
  // until it returns false; returns whether it did (stopped early).
  // Errors: corrupted, out_of_range (truncated meanwhile).
  using Visitor =
      std::function<bool(const DecodedRecord&, const std::shared_ptr<const MappedFile>&)>;
  [[nodiscard]] Result<bool> visit(const VisitStart& start, const Visitor& visitor) const;
  bool mapped() const;
  // Drops the mapping (views keep theirs alive) and returns it, for the
  // caller to release after its locks. Active, or a read-only handle's
  // private copy: no-op. The lock proves readers are excluded.
  [[nodiscard]] std::shared_ptr<const MappedFile> drop_mapping(const ExclusiveTableLock&) noexcept;

  // ---- writes (segment.cpp; the writer thread only) -----------------------
  // The writer's placement state (see AppendCursor).
  const AppendCursor& cursor() const noexcept { return writer_.cursor(); }
  // True when the next appended index may go here: active, and index
  // follows the last entry (and is not below a raised start index).
  bool accepts(std::uint64_t index) const noexcept {
    return active() && index == writer_.last_appended() + 1 && index >= start_index();
  }
  // The batch about to be appended here holds `bytes` of records
  // (ActiveWriter::begin_batch).
  void begin_batch(std::uint64_t bytes) noexcept { writer_.begin_batch(bytes); }
  // Encodes one record at the appended end; not visible to readers until
  // publish(). The caller checked fits() and the index.
  void append(const EntryRef& entry) {
    const std::uint64_t bytes = record_bytes(entry.data.size());
    if (writer_.must_write_staged(bytes)) write_staged();
    encode_record(writer_.record_destination(bytes), key_, {entry.index, entry.term, entry.type},
                  entry.data);
    add_record(entry.index, bytes);
  }
  // Writes staged records, then makes appended records visible to readers
  // (point count, published end, last index, with release stores).
  void publish();
  // See ActiveWriter::claim_prefault_window.
  std::shared_ptr<Prefault> claim_prefault_window() {
    if (sealed()) return nullptr;
    return writer_.claim_prefault_window();
  }
  // Ends all zeroing ahead of the writer (waiting for a chunk in
  // progress): before a seal, and at close, so that no zero lands after
  // the file is handed on (a reopen in this process appends there too).
  void stop_prefault() noexcept { writer_.stop_prefault(); }
  // Makes records durable: writes the state slot (synced end of the previous
  // sync) and fdatasyncs. Errors: io_error.
  [[nodiscard]] Status sync();
  bool dirty() const noexcept { return writer_.dirty(); }
  // The writer streams (ActiveWriter::streaming).
  bool streaming() const noexcept { return writer_.streaming(); }
  // Writes the footer above the high water, records the seal in the state
  // slot, trims the file and syncs it. Errors: io_error.
  [[nodiscard]] Status seal();
  // truncate_before: keeps indices >= index (durable on return).
  [[nodiscard]] Status set_start_index(std::uint64_t index);
  // truncate_after: keeps indices <= index. A sealed segment gets a state
  // slot saying so (durable on return); an active one only lowers its kept
  // range, and the caller seals it (new entries go to a new segment, so no
  // byte a reader holds is ever overwritten). Errors: corrupted, io_error.
  [[nodiscard]] Status cut_after(std::uint64_t index);
  // Frees the in-memory sparse points of a sealed segment (readers then use
  // the footer). The lock proves readers are excluded.
  void release_memory_points(const ExclusiveTableLock&) noexcept;

  // Copies kept records [start_index(), last_index()] into a new prepared
  // segment named start_index() (the boundary rewrite of truncate_before),
  // sealed and synced, not yet installed (compaction.cpp). Errors:
  // corrupted, no_space, io_error.
  [[nodiscard]] Result<std::shared_ptr<Segment>> rewrite_kept(const Config& cfg) const;

  // S1–S3 (segment_invariant_broken) on this segment's present state;
  // aborts with the broken one. Only when NDEBUG is not defined; call from
  // the thread that owns the segment's writes.
  void check_invariants() const;
  SegmentFacts facts() const;

 private:
  Segment(const Config& cfg, std::filesystem::path path, SegmentIdentity identity);
  // `populate`: make the first ActiveWriter::kPrefaultAhead of the file
  // resident (a spare, prepared off the writer's thread).
  static Result<std::shared_ptr<Segment>> create(const Config& cfg, SegmentIdentity identity,
                                                 const std::filesystem::path& temp_path,
                                                 bool populate);

  // pin() of a read-only handle: maps the sealed file its open saw, or
  // fails with stale (removed or replaced since). Errors: stale,
  // corrupted, io_error.
  [[nodiscard]] Result<std::shared_ptr<MappedFile>> map_beside_writer() const;
  // Installs `map` as the segment's mapping (under map_mu_ or before any
  // reader can see the segment).
  void set_mapping(std::shared_ptr<const MappedFile> map) const noexcept {
    map_ = std::move(map);
    map_ready_.store(true, std::memory_order_release);
  }
  [[nodiscard]] Status write_state(SegmentState state);
  [[nodiscard]] Status ensure_file_open();
  File* open_file() { return ensure_file_open() ? &file_ : nullptr; }
  void write_staged() {
    if (writer_.has_staged()) writer_.write_staged(open_file());
  }
  SegmentState current_state_fields() const;
  Error corrupted(std::uint64_t offset, std::uint64_t index, std::string_view what) const;
  Error truncated_meanwhile(std::uint64_t index, Error error) const;
  // Moves the appended end past the record of `index`, giving it a sparse
  // point where the placement rule says so, and a slot in the ring.
  void add_record(std::uint64_t index, std::uint64_t bytes) noexcept {
    bool point = false;
    std::uint64_t slot = 0;
    const std::uint64_t offset = writer_.advance(index, bytes, point, slot);
    index_.add(point, slot, index - identity_.first_index, offset);
  }
  // The offset of the record of `index` in `base` (bounded by the published
  // end), or the error of the step that failed.
  Result<std::uint64_t> find_offset(const std::byte* base, std::uint64_t index) const {
    const SparseIndex::Found found =
        index_.find(base, published_end(), identity_.first_index, last_index(), index);
    if (found.miss == SparseIndex::Found::Miss::none) return found.offset;
    return find_error(found);
  }
  Error find_error(const SparseIndex::Found& found) const;
  void allocate_memory_points();

  Config cfg_;
  std::filesystem::path path_;
  SegmentIdentity identity_;
  ChecksumKey key_;  // the salt with its XXH3 secret, derived once

  std::atomic<std::uint64_t> start_index_{0};
  std::atomic<std::uint64_t> last_index_{0};
  std::atomic<std::uint64_t> published_end_{kSegmentHeaderBytes};
  std::atomic<bool> sealed_{false};

  SparseIndex index_;

  // Mapping: fixed while active; dropped by the segment table's eviction
  // once sealed.
  mutable std::mutex map_mu_;
  mutable std::shared_ptr<const MappedFile> map_;
  // True while map_ holds a mapping. Only drop_mapping clears it and resets
  // map_, with the table lock held exclusively (its argument): a reader
  // holding that lock shared that sees it true copies map_ without map_mu_.
  mutable std::atomic<bool> map_ready_{false};
  mutable std::atomic<bool> new_mapping_{false};  // see take_new_mapping
  std::atomic<bool> evictable_{true};             // false while active

  // Writer-only state.
  File file_;
  std::optional<SegmentState> state_;  // last state written or read
  ActiveWriter writer_;
  std::atomic<std::uint64_t> file_size_{0};
  bool writable_ = false;
  bool temp_ = false;
};

#ifdef NDEBUG
inline void Segment::check_invariants() const {}
#endif

}  // namespace seglog::detail

// seglog/storage.hpp — the storage contract of a Raft node: the seed's
// Storage interface in C++ (see docs/porting-from-go.md).
//
// Indices: first_index() is the first readable index, last_index() the
// last. A new empty log has first_index() == 1, last_index() == 0. After
// save_snapshot(.., L, T) and truncate_before(L + 1) the log is empty with
// first_index() == L + 1, last_index() == L and term(L) == T.
// Reads below first_index() are errc::compacted, above last_index()
// errc::out_of_range.
//
// Every call on a closed storage returns errc::closed (first_index() and
// last_index() keep their last values). Writes on a read-only storage
// return errc::read_only.
//
// Indices go up to UINT64_MAX - 1: the index after the last one must be
// representable (a range's end, the next append), so an entry or snapshot
// at UINT64_MAX is refused with errc::invalid_argument.
//
// A full disk, and io_error: no_space means nothing changed (no entry
// written, the old file still in place) and the storage stays usable: the
// same call succeeds once there is room. A failure after which the log
// refuses writes (a failed fdatasync, seal, rename or directory sync of
// the log: what was written may be lost, so it is never retried into a
// false success) is io_error, whatever the OS said (an ENOSPC from
// fdatasync, as NFS and thin provisioning give, is named in the message),
// and from then on append_entries, truncate_after, truncate_before, sync
// and flush return io_error naming the first failure until the storage is
// reopened, before any other check of their arguments (an empty batch or a
// truncation that would change nothing included); reads go on.
// (SegmentedStorage::stats().sync_failed shows it.) An io_error that
// leaves the log usable also exists: e.g. a save whose rename was done but
// whose directory fsync failed (the new file is visible, its durability
// unknown).
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace seglog {

// The largest key and value of the key-value store (Storage::set_value):
// 1 KiB and 64 KiB, room for hashicorp's StableStore (keys such as
// "CurrentTerm", values of a few bytes) and more.
inline constexpr std::size_t kMaxKvKeyBytes = 1024;
inline constexpr std::size_t kMaxKvValueBytes = 64 * 1024;

class SEGLOG_API Storage {
 public:
  // What visit_entries calls for each entry: true to go on, false to stop.
  using EntryVisitor = std::function<bool(const EntryView&)>;

  virtual ~Storage() = default;

  // The saved hard state; a default PersistentState if none was saved.
  // Errors: corrupted (state.json fails its checksum), io_error, closed.
  [[nodiscard]] virtual Result<PersistentState> get_state() const = 0;
  // Replaces the hard state durably (atomic: old or new after a crash).
  // A failure here never makes the log refuse writes.
  // voted_for may hold any bytes.
  // Errors: no_space (the old state stays), io_error (before the rename
  //         the old state stays; after it, only the directory fsync
  //         failed: the new state is visible but may not survive a power
  //         loss), read_only, closed.
  [[nodiscard]] virtual Status save_state(const PersistentState& state) = 0;

  // The value of `key` in the small key-value store beside the hard state
  // (hashicorp's StableStore.Get); nullopt for a key never set. Keys and
  // values are bytes (empty ones included).
  // Errors: corrupted (SegmentedStorage: stable.kv is damaged in records
  //         that were durable: the message names the file and offset),
  //         io_error, closed.
  [[nodiscard]] virtual Result<std::optional<std::vector<std::byte>>> get_value(
      std::span<const std::byte> key) const = 0;
  // Sets `key` to `value`, atomic and durable on return (StableStore.Set):
  // after a crash the old value or the new one, never a mix. Cheaper than
  // save_state (one small append and fdatasync, no rename: see
  // docs/performance.md). Like save_state, a failure never makes the log
  // refuse writes.
  // Errors: invalid_argument (key larger than kMaxKvKeyBytes, or value
  //         larger than kMaxKvValueBytes), no_space (nothing changed),
  //         io_error (the old or the new value may be read after a reopen;
  //         the next set_value rewrites the file whole), corrupted (the
  //         store could not be read: see get_value), read_only, closed.
  [[nodiscard]] virtual Status set_value(std::span<const std::byte> key,
                                         std::span<const std::byte> value) = 0;

  virtual std::uint64_t first_index() const = 0;
  virtual std::uint64_t last_index() const = 0;

  // The term of `index`, for every index in [first_index() - 1,
  // last_index()] when that index is in the log or is the snapshot's last
  // index; 0 for index 0.
  // Errors: compacted (below, and not the snapshot's last index),
  //         out_of_range (above last_index()), corrupted, io_error,
  //         stale (read-only handles only), closed.
  [[nodiscard]] virtual Result<std::uint64_t> term(std::uint64_t index) const = 0;

  // An owning copy of the entry at `index`.
  // Errors: compacted, out_of_range, corrupted (checksum mismatch: the
  //         message names file, offset and index), io_error, stale
  //         (read-only handles only), closed.
  [[nodiscard]] virtual Result<LogEntry> get_entry(std::uint64_t index) const = 0;

  // A zero-copy view of the entry at `index` (see EntryView).
  // Errors: as get_entry.
  [[nodiscard]] virtual Result<EntryView> read_entry(std::uint64_t index) const = 0;

  // Entries [begin, end) — end is clamped to last_index() + 1 — stopping
  // early once max_bytes of payload are returned (always at least one
  // entry when begin < end). begin == end (after clamping) gives none.
  // Errors: compacted (begin < first_index()), out_of_range (begin >
  //         last_index() + 1), invalid_argument (begin > end), corrupted,
  //         io_error, stale (read-only handles only), closed.
  [[nodiscard]] virtual Result<std::vector<LogEntry>> get_entries(
      std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes = UINT64_MAX) const = 0;

  // The entries get_entries(begin, end, max_bytes) would return, without
  // copying them: calls visit(view) for each in order, and stops when visit
  // returns false or before an entry that would take the visited payload
  // past max_bytes (always at least one entry when begin < end). The view
  // passed is valid during the call only: copy it (one reference count) to
  // keep the bytes, with EntryView's guarantee. For a Raft leader
  // serialising AppendEntries straight from the mapped segments.
  // visit must not call back into this storage (MemoryStorage runs it under
  // its mutex: a call back deadlocks). SegmentedStorage runs it with no
  // lock held, so a slow visit never holds up the writer. An exception
  // thrown by visit propagates out of visit_entries; the storage is left as
  // it was (reads change nothing, and no lock stays held).
  // Errors: as get_entries (checked before visit is first called); an error
  //         met mid-range (corrupted, io_error, or compacted/out_of_range
  //         when a truncation ran meanwhile) comes after the entries
  //         before it were visited.
  // The default copies through get_entries; the library's storages
  // override it to read in place.
  [[nodiscard]] virtual Status visit_entries(std::uint64_t begin, std::uint64_t end,
                                             const EntryVisitor& visit,
                                             std::uint64_t max_bytes = UINT64_MAX) const;

  // Appends a batch of consecutive entries. The whole batch is validated
  // before anything is written: entries at or below last_index() whose term
  // matches the stored one are skipped (idempotent retry), entries below
  // first_index() are skipped (already compacted); the first new entry must
  // be last_index() + 1. Nothing of a refused batch is written. Not durable
  // until sync().
  // Errors: invalid_argument (indices not consecutive, index 0, or an
  //         index of UINT64_MAX), conflict (an existing index with a
  //         different term: truncate first), gap (first new index >
  //         last_index() + 1), entry_too_large (payload > max_entry_size),
  //         no_space (a new segment could not be created; nothing of the
  //         batch was written and the log stays usable), corrupted (an
  //         existing entry the batch repeats cannot be read), io_error
  //         (a new segment could not be created for another reason:
  //         nothing written; or a rename of a new segment failed mid-batch,
  //         ENOSPC included: the batch's prefix before it stays appended
  //         and the log refuses writes; or the log already refuses them),
  //         read_only, closed.
  [[nodiscard]] virtual Status append_entries(std::span<const LogEntry> entries) = 0;
  // The same, from entries whose payloads the caller owns: each payload is
  // copied once, straight into the log (no intermediate std::vector). Same
  // validation, semantics and errors as the LogEntry overload (both run one
  // code path); the payloads need to stay valid during the call only.
  [[nodiscard]] virtual Status append_entries(std::span<const EntryRef> entries) = 0;

  // Removes the entries after `index` (keeps ..index). Durable on return:
  // no later crash brings a removed entry back. A no-op when index >=
  // last_index(). Views of removed entries stay valid.
  // Errors: compacted (index < first_index() - 1), corrupted (the
  //         records at the cut cannot be read; the log then refuses
  //         writes), io_error (any failing OS call, ENOSPC included: the
  //         log then refuses writes, and the cut may or may not have
  //         happened), read_only, closed.
  [[nodiscard]] virtual Status truncate_after(std::uint64_t index) = 0;

  // Removes the entries before `index` (keeps index..). The new
  // first_index() is durable on return; disk space is reclaimed by deleting
  // whole segments and rewriting the boundary segment (possibly after the
  // call returns). A no-op when index <= first_index(). index may be
  // last_index() + 1 (empties the log) or, when the saved snapshot's last
  // index is index - 1, beyond it (installing a snapshot past the log).
  // Succeeds on a full disk, except on a log that never held a segment
  // (it needs one small new file to record its start).
  // Errors: out_of_range (index > last_index() + 1 and index - 1 is not the
  //         snapshot's last index), no_space (a log that never held a
  //         segment: its start segment could not be created; nothing
  //         changed and the log stays usable), io_error (any other failing
  //         OS call, ENOSPC included: the log then refuses writes; the new
  //         start may or may not be durable), read_only, closed.
  [[nodiscard]] virtual Status truncate_before(std::uint64_t index) = 0;

  // Restarts the log at `next_index`, the entry before it having term
  // `prev_term`, durably, with no snapshot file: a follower installing a
  // snapshot its engine keeps in a store of its own. Afterwards
  // first_index() == next_index, last_index() == next_index - 1,
  // term(next_index - 1) == prev_term (until a later restart_log; it takes
  // precedence over a saved snapshot ending at the same index), and the
  // next append must be next_index. Every entry is dropped, whatever
  // next_index is relative to the log (before it, inside, after). Atomic:
  // after a crash the log opens as it was or as restarted, never a mix.
  // Never touches the saved snapshot.
  // Errors: invalid_argument (next_index 0 or above UINT64_MAX - 1;
  //         next_index 1 with a prev_term other than 0: term(0) is 0),
  //         no_space (SegmentedStorage: restart.json could not be written;
  //         nothing changed), corrupted (SegmentedStorage: a segment file
  //         whose identity cannot be read, so it cannot be named for
  //         discarding; nothing changed), io_error (before the restart is
  //         recorded: nothing changed; after it: the log is restarted in
  //         memory, but removing the old files or syncing the directory
  //         failed, and the log refuses writes until reopened, which
  //         finishes the restart; or the log already refused writes),
  //         read_only, closed.
  [[nodiscard]] virtual Status restart_log(std::uint64_t next_index, std::uint64_t prev_term) = 0;

  // hashicorp/raft's LogStore.DeleteRange(first, last): removes the
  // entries [first, last] (inclusive), mapped onto the two truncations:
  //  - a prefix (first <= first_index() and last < last_index()):
  //    truncate_before(last + 1);
  //  - a suffix (first > first_index() and last >= last_index()):
  //    truncate_after(first - 1);
  //  - the whole log (first <= first_index() and last >= last_index()):
  //    truncate_after(first_index() - 1): the log is emptied and keeps its
  //    first index, so the next append is first_index(). Never
  //    truncate_before(last + 1) here: an engine that deletes a conflicting
  //    whole log and appends the same indices again (hashicorp's follower)
  //    would see them skipped as compacted. An engine that goes on past the
  //    removed range (hashicorp compacting everything) calls restart_log.
  // A range with no entry in the log (empty log, or wholly outside
  // [first_index(), last_index()]) changes nothing. Durable on return, as
  // the truncation it maps onto.
  // Errors: invalid_argument (first > last; or a range strictly inside the
  //         log, first > first_index() and last < last_index(): the log
  //         holds no holes, so it would have to keep the entries after the
  //         range under indices they no longer follow), and the errors of
  //         the truncation it maps onto (io_error, corrupted, read_only,
  //         closed; a log that refuses writes answers io_error before any
  //         argument check).
  // The default plans on first_index()/last_index() and calls the
  // truncation; the library's storages check closed, read-only and a
  // sticky failure first, and plan and truncate under one writer lock.
  [[nodiscard]] virtual Status delete_range(std::uint64_t first, std::uint64_t last);

  // The saved snapshot, or nullopt when there is none.
  // Errors: corrupted (header or data checksum mismatch), io_error, closed.
  [[nodiscard]] virtual Result<std::optional<Snapshot>> get_snapshot() const = 0;

  // Replaces the snapshot durably (atomic: old or new after a crash). Does
  // not change the log: call truncate_before(last_index + 1) to compact.
  // `metadata` is kept with it, opaque (the engine's configuration,
  // version, ID) and returned in SnapshotMeta::metadata.
  // A failure here never makes the log refuse writes.
  // Errors: invalid_argument (last_index is UINT64_MAX: it could never be
  //         installed; metadata larger than kMaxSnapshotMetadataBytes),
  //         no_space (the old snapshot stays), io_error (before
  //         the rename the old snapshot stays; after it, only the directory
  //         fsync failed: the new snapshot is current but may not survive a
  //         power loss), read_only, closed.
  [[nodiscard]] virtual Status save_snapshot(std::span<const std::byte> data,
                                             std::uint64_t last_index, std::uint64_t last_term,
                                             std::span<const std::byte> metadata = {}) = 0;

  // The saved cluster configuration, or nullopt when there is none.
  // Errors: corrupted, io_error, closed.
  [[nodiscard]] virtual Result<std::optional<ClusterConfig>> get_cluster_config() const = 0;
  // Replaces the cluster configuration durably (atomic: old or new after a
  // crash). A failure here never makes the log refuse writes.
  // Errors: invalid_argument (SegmentedStorage: an id or address is not
  //         valid UTF-8, or the file would exceed 16 MiB), no_space (the
  //         old configuration stays), io_error (as save_state), read_only,
  //         closed.
  [[nodiscard]] virtual Status save_cluster_config(const ClusterConfig& config) = 0;

  // Makes every appended entry durable. Concurrent callers share one data
  // sync. Never no_space: a failed data sync cannot be retried.
  // Errors: io_error (sticky: every later write fails until reopen; an
  //         ENOSPC from fdatasync is named in the message), read_only,
  //         closed.
  [[nodiscard]] virtual Status sync() = 0;
  // Makes appended entries visible to other processes (they already are:
  // the log is a shared mapping) and waits for the work the storage does
  // in the background (sealing segments left by a roll, the unlinks and
  // boundary rewrite after truncate_before), so files and stats() reflect
  // every call made so far. Errors: io_error (a background seal failed,
  // or the log already refuses writes: sticky), closed. (On a read-only
  // storage it does nothing and succeeds.)
  [[nodiscard]] virtual Status flush() = 0;
  // Syncs, marks a clean shutdown and releases the directory. Later calls
  // return errc::closed; views already taken stay valid.
  // Errors: io_error (the seal failed, ENOSPC included, or the log already
  //         refused writes: the files are still released, the next open
  //         recovers what was synced), closed (twice).
  [[nodiscard]] virtual Status close() = 0;
};

// The default for storages that do not override it: the entries are copied
// by get_entries, and every view pins the copies.
inline Status Storage::visit_entries(std::uint64_t begin, std::uint64_t end,
                                     const EntryVisitor& visit, std::uint64_t max_bytes) const {
  auto entries = get_entries(begin, end, max_bytes);
  if (!entries) return entries.error();
  const auto owned = std::make_shared<const std::vector<LogEntry>>(std::move(*entries));
  for (const LogEntry& e : *owned) {
    if (!visit(EntryView(e.index, e.term, e.type, e.data, owned))) break;
  }
  return {};
}

}  // namespace seglog

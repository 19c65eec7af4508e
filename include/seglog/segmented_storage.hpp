// seglog/segmented_storage.hpp — the product: a memory-mapped segmented log
// plus the state, cluster and snapshot files and the key-value store of one
// Raft node, in one directory. Design: docs/design.md. Files:
// docs/format.md.
//
// Threads: one writer thread (appends, truncations, delete_range,
// restart_log, saves, set_value, sync) and any number of reader threads
// (first_index, last_index, term, get_entry, read_entry, get_entries,
// visit_entries, get_*, stats, open_snapshot). Readers never wait
// for a sync. sync() may also be called from several threads at once; the
// callers share one data sync.
#pragma once

#include <seglog/options.hpp>
#include <seglog/stats.hpp>
#include <seglog/storage.hpp>

#include <memory>

namespace seglog {

class SEGLOG_API SegmentedStorage final : public Storage {
 public:
  // Opens (or creates) the log in options.dir: finds and checks the
  // segments, validates sealed ones by their footers, scans only the newest
  // segment (none after a clean close), cuts and zeroes a torn tail beyond
  // the last synced position, removes leftovers of interrupted operations.
  // Needs no free disk space.
  // Errors: invalid_argument (bad options), locked (another writer, in this
  //         or another process, holds the directory), corrupted (damage in
  //         synced data, a missing or overlapping segment: the message names
  //         file, offset and index; nothing is deleted), not_found
  //         (read_only and the directory does not exist), no_space (the
  //         file system is full where open must write: the directory or
  //         its LOCK file on a first open, or recovery's seal of the newest
  //         segment reported ENOSPC; nothing is lost, open again when
  //         there is room), io_error, stale (read_only: the writer removed
  //         a segment file while the open was reading the directory; open
  //         again). A read_only open serves the log before damaged data
  //         (corrupted, logged), but never fails over an OS error into a
  //         shorter log: that is io_error.
  [[nodiscard]] static Result<std::unique_ptr<SegmentedStorage>> open(Options options);

  // Closes if still open (errors go to the logger).
  ~SegmentedStorage() override;
  SegmentedStorage(const SegmentedStorage&) = delete;
  SegmentedStorage& operator=(const SegmentedStorage&) = delete;

  [[nodiscard]] Result<PersistentState> get_state() const override;
  [[nodiscard]] Status save_state(const PersistentState& state) override;
  [[nodiscard]] Result<std::optional<std::vector<std::byte>>> get_value(
      std::span<const std::byte> key) const override;
  [[nodiscard]] Status set_value(std::span<const std::byte> key,
                                 std::span<const std::byte> value) override;
  std::uint64_t first_index() const override;
  std::uint64_t last_index() const override;
  [[nodiscard]] Result<std::uint64_t> term(std::uint64_t index) const override;
  [[nodiscard]] Result<LogEntry> get_entry(std::uint64_t index) const override;
  [[nodiscard]] Result<EntryView> read_entry(std::uint64_t index) const override;
  [[nodiscard]] Result<std::vector<LogEntry>> get_entries(
      std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes = UINT64_MAX) const override;
  // Reads in place: one reference count per segment (per chunk in memory),
  // none per entry.
  [[nodiscard]] Status visit_entries(std::uint64_t begin, std::uint64_t end,
                                     const EntryVisitor& visit,
                                     std::uint64_t max_bytes = UINT64_MAX) const override;
  [[nodiscard]] Status append_entries(std::span<const LogEntry> entries) override;
  [[nodiscard]] Status append_entries(std::span<const EntryRef> entries) override;
  [[nodiscard]] Status truncate_after(std::uint64_t index) override;
  [[nodiscard]] Status truncate_before(std::uint64_t index) override;
  [[nodiscard]] Status delete_range(std::uint64_t first, std::uint64_t last) override;
  [[nodiscard]] Status restart_log(std::uint64_t next_index, std::uint64_t prev_term) override;
  [[nodiscard]] Result<std::optional<Snapshot>> get_snapshot() const override;
  [[nodiscard]] Status save_snapshot(std::span<const std::byte> data, std::uint64_t last_index,
                                     std::uint64_t last_term,
                                     std::span<const std::byte> metadata = {}) override;
  [[nodiscard]] Result<std::optional<ClusterConfig>> get_cluster_config() const override;
  [[nodiscard]] Status save_cluster_config(const ClusterConfig& config) override;
  [[nodiscard]] Status sync() override;
  [[nodiscard]] Status flush() override;
  [[nodiscard]] Status close() override;

  // Counters for metrics. Thread-safe. Which ones lag behind background
  // work until flush(): see stats.hpp.
  Stats stats() const;

  // Starts a streaming snapshot (see SnapshotWriter). Its commit() replaces
  // the directory's snapshot and, like save_snapshot, leaves the log as is;
  // no failure of the writer makes the log refuse writes. `metadata` is
  // kept with the snapshot (SnapshotMeta::metadata), as save_snapshot's.
  // Errors: invalid_argument (last_index is UINT64_MAX, or metadata larger
  //         than kMaxSnapshotMetadataBytes), no_space (the temporary file
  //         could not be created), io_error, read_only, closed.
  [[nodiscard]] Result<SnapshotWriter> begin_snapshot(std::uint64_t last_index,
                                                      std::uint64_t last_term,
                                                      std::span<const std::byte> metadata = {});

  // Maps the current snapshot read-only, checksum verified.
  // Errors: not_found (no snapshot), corrupted, io_error, closed.
  [[nodiscard]] Result<SnapshotReader> open_snapshot() const;

  const Options& options() const noexcept;

  struct Impl;

 private:
  explicit SegmentedStorage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog

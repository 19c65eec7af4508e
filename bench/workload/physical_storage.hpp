// physical_storage.hpp — the machine's floor for workload W (issue 4,
// "--impl physical"): the same record bytes seglog writes, written back to
// back into one preallocated, mapped file and read back at the same offsets,
// with no index structure, no checksum, no format checks and no recovery.
//
// What it keeps and why:
// - Records have seglog's sizes (docs/format.md, "Record"): a 32-byte
//   header (8 zero bytes where seglog has its checksum, size, type, index,
//   term) and the payload, padded to 8, so the byte volume is the same.
//   Reads take index, term and length from the mapped header, so the
//   driver's check still proves the right bytes were read.
// - The offset of every entry lives in a std::vector in RAM (direct
//   addressing, one load: no sparse index, no search).
// - The data file is preallocated with posix_fallocate to its full
//   capacity when it is created and mapped read-write once (MAP_SHARED, no
//   MAP_POPULATE: pages fault in on first touch, as in any mapped log).
// - sync() is a bare fdatasync of the data file.
// - close() syncs and writes the side file `offsets` (first index, count,
//   end offset, then one u64 offset per entry); open() reads it back in one
//   read and maps the data file again. Offsets are NOT rebuilt by walking
//   the records: the side file is the floor of a clean reopen.
// - Truncations only move the bounds in RAM (nothing to make durable until
//   close writes the side file): their floor is "nothing".
// - Views carry no pin: they are valid until close(), which is all the
//   workload needs (it drops each view before the next call).
//
// Everything else of the Storage contract (state, snapshots, cluster
// config, idempotent re-appends, crash recovery, the key-value store,
// restart_log, appends from EntryRef) is not implemented: those
// calls return errc::invalid_argument ("physical: not supported").
//
// WriteMode::pwrite encodes a batch into a buffer and writes it with one
// pwrite at the end offset instead of storing into the mapping (reads still
// go through the mapping, which shares the page cache): the floor the
// issue names for append_sync, "a bare pwrite + fdatasync of the same batch
// bytes into a preallocated file".
#pragma once

#include <seglog/storage.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace seglog::workload {

class PhysicalStorage final : public Storage {
 public:
  enum class WriteMode { mmap, pwrite };

  // Record bytes of an entry with `payload_bytes` of data, as seglog's.
  static constexpr std::uint64_t record_bytes(std::uint64_t payload_bytes) noexcept {
    return (32 + payload_bytes + 7) & ~std::uint64_t{7};
  }

  // A new store in `dir` (created; must not hold one already) whose data
  // file is preallocated to `capacity_bytes`.
  // Errors: io_error, no_space (posix_fallocate).
  [[nodiscard]] static Result<std::unique_ptr<PhysicalStorage>> create(
      const std::filesystem::path& dir, std::uint64_t capacity_bytes, WriteMode mode);
  // The store a close() left in `dir`.
  // Errors: not_found (no side file: never closed), corrupted (side file
  //         inconsistent with the data file), io_error.
  [[nodiscard]] static Result<std::unique_ptr<PhysicalStorage>> open(
      const std::filesystem::path& dir, WriteMode mode);

  ~PhysicalStorage() override;
  PhysicalStorage(const PhysicalStorage&) = delete;
  PhysicalStorage& operator=(const PhysicalStorage&) = delete;

  [[nodiscard]] Result<PersistentState> get_state() const override;
  [[nodiscard]] Status save_state(const PersistentState& state) override;
  std::uint64_t first_index() const override { return first_index_; }
  std::uint64_t last_index() const override { return base_index_ + offsets_.size() - 1; }
  [[nodiscard]] Result<std::uint64_t> term(std::uint64_t index) const override;
  [[nodiscard]] Result<LogEntry> get_entry(std::uint64_t index) const override;
  [[nodiscard]] Result<EntryView> read_entry(std::uint64_t index) const override;
  [[nodiscard]] Result<std::vector<LogEntry>> get_entries(
      std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes = UINT64_MAX) const override;
  // In place, like get_entries minus the copies: the floor of a range read.
  [[nodiscard]] Status visit_entries(std::uint64_t begin, std::uint64_t end,
                                     const EntryVisitor& visit,
                                     std::uint64_t max_bytes = UINT64_MAX) const override;
  // Appends entries last_index() + 1, ... (no idempotent retry).
  // Errors: gap / invalid_argument (not the next indices), no_space (past
  //         the preallocated capacity), io_error (pwrite), closed.
  [[nodiscard]] Status append_entries(std::span<const LogEntry> entries) override;
  [[nodiscard]] Status truncate_after(std::uint64_t index) override;
  [[nodiscard]] Status truncate_before(std::uint64_t index) override;
  [[nodiscard]] Result<std::optional<Snapshot>> get_snapshot() const override;
  [[nodiscard]] Status save_snapshot(std::span<const std::byte> data, std::uint64_t last_index,
                                     std::uint64_t last_term,
                                     std::span<const std::byte> metadata = {}) override;
  // Issue 17's engine calls are not part of workload W: not supported.
  [[nodiscard]] Status append_entries(std::span<const EntryRef> entries) override;
  [[nodiscard]] Status restart_log(std::uint64_t next_index, std::uint64_t prev_term) override;
  [[nodiscard]] Result<std::optional<std::vector<std::byte>>> get_value(
      std::span<const std::byte> key) const override;
  [[nodiscard]] Status set_value(std::span<const std::byte> key,
                                 std::span<const std::byte> value) override;
  [[nodiscard]] Result<std::optional<ClusterConfig>> get_cluster_config() const override;
  [[nodiscard]] Status save_cluster_config(const ClusterConfig& config) override;
  [[nodiscard]] Status sync() override;
  [[nodiscard]] Status flush() override;
  [[nodiscard]] Status close() override;

 private:
  PhysicalStorage(std::filesystem::path dir, WriteMode mode);
  [[nodiscard]] Status map_data(bool create, std::uint64_t capacity_bytes);
  [[nodiscard]] Status check_readable(std::uint64_t index) const;
  // get_entries' and visit_entries' checks: end clamped to last_index() + 1.
  [[nodiscard]] Result<std::uint64_t> clamp_range(std::uint64_t begin, std::uint64_t end) const;
  // Calls on_record(header, payload) for [begin, end) (clamped) within the
  // byte budget (the first always) until it returns false.
  template <class OnRecord>
  void scan_within(std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes,
                   OnRecord&& on_record) const;

  std::filesystem::path dir_;
  WriteMode mode_;
  int fd_ = -1;
  std::byte* map_ = nullptr;
  std::uint64_t capacity_bytes_ = 0;
  std::uint64_t end_offset_ = 0;  // where the next record goes
  std::uint64_t first_index_ = 1;
  std::uint64_t base_index_ = 1;        // index of offsets_[0]
  std::vector<std::uint64_t> offsets_;  // offsets_[i - base_index_]
  std::vector<std::byte> staging_;      // WriteMode::pwrite: one batch
};

}  // namespace seglog::workload

// seglog/memory_storage.hpp — the Storage contract held in memory, for
// users' unit tests: the same semantics and errors as SegmentedStorage,
// no disk. Thread-safe (one lock). Of the errors storage.hpp lists it
// returns only those that need no disk: closed, and the argument and index
// errors (invalid_argument, including an index or snapshot at UINT64_MAX;
// gap, conflict, entry_too_large, compacted, out_of_range); never
// no_space, io_error, corrupted, stale or read_only.
#pragma once

#include <seglog/storage.hpp>

#include <cstdint>
#include <memory>
#include <mutex>

namespace seglog {

class SEGLOG_API MemoryStorage final : public Storage {
 public:
  // max_entry_size: as Options::max_entry_size.
  explicit MemoryStorage(std::uint64_t max_entry_size = 64ull << 20);
  ~MemoryStorage() override;

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

  struct State;

 private:
  mutable std::mutex mu_;
  std::unique_ptr<State> state_;
};

}  // namespace seglog

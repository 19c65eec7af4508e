// contract/forwarding_storage.hpp — a Storage subclass that forwards only
// the pure virtual calls, so that the contract suite runs Storage's
// default implementations (visit_entries, delete_range) too.
#pragma once

#include <seglog/storage.hpp>

namespace seglog::test {

// Forwards every pure virtual call to `inner`, and nothing else: calls of
// visit_entries and delete_range reach Storage's defaults, as a user's own
// Storage subclass would.
class ForwardingStorage final : public Storage {
 public:
  explicit ForwardingStorage(Storage& inner) : inner_(inner) {}

  Result<PersistentState> get_state() const override { return inner_.get_state(); }
  Status save_state(const PersistentState& state) override { return inner_.save_state(state); }
  Result<std::optional<std::vector<std::byte>>> get_value(
      std::span<const std::byte> key) const override {
    return inner_.get_value(key);
  }
  Status set_value(std::span<const std::byte> key, std::span<const std::byte> value) override {
    return inner_.set_value(key, value);
  }
  std::uint64_t first_index() const override { return inner_.first_index(); }
  std::uint64_t last_index() const override { return inner_.last_index(); }
  Result<std::uint64_t> term(std::uint64_t index) const override { return inner_.term(index); }
  Result<LogEntry> get_entry(std::uint64_t index) const override { return inner_.get_entry(index); }
  Result<EntryView> read_entry(std::uint64_t index) const override {
    return inner_.read_entry(index);
  }
  Result<std::vector<LogEntry>> get_entries(std::uint64_t begin, std::uint64_t end,
                                            std::uint64_t max_bytes) const override {
    return inner_.get_entries(begin, end, max_bytes);
  }
  Status append_entries(std::span<const LogEntry> entries) override {
    return inner_.append_entries(entries);
  }
  Status append_entries(std::span<const EntryRef> entries) override {
    return inner_.append_entries(entries);
  }
  Status truncate_after(std::uint64_t index) override { return inner_.truncate_after(index); }
  Status truncate_before(std::uint64_t index) override { return inner_.truncate_before(index); }
  Status restart_log(std::uint64_t next_index, std::uint64_t prev_term) override {
    return inner_.restart_log(next_index, prev_term);
  }
  Result<std::optional<Snapshot>> get_snapshot() const override { return inner_.get_snapshot(); }
  Status save_snapshot(std::span<const std::byte> data, std::uint64_t last_index,
                       std::uint64_t last_term, std::span<const std::byte> metadata) override {
    return inner_.save_snapshot(data, last_index, last_term, metadata);
  }
  Result<std::optional<ClusterConfig>> get_cluster_config() const override {
    return inner_.get_cluster_config();
  }
  Status save_cluster_config(const ClusterConfig& config) override {
    return inner_.save_cluster_config(config);
  }
  Status sync() override { return inner_.sync(); }
  Status flush() override { return inner_.flush(); }
  Status close() override { return inner_.close(); }

 private:
  Storage& inner_;
};

}  // namespace seglog::test

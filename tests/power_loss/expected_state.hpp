// power_loss/expected_state.hpp — what a directory may open to after a
// power loss: DESIGN.md invariants 2–4 as data. A test keeps a mirror of
// what it appended and what was promised durable; during an operation an
// image may open to the state before or after it.
#pragma once

#include <seglog/entry.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include "support/entries.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seglog::test {

// Entries whose payload depends on the term too, so an entry that a
// truncate_after removed and that came back differs from its replacement.
inline LogEntry power_loss_entry(std::uint64_t index, std::uint64_t term) {
  const std::size_t size = 40 + static_cast<std::size_t>((index * 37) % 300);
  return LogEntry{index, term, static_cast<std::uint8_t>(index % 3),
                  payload_for(index * 7919 + term, size)};
}

inline std::vector<LogEntry> power_loss_entries(std::uint64_t first, std::uint64_t count,
                                                std::uint64_t term) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(power_loss_entry(first + i, term));
  return out;
}

// What restart.json says: where the last restart_log restarted the log.
struct RestartRecord {
  std::uint64_t next_index = 1;
  std::uint64_t prev_term = 0;

  friend bool operator==(const RestartRecord&, const RestartRecord&) = default;
};

// One log a directory may open to: first_index `first`, entries
// [first, first + entries.size()), of which at least [first, synced_last]
// must be there (invariant 2: synced means durable; the rest a prefix).
struct LogState {
  std::string label = "old";
  std::uint64_t first = 1;
  std::vector<LogEntry> entries;
  std::uint64_t synced_last = 0;
  // restart.json beside this log (nullopt: never restarted). The old log
  // and the restarted one differ here too, so an image pairing one's
  // segments with the other's restart.json (a mix) is no allowed state.
  std::optional<RestartRecord> restart;

  std::uint64_t last() const { return first + entries.size() - 1; }
};

using Value = std::vector<std::byte>;
// stable.kv: for each key set so far, the values get_value may return
// (nullopt: absent); two for the key of a set in flight (old, new).
using AllowedValues = std::map<std::string, std::vector<std::optional<Value>>>;

// What an image may open to: any of `logs`, and each of the files beside
// the log one of its listed values (nullopt: absent).
struct Expectation {
  std::vector<LogState> logs;
  std::vector<PersistentState> states{PersistentState{}};
  std::vector<std::optional<ClusterConfig>> clusters{std::nullopt};
  std::vector<std::optional<SnapshotMeta>> snapshots{std::nullopt};
  AllowedValues values;  // empty: the scenario never set a value
};

// The value of the `n`th set_value of a scenario: each set stores bytes of
// its own, so an old value and a new one never compare equal.
inline Value kv_value(std::uint64_t n, std::size_t size) {
  return payload_for(n * 104729 + 11, size);
}

// How messages and labels show a key: a 1 KiB key by its size.
inline std::string key_label(const std::string& key) {
  if (key.size() <= 16) return key;
  return key.substr(0, 4) + ".. (" + std::to_string(key.size()) + " bytes)";
}

// The snapshot data a test saves for last index `last_index`.
inline std::vector<std::byte> snapshot_data(std::uint64_t last_index) {
  return payload_for(last_index * 131 + 7, 3000 + static_cast<std::size_t>(last_index % 500));
}

}  // namespace seglog::test

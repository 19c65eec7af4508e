// power_loss/expected_state.hpp — what a directory may open to after a
// power loss: DESIGN.md invariants 2–4 as data. A test keeps a mirror of
// what it appended and what was promised durable; during an operation an
// image may open to the state before or after it.
#pragma once

#include <seglog/entry.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include "support/entries.hpp"

#include <cstdint>
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

// One log a directory may open to: first_index `first`, entries
// [first, first + entries.size()), of which at least [first, synced_last]
// must be there (invariant 2: synced means durable; the rest a prefix).
struct LogState {
  std::string label = "old";
  std::uint64_t first = 1;
  std::vector<LogEntry> entries;
  std::uint64_t synced_last = 0;

  std::uint64_t last() const { return first + entries.size() - 1; }
};

// What an image may open to: any of `logs`, and each of the files beside
// the log one of its listed values (nullopt: absent).
struct Expectation {
  std::vector<LogState> logs;
  std::vector<PersistentState> states{PersistentState{}};
  std::vector<std::optional<ClusterConfig>> clusters{std::nullopt};
  std::vector<std::optional<SnapshotMeta>> snapshots{std::nullopt};
};

// The snapshot data a test saves for last index `last_index`.
inline std::vector<std::byte> snapshot_data(std::uint64_t last_index) {
  return payload_for(last_index * 131 + 7, 3000 + static_cast<std::size_t>(last_index % 500));
}

}  // namespace seglog::test

// power_loss/image_check.cpp — opening one crash image and comparing what
// it holds with what its crash point allows (image_check.hpp).
#include "power_loss/image_check.hpp"

#include <seglog/segmented_storage.hpp>

#include "support/results.hpp"
#include "support/small_options.hpp"

#include <algorithm>

namespace seglog::test {
namespace {

std::string describe_log(const LogState& log) {
  return log.label + " [" + std::to_string(log.first) + ", " + std::to_string(log.last()) +
         "] synced to " + std::to_string(log.synced_last);
}

// Why `entries` (read from an image, starting at `first`) is not a version
// of `expected`, or "" when it is.
std::string mismatch(const LogState& expected, std::uint64_t first,
                     const std::vector<LogEntry>& entries) {
  if (first != expected.first) return "first index " + std::to_string(first);
  const std::uint64_t last = first + entries.size() - 1;
  if (last + 1 < expected.synced_last + 1) {
    return "last index " + std::to_string(last) + " below the synced " +
           std::to_string(expected.synced_last);
  }
  if (last > expected.last()) return "last index " + std::to_string(last) + " beyond the log";
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const LogEntry& got = entries[k];
    const LogEntry& want = expected.entries[k];
    if (got.index != want.index || got.term != want.term || got.type != want.type ||
        got.data != want.data) {
      return "entry " + std::to_string(first + k) + " differs (term " + std::to_string(got.term) +
             ", " + std::to_string(got.data.size()) + " bytes)";
    }
  }
  return {};
}

// ", state old" / ", state new" when a file had two allowed versions.
std::string which_of(const char* file, std::size_t choices, std::ptrdiff_t position) {
  if (choices < 2) return {};
  return std::string(", ") + file + (position == 0 ? " old" : " new");
}

}  // namespace

ImageVerdict check_image(const std::filesystem::path& dir, const Expectation& expected,
                         bool then_write) {
  auto opened = SegmentedStorage::open(small_options(dir));
  if (!opened) return {{}, "open failed: " + describe(outcome(opened))};
  SegmentedStorage& s = **opened;
  const std::uint64_t first = s.first_index();
  const std::uint64_t last = s.last_index();
  std::vector<LogEntry> entries;
  if (last >= first) {
    auto read = s.get_entries(first, last + 1);
    if (!read) return {{}, "get_entries failed: " + describe(outcome(read))};
    entries = std::move(*read);
    if (entries.size() != last - first + 1) return {{}, "get_entries returned a short range"};
  }
  std::string verdict;
  std::string reasons;
  for (const LogState& log : expected.logs) {
    const std::string why = mismatch(log, first, entries);
    if (why.empty()) {
      verdict = "log " + log.label + (last == log.last() ? " whole" : " prefix");
      break;
    }
    reasons += " [" + describe_log(log) + ": " + why + "]";
  }
  if (verdict.empty()) {
    return {{},
            "log [" + std::to_string(first) + ", " + std::to_string(last) +
                "] is no allowed state:" + reasons};
  }
  auto state = s.get_state();
  if (!state) return {{}, "get_state failed: " + describe(outcome(state))};
  const auto state_at = std::find(expected.states.begin(), expected.states.end(), *state);
  if (state_at == expected.states.end()) {
    return {
        {},
        "state.json holds an unexpected state (term " + std::to_string(state->current_term) + ")"};
  }
  verdict += which_of("state", expected.states.size(), state_at - expected.states.begin());
  auto cluster = s.get_cluster_config();
  if (!cluster) return {{}, "get_cluster_config failed: " + describe(outcome(cluster))};
  const auto cluster_at = std::find(expected.clusters.begin(), expected.clusters.end(), *cluster);
  if (cluster_at == expected.clusters.end()) {
    return {{}, "cluster.json holds an unexpected configuration"};
  }
  verdict += which_of("cluster", expected.clusters.size(), cluster_at - expected.clusters.begin());
  auto snapshot = s.get_snapshot();
  if (!snapshot) return {{}, "get_snapshot failed: " + describe(outcome(snapshot))};
  std::optional<SnapshotMeta> meta;
  if (*snapshot) {
    meta = (*snapshot)->meta;
    if ((*snapshot)->data != snapshot_data(meta->last_index)) {
      return {{}, "snapshot data differs from what was saved"};
    }
  }
  const auto snapshot_at = std::find(expected.snapshots.begin(), expected.snapshots.end(), meta);
  if (snapshot_at == expected.snapshots.end()) {
    return {{}, "snapshot.bin holds an unexpected snapshot"};
  }
  verdict +=
      which_of("snapshot", expected.snapshots.size(), snapshot_at - expected.snapshots.begin());
  if (!then_write) return {verdict, {}};
  // Recovery leaves a writable log: the next entry goes in and syncs.
  const std::uint64_t next = std::max(last + 1, first);
  std::vector<LogEntry> one{power_loss_entry(next, 1000)};
  if (auto appended = s.append_entries(one); !appended) {
    return {{}, "append after recovery failed: " + describe(outcome(appended))};
  }
  if (auto synced = s.sync(); !synced) {
    return {{}, "sync after recovery failed: " + describe(outcome(synced))};
  }
  if (auto closed = s.close(); !closed) {
    return {{}, "close after recovery failed: " + describe(outcome(closed))};
  }
  return {verdict, {}};
}

}  // namespace seglog::test

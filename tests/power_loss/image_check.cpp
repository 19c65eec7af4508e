// power_loss/image_check.cpp — opening one crash image and comparing what
// it holds with what its crash point allows (image_check.hpp).
#include "power_loss/image_check.hpp"

#include <seglog/segmented_storage.hpp>

#include "meta/kv_file.hpp"
#include "meta/restart_file.hpp"
#include "support/results.hpp"
#include "support/small_options.hpp"

#include <algorithm>
#include <map>
#include <span>

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

std::string describe_restart(const std::optional<RestartRecord>& restart) {
  if (!restart) return "no restart.json";
  return "restart.json at " + std::to_string(restart->next_index) + " (term " +
         std::to_string(restart->prev_term) + ")";
}

// restart.json as the open read it.
Result<std::optional<RestartRecord>> restart_in(const std::filesystem::path& dir) {
  auto loaded = seglog::detail::load_restart(dir);
  if (!loaded) return loaded.error();
  if (!*loaded) return std::optional<RestartRecord>{};
  return std::optional<RestartRecord>{RestartRecord{(*loaded)->next_index, (*loaded)->prev_term}};
}

std::string describe_value(const std::optional<Value>& value) {
  return value ? std::to_string(value->size()) + " bytes" : std::string("absent");
}

using Values = std::map<std::string, std::optional<Value>>;

// ", state old" / ", state new" when a file had two allowed versions.
std::string which_of(const char* file, std::size_t choices, std::ptrdiff_t position) {
  if (choices < 2) return {};
  return std::string(", ") + file + (position == 0 ? " old" : " new");
}

// Reads every key through the storage into `got` (the first get_value
// loads stable.kv writable: a torn tail is cut here). Why a value is not
// one the key may hold, or "" when each is.
std::string read_values(const SegmentedStorage& s, const AllowedValues& allowed, Values& got,
                        std::string& verdict) {
  for (const auto& [key, choices] : allowed) {
    auto value = s.get_value(std::as_bytes(std::span(key)));
    if (!value) return "get_value(" + key_label(key) + ") failed: " + describe(outcome(value));
    const auto at = std::find(choices.begin(), choices.end(), *value);
    if (at == choices.end()) {
      std::string might;
      // append(), not " " + ...: g++ 12 -O3 warns -Wrestrict (a false
      // positive) on the concatenation.
      for (const auto& choice : choices)
        might.append(" ").append(describe_value(choice)).append(";");
      return "get_value(" + key_label(key) + ") returned " + describe_value(*value) +
             ", no value the key ever had here (allowed:" + might + ")";
    }
    verdict += which_of("value", choices.size(), at - choices.begin());
    got[key] = *value;
  }
  return {};
}

// stable.kv read cold, as the next process would: each key holds what
// get_value returned, and its live records are exactly theirs (no key
// nobody set, no value from nowhere).
std::string check_stable_kv(const std::filesystem::path& dir, const Values& got) {
  auto kv = seglog::detail::KvFile::open(dir, false);
  if (!kv) return "stable.kv does not open again: " + kv.error().message();
  std::uint64_t live = 0;
  for (const auto& [key, value] : got) {
    if (kv->get(std::as_bytes(std::span(key))) != value) {
      return "stable.kv read again holds another value of " + key_label(key);
    }
    if (value) live += seglog::detail::kv_record_bytes(key.size(), value->size());
  }
  if (kv->live_bytes() != live) {
    return "stable.kv holds records of keys nobody set (" + std::to_string(kv->live_bytes()) +
           " live bytes, the set keys' records " + std::to_string(live) + ")";
  }
  return {};
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
  auto restart = restart_in(dir);
  if (!restart) return {{}, "restart.json does not load: " + describe(outcome(restart))};
  const LogState* matched = nullptr;
  std::string reasons;
  for (const LogState& log : expected.logs) {
    std::string why = mismatch(log, first, entries);
    if (why.empty() && log.restart != *restart) {
      why = describe_restart(*restart) + ", not " + describe_restart(log.restart);
    }
    if (why.empty()) {
      matched = &log;
      break;
    }
    reasons += " [" + describe_log(log) + ": " + why + "]";
  }
  if (matched == nullptr) {
    return {{},
            "log [" + std::to_string(first) + ", " + std::to_string(last) +
                "] is no allowed state:" + reasons};
  }
  std::string verdict = "log " + matched->label + (last == matched->last() ? " whole" : " prefix");
  // The restart's promise: term(next_index - 1) is prev_term while the log
  // starts there (restart.json answers it: no entry does).
  if (matched->restart && first == matched->restart->next_index && first > 1) {
    auto term = s.term(first - 1);
    if (!term || *term != matched->restart->prev_term) {
      return {{},
              "term(" + std::to_string(first - 1) + ") is " +
                  (term ? std::to_string(*term) : describe(outcome(term))) +
                  ", not the restart's " + std::to_string(matched->restart->prev_term)};
    }
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
  Values values;
  if (!expected.values.empty()) {
    if (auto why = read_values(s, expected.values, values, verdict); !why.empty()) return {{}, why};
    if (auto why = check_stable_kv(dir, values); !why.empty()) return {{}, why};
  }
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
  // And a value: where a torn record was cut, the next set appends.
  const std::string key = "after recovery";
  if (!expected.values.empty()) {
    values[key] = kv_value(0, 100);
    if (auto set = s.set_value(std::as_bytes(std::span(key)), *values[key]); !set) {
      return {{}, "set_value after recovery failed: " + describe(outcome(set))};
    }
  }
  if (auto closed = s.close(); !closed) {
    return {{}, "close after recovery failed: " + describe(outcome(closed))};
  }
  if (!expected.values.empty()) {
    if (auto why = check_stable_kv(dir, values); !why.empty()) return {{}, why + " after recovery"};
  }
  return {verdict, {}};
}

}  // namespace seglog::test

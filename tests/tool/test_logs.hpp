// tool/test_logs.hpp — the directories the tool's tests look at, built
// through the public API from a fixed seed, so every byte but the segments'
// random salts (which no golden output shows) is the same on every run.
#pragma once

#include <seglog/seglog.hpp>

#include "log/log_helpers.hpp"
#include "support/temp_dir.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace seglog::tooltest {

namespace fs = std::filesystem;

struct LogShape {
  std::uint64_t seed = 1;
  std::uint64_t entries = 600;
  std::uint64_t segment_size = 64 << 10;  // the smallest: many segments
  // Leave the newest segment unsealed, as a crash does: a child process
  // appends and exits without closing. `unsynced`: entries appended after
  // its last sync.
  bool crash = false;
  std::uint64_t unsynced = 0;
  // state.json (commit index `commit`), cluster.json, and a snapshot of
  // the first `snapshot_at` entries (0: none); truncate_before(compact) if
  // not 0.
  bool meta = true;
  std::uint64_t commit = 20;
  std::uint64_t snapshot_at = 50;
  std::uint64_t compact = 0;
};

struct TestLog {
  test::Model model;  // what the log holds
  std::uint64_t first_index = 1;
  std::uint64_t last_index = 0;
  std::uint64_t synced_last = 0;  // crash: the last index synced
};

// The entry of `index` in `term`: its payload is a function of both, so a
// dumped entry can be checked byte for byte from its index and term alone.
LogEntry tool_entry(std::uint64_t index, std::uint64_t term, std::size_t size);
std::vector<std::byte> tool_payload(std::uint64_t index, std::uint64_t term, std::size_t size);

Options tool_options(const fs::path& dir, std::uint64_t segment_size = 64 << 10);

// Builds the log of `shape` in `dir` (created).
TestLog make_log(const fs::path& dir, const LogShape& shape);

// A log of 900 entries a crash left: sealed segments, an unsealed newest
// one with `unsynced` entries after its last sync, spare segments, state,
// cluster and snapshot; in a temporary directory of its own, where cases
// put their damaged copies.
struct PristineLog {
  PristineLog(std::uint64_t seed, std::uint64_t unsynced);
  std::string name(std::size_t k) const { return segments[k].path.filename().string(); }

  test::TempDir temp;
  fs::path dir = temp / "pristine";
  TestLog log;
  std::vector<test::SegmentFile> segments;
};

// A directory a crash stopped in the middle of restart_log (restart.json
// committed, the old segments not yet unlinked), made through the public
// API: a log of 600 entries (seed `seed`) in 64 KiB segments with a hard
// state that knows the restart's term, restarted at `next` (prev_term
// kRestartPrevTerm), then `appended` entries from `next` in the term after;
// the old segment files are then put back, but for a name a new segment
// took.
inline constexpr std::uint64_t kRestartPrevTerm = 9;
struct Restarted {
  test::Model model;               // what the log holds after the restart
  std::set<std::string> put_back;  // old segment files put back
  std::size_t discarded = 0;       // salts restart.json lists
};
Restarted make_restarted(const fs::path& dir, std::uint64_t seed, std::uint64_t next,
                         std::uint64_t appended);

// The entries a writable open of `dir` serves, checked against `model` for
// [first, last]. Catch2 CHECKs.
void expect_entries(const fs::path& dir, const test::Model& model, std::uint64_t first,
                    std::uint64_t last);

}  // namespace seglog::tooltest

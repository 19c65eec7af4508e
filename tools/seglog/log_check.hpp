// tools/seglog/log_check.hpp — a whole directory judged as a writable open
// would judge it (docs/design.md, "Open": leftovers, a restart's discarded
// segments, the start, unsynced segments, contiguity) plus what open does not look at (every record
// of sealed segments, footers, the snapshot's data) and the consistency of the four parts: log,
// snapshot, hard state, cluster configuration (docs/cli.md, "verify"). Shared by stat, verify and
// repair.
#pragma once

#include <seglog/error.hpp>

#include "directory_scan.hpp"
#include "findings.hpp"
#include "lock_probe.hpp"
#include "meta_files.hpp"
#include "segment_check.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace seglog::tool {

// What a segment file is to the log.
enum class Role {
  log,         // part of the log (possibly damaged)
  superseded,  // below the start a later segment records: a leftover
  unsynced,    // after an interrupted roll, holding nothing synced
  unusable,    // its header cannot be used
  discarded,   // of the log a restart_log dropped: restart.json lists its salt
};
const char* role_name(Role role) noexcept;

struct SegmentInfo {
  Role role = Role::log;
  std::optional<SegmentReport> report;  // log segments
  // This segment does not start where the previous one ends, or is
  // unsealed with a newer segment after it: a writable open fails here.
  bool breaks_chain = false;
};

struct LogReport {
  DirectoryScan scan;
  std::vector<SegmentInfo> segments;  // parallel to scan.segments
  std::vector<std::size_t> chain;     // the log's segments, in order
  std::uint64_t first_index = 1;
  std::uint64_t last_index = 0;
  std::optional<std::uint64_t> first_term;
  std::optional<std::uint64_t> last_term;
  std::uint64_t log_bytes = 0;  // segment files of the log
  MetaFiles meta;
  RestartFile restart;
  LockInfo lock;
  Findings findings;
  std::uint64_t bytes_checked = 0;
  std::uint64_t records_checked = 0;

  std::uint64_t entries() const noexcept {
    return last_index + 1 >= first_index ? last_index + 1 - first_index : 0;
  }
};

// Judges `dir`. Errors: not_found, io_error, stale (a live writer changed a
// file while it was read: judge again).
[[nodiscard]] Result<LogReport> check_log(const fs::path& dir, Depth depth,
                                          const ProgressHook& progress = {});

// Bytes check_log(Depth::full) reads: for the progress bar's total.
std::uint64_t bytes_to_check(const fs::path& dir);

// The directory's shape, to tell whether a live writer changed it between
// two readings: names, salts, sealed ends, start indices, meta inodes.
// Appends and syncs do not change it.
std::string shape_of(const fs::path& dir);

}  // namespace seglog::tool

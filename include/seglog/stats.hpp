// seglog/stats.hpp — counters a service exports to its metrics.
#pragma once

#include <cstdint>

namespace seglog {

// A consistent-enough reading of SegmentedStorage's counters: each field is
// read atomically, the set is not a single snapshot.
//
// Exact on return of the call that changes them (the writer's own thread
// updates them before returning): first_index, last_index,
// entries_appended, bytes_appended, segments (a roll, truncate_after and a
// snapshot install change the set at once), syncs, slow_syncs,
// max_sync_ns, and the counters of the last open (torn_tails_cut,
// torn_bytes_cut, leftovers_removed, clean_open).
//
// Lagging behind background work (design.md, "Background work"): the seal
// of the segment a roll left behind, the unlinks and the boundary rewrite
// after truncate_before run on the storage's own thread after the call
// returns, so sealed_segments, mapped_segments, log_bytes (a seal trims the
// file, a rewrite shrinks the boundary), boundary_rewrites,
// pending_rewrites and sync_failed (a failed background seal) may still
// change. The directory lags too: segments counts the segments below a
// truncate_before's new start out at once, but their files are unlinked
// in the background. flush() waits for all of that work: stats() read
// after it, with no write in between, is exact and matches the directory
// (mapped_segments still moves with reads, which map on demand).
struct Stats {
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t entries_appended = 0;  // since open
  std::uint64_t bytes_appended = 0;    // record bytes, since open
  std::uint64_t segments = 0;          // segment files in the log
  std::uint64_t sealed_segments = 0;
  std::uint64_t mapped_segments = 0;  // segments mapped now (the active one too)
  std::uint64_t mapped_bytes = 0;     // their file bytes
  // The mapping budget in effect (Options::max_mapped_segments and
  // max_mapped_bytes, automatic values resolved at open).
  std::uint64_t max_mapped_segments = 0;
  std::uint64_t max_mapped_bytes = 0;
  std::uint64_t log_bytes = 0;   // bytes of segment files on disk
  std::uint64_t syncs = 0;       // data syncs done (shared ones once)
  std::uint64_t slow_syncs = 0;  // syncs over 100 ms
  std::uint64_t max_sync_ns = 0;
  std::uint64_t torn_tails_cut = 0;     // at the last open
  std::uint64_t torn_bytes_cut = 0;     // at the last open
  std::uint64_t leftovers_removed = 0;  // temp / superseded files at open
  std::uint64_t boundary_rewrites = 0;  // truncate_before rewrites done
  std::uint64_t pending_rewrites = 0;   // waiting (e.g. for disk space)
  bool sync_failed = false;             // sticky until reopen
  bool clean_open = false;              // last open found a clean mark
};

}  // namespace seglog

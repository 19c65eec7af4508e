// seglog/stats.hpp — counters a service exports to its metrics.
#pragma once

#include <cstdint>

namespace seglog {

// A consistent-enough reading of SegmentedStorage's counters: each field is
// read atomically, the set is not a single snapshot.
struct Stats {
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t entries_appended = 0;    // since open
  std::uint64_t bytes_appended = 0;      // record bytes, since open
  std::uint64_t segments = 0;            // segment files in the log
  std::uint64_t sealed_segments = 0;
  std::uint64_t mapped_segments = 0;     // mappings alive (incl. pinned)
  std::uint64_t log_bytes = 0;           // bytes of segment files on disk
  std::uint64_t syncs = 0;               // data syncs done (shared ones once)
  std::uint64_t slow_syncs = 0;          // syncs over 100 ms
  std::uint64_t max_sync_ns = 0;
  std::uint64_t torn_tails_cut = 0;      // at the last open
  std::uint64_t torn_bytes_cut = 0;      // at the last open
  std::uint64_t leftovers_removed = 0;   // temp / superseded files at open
  std::uint64_t boundary_rewrites = 0;   // truncate_before rewrites done
  std::uint64_t pending_rewrites = 0;    // waiting (e.g. for disk space)
  bool sync_failed = false;              // sticky until reopen
  bool clean_open = false;               // last open found a clean mark
};

}  // namespace seglog

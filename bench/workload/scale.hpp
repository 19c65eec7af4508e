// scale.hpp — `workload --scale`: workload W at several log sizes (issue 15,
// "How to measure it"), seglog against its floor at each, with the memory
// each holds and a check of the free disk space before each size.
#pragma once

#include "rounds.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace seglog::workload {

struct ScalePlan {
  // What each size runs; rounds.params.entries is set per size.
  RoundsPlan rounds;
  // Entries per size, run in this order.
  std::vector<std::uint64_t> sizes;
  // Tables for people (one per size, then a summary) instead of JSON.
  bool table = false;
  // Rounds at a size whose records take under kShortSizeBytes, instead of
  // rounds.repeat (0: rounds.repeat at every size). There an append phase
  // lasts under a second, and on a VM whose host takes back free memory
  // one run that lands on such memory is up to 3x slower
  // (docs/performance.md, "At scale"): three rounds leave the median to
  // chance.
  std::uint64_t short_size_repeat = 0;
};

// See ScalePlan::short_size_repeat: 2 GiB of records, 7.4 M entries of
// 256 B.
constexpr std::uint64_t kShortSizeBytes = 2ull << 30;

// The rounds `plan` runs at a size of `entries`.
std::uint64_t repeat_at(const ScalePlan& plan, std::uint64_t entries);

// The disk space one size takes at its peak, when the log of phases 1-7
// and the fresh log of append_sync both exist: entries × (payload padded to
// 8 + a 32-byte record header) × 1.15 (indexes, preallocated tails), the
// same for append_sync's entries, 4 segments (each log's active segment and
// the spare it prepares, allocated whole) and 256 MiB of margin.
std::uint64_t bytes_needed(const Params& params);

// Runs plan.sizes one after another, each as run_rounds(plan.rounds) in
// `root`, and prints one JSON object (or the tables). Progress and the
// space checks go to standard error. Returns the exit status: 0, 1 when a
// run failed, 2 when a size does not fit in the free space of `root`'s
// file system (checked for the biggest size before the first, and for
// each size before it runs); the sizes done by then are still reported.
int run_scale(const ScalePlan& plan, const std::filesystem::path& root);

}  // namespace seglog::workload

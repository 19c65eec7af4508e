// phases.hpp — the eight phases of workload W (shared/WORKLOAD.md,
// "Phases") run against one Subject, results as a Boost.JSON object.
#pragma once

#include "subject.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace seglog::workload {

struct Params {
  std::uint64_t entries = 1'000'000;
  std::uint64_t payload = 256;
  std::uint64_t batch = 64;
  std::uint64_t segment_size = 64ull << 20;
  std::uint64_t sync_entries = 20'000;
  std::uint64_t reads = 1'000'000;
  std::uint64_t ranges = 100'000;
  std::uint64_t range_len = 64;
  std::uint64_t seed = 42;
  // Options::verify_checksums of the seglog store (--no-verify: false).
  bool verify_checksums = true;
  // Options::max_mapped_segments of the seglog store; none: the library's
  // default (--max-mapped-segments).
  std::optional<std::uint32_t> max_mapped_segments;
  // Options::max_mapped_bytes of the seglog store; none: the library's
  // default (--max-mapped-bytes).
  std::optional<std::uint64_t> max_mapped_bytes;
};

// The parameters as the JSON output's "params" reports them;
// max_mapped_segments is the value seglog is opened with (the library's
// default when --max-mapped-segments is not given).
boost::json::object params_json(const Params& params);

// An integer for people: 1,000,000.
std::string with_separators(std::uint64_t value);

// The parameters for a table's heading: "1,000,000 entries of 256 B, ...".
std::string params_line(const Params& params);

// The phase names, in the order they always run.
const std::vector<std::string>& phase_names();

// A failed check or call: the driver prints it and exits non-zero.
class WorkloadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `selected` (a subset of phase_names(), any order) in the spec's
// order on `subject`, with data directories under `root`: `root/log` for
// phases 1-7 and `root/sync` for phase 8, both removed and created afresh
// by the phases that want a fresh directory. `progress` (may be null) gets
// one line per finished phase. Throws WorkloadError.
boost::json::object run_phases(const Params& params, Subject& subject,
                               const std::filesystem::path& root,
                               const std::vector<std::string>& selected, std::ostream* progress);

// Nearest-rank percentile (q in (0, 1]) of sorted samples; 0 if empty.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q);

// VmRSS of this process in KiB, from /proc/self/status (0 if unreadable).
std::uint64_t rss_kib();

// A field of /proc/self/status given in kB ("VmPTE:"), if there is one.
std::optional<std::uint64_t> status_kib(const char* field);

// What the process holds after a phase, as each phase's JSON reports it:
// rss_kib (VmRSS), pte_kib (VmPTE: page tables) and maps (lines of
// /proc/self/maps: its mappings). Reads /proc, so never inside a timed loop.
boost::json::object memory_figures();

}  // namespace seglog::workload

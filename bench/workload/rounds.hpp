// rounds.hpp — `workload --impl all` (and each size of --scale): rounds in
// which every compared implementation runs workload W in a forked child
// process of its own, then the medians and ratios of those rounds.
#pragma once

#include "compare.hpp"
#include "phases.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace seglog::workload {

// How the subject of `impl` is built from the workload's parameters.
SubjectConfig subject_config(const Params& params);

// Runs `phases` on `impl` in this process, data under `root`; `progress`
// (may be null) gets one line per phase. Throws on a failed check or call.
boost::json::object run_one(const Params& params, const std::string& impl,
                            const std::filesystem::path& root,
                            const std::vector<std::string>& phases, std::ostream* progress);

struct RoundsPlan {
  Params params;
  // A subset of compared_impls(), run in that order in odd rounds and in
  // the reverse order in even ones.
  std::vector<std::string> impls;
  std::vector<std::string> phases;
  std::uint64_t repeat = 1;
  GoalSet goals = GoalSet::issue4;
  // One line per implementation started and (from the children) per phase
  // done; may be null.
  std::ostream* progress = nullptr;
};

struct RoundsResult {
  // The per-metric medians of the rounds: impl name -> phases object.
  boost::json::object runs;
  // median_ratios() of the rounds' compare_ratios().
  boost::json::object ratios;
  // Each round: {"order": [the implementations as run], "runs": ...,
  // "ratios": ...}.
  boost::json::array rounds;
};

// plan.repeat rounds, each implementation in a fresh child process (so its
// RSS, page tables and mappings are its own) and in root/<impl>, which is
// removed after its run, failed or not, so the next one starts with the
// same free space. Throws std::runtime_error when a run fails.
RoundsResult run_rounds(const RoundsPlan& plan, const std::filesystem::path& root);

}  // namespace seglog::workload

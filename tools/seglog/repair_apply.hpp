// tools/seglog/repair_apply.hpp — carrying out a repair plan: the
// quarantine folder, its README.txt, the moves and cuts, and the repair
// log (docs/cli.md, "repair": the quarantine). The caller holds the
// directory's lock.
#pragma once

#include <seglog/error.hpp>

#include "repair_plan.hpp"

#include <filesystem>
#include <string>

namespace seglog::tool {

// DIR/quarantine/<UTC time, e.g. 20261207T021500Z>, with -2, -3, ... when
// that exists already. Not created.
std::filesystem::path quarantine_path(const std::filesystem::path& dir);

// Moves and cuts as planned, in order, each durable before the next (the
// quarantined bytes are synced before the segment is changed), then writes
// README.txt into `quarantine` and appends a line to
// DIR/quarantine/repair.log. Errors: io_error, no_space (what was done so
// far stays done and is in the README).
[[nodiscard]] Status apply_repair(const std::filesystem::path& dir, const RepairPlan& plan,
                                  const std::filesystem::path& quarantine);

// The name, in the quarantine, of the bytes a cut moved.
std::string cut_file_name(const RepairAction& action);

}  // namespace seglog::tool

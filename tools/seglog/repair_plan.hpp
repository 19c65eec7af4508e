// tools/seglog/repair_plan.hpp — what repair would do to a damaged
// directory, decided from a full check (docs/cli.md, "repair"): every file
// a writable open would remove or refuse is moved into the quarantine; the
// log is cut at its first damage, the bytes from there kept in the
// quarantine; nothing is deleted.
#pragma once

#include "log_check.hpp"
#include "meta/kv_format.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seglog::tool {

enum class ActionKind {
  move,     // the whole file (or directory) into the quarantine
  cut,      // bytes [offset, end) of a segment into the quarantine, then zeroed,
            // and a new state slot saying the records end at `offset`
  reseal,   // a sealed segment's footer [offset, end) into the quarantine, a
            // new footer built from its records written there, and a new
            // sealed slot with the new point count
  salvage,  // stable.kv copied whole into the quarantine, then replaced
            // (atomic_replace) by a fresh file of its intact records
};

struct RepairAction {
  ActionKind kind = ActionKind::move;
  std::string name;  // in the directory
  std::string why;
  std::uint64_t offset = 0;  // cut
  std::uint64_t end = 0;     // cut: the end of the non-zero bytes moved
  // cut, reseal: the segment's identity and state, for its new state slot
  // (and footer).
  std::uint64_t salt = 0;
  std::optional<detail::SegmentState> state;
  std::optional<detail::SegmentIdentity> identity;
  // Indices the action takes out of the log, when known.
  std::optional<std::uint64_t> first_index;
  std::optional<std::uint64_t> last_index;
  // salvage: the pairs kept, and what is lost (for people).
  detail::KvMap kv_values;
  std::vector<std::string> lost;
};

struct RepairPlan {
  std::vector<RepairAction> actions;
  // Damage repair leaves to the operator (the parts disagree, but which is
  // right is not the tool's to guess).
  Findings not_repaired;
};

// Errors: io_error (reading how far a cut's bytes reach).
[[nodiscard]] Result<RepairPlan> plan_repair(const LogReport& report);

// "move NAME into the quarantine: WHY" / "cut NAME at offset ...".
std::string describe(const RepairAction& action);
const char* action_name(ActionKind kind) noexcept;

}  // namespace seglog::tool

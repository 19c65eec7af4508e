// tools/seglog/repair_plan.cpp — deciding the repair (docs/cli.md,
// "repair": what is moved, what is cut, what is left to the operator).
#include "repair_plan.hpp"

#include "format/file_names.hpp"

#include <algorithm>

namespace seglog::tool {

namespace {

RepairAction move_action(std::string name, std::string why) {
  RepairAction a;
  a.kind = ActionKind::move;
  a.name = std::move(name);
  a.why = std::move(why);
  return a;
}

// Indices a whole segment held, for the README (from its name alone when
// its header is unreadable).
void note_indices(RepairAction& a, const SegmentInfo& info, const SegmentHeader& h) {
  if (info.report && info.report->last_index >= info.report->start_index) {
    a.first_index = info.report->start_index;
    a.last_index = info.report->last_index;
  } else if (!info.report) {
    a.first_index = h.name_index;
  }
}

// The reason a segment is the log's first damage, from its findings.
std::string first_damage_of(const SegmentReport& report) {
  for (const Finding& f : report.findings.all()) {
    if (f.kind == "torn_tail") return f.message;
    if (f.severity == Severity::damage) return describe(f);
  }
  return "damaged";
}

}  // namespace

const char* action_name(ActionKind kind) noexcept {
  switch (kind) {
    case ActionKind::move:
      return "move";
    case ActionKind::cut:
      return "cut";
    case ActionKind::reseal:
      break;
  }
  return "reseal";
}

std::string describe(const RepairAction& a) {
  std::string out;
  if (a.kind == ActionKind::move) {
    out = "move " + a.name + " into the quarantine";
  } else if (a.kind == ActionKind::reseal) {
    out = "rebuild the footer of " + a.name + " from its records: move its old footer (bytes " +
          std::to_string(a.offset) + ".." + std::to_string(a.end) +
          ") into the quarantine and write the new one there";
  } else {
    out = "cut " + a.name + " at offset " + std::to_string(a.offset) + ": move its bytes " +
          std::to_string(a.offset) + ".." + std::to_string(a.end) +
          " into the quarantine, zero them, and record that its records end there";
  }
  if (a.first_index && a.last_index) {
    out +=
        " (indices " + std::to_string(*a.first_index) + ".." + std::to_string(*a.last_index) + ")";
  } else if (a.first_index) {
    out += " (indices from " + std::to_string(*a.first_index) + ")";
  }
  return out + "; why: " + a.why;
}

Result<RepairPlan> plan_repair(const LogReport& r) {
  RepairPlan plan;
  const auto& segs = r.scan.segments;
  for (const OtherFile& o : r.scan.others) {
    if (o.kind == FileKind::temporary) {
      plan.actions.push_back(move_action(o.name,
                                         "a temporary file of an interrupted operation, which a "
                                         "writable open would delete"));
    } else if (o.kind == FileKind::spare) {
      plan.actions.push_back(
          move_action(o.name, "a spare segment never used, which a writable open would delete"));
    } else if (o.kind == FileKind::stray && o.directory && detail::parse_segment_name(o.name)) {
      plan.actions.push_back(
          move_action(o.name, "a directory named like a segment fails every open"));
    }
  }
  for (std::size_t k = 0; k < segs.size(); ++k) {
    const SegmentInfo& info = r.segments[k];
    RepairAction a;
    switch (info.role) {
      case Role::superseded:
        a = move_action(
            segs[k].name,
            "below the log's start (compacted entries), which a writable open would delete");
        break;
      case Role::unsynced:
        a = move_action(segs[k].name,
                        "holds nothing synced (an interrupted roll), which a writable "
                        "open would delete");
        break;
      case Role::unusable:
        a = move_action(segs[k].name,
                        "unreadable header: " + (segs[k].unreadable.empty()
                                                     ? std::string("no first index in its header")
                                                     : segs[k].unreadable));
        break;
      case Role::log:
        continue;
    }
    note_indices(a, info, segs[k]);
    plan.actions.push_back(std::move(a));
  }
  // The log's first damage: the log ends before it; what follows goes.
  std::optional<std::size_t> cut_at;
  for (std::size_t c = 0; c < r.chain.size() && !cut_at; ++c) {
    const std::size_t k = r.chain[c];
    const SegmentInfo& info = r.segments[k];
    const SegmentHeader& h = segs[k];
    if (info.role != Role::log) continue;
    const SegmentReport* report = info.report ? &*info.report : nullptr;
    bool moved_whole = false;
    for (const Finding& f : r.findings.all()) {
      if (f.kind == "contiguity" && f.file == h.name) moved_whole = true;
    }
    if (moved_whole) {
      RepairAction a = move_action(h.name, "starts at index " + std::to_string(h.first_index()) +
                                               ", not where the log before it ends: the log ends "
                                               "before it");
      note_indices(a, info, h);
      plan.actions.push_back(std::move(a));
      cut_at = c;
      break;
    }
    if (!report) continue;
    if (report->footer_only_damage && !info.breaks_chain) {
      // Every record is whole: only the footer is rebuilt, and the log
      // goes on after this segment.
      RepairAction a;
      a.kind = ActionKind::reseal;
      a.name = h.name;
      a.offset = h.state->footer_offset;
      a.end = h.file_bytes;
      a.salt = h.salt();
      a.state = h.state;
      a.identity = h.identity;
      a.why = first_damage_of(*report);
      plan.actions.push_back(std::move(a));
      continue;
    }
    std::optional<std::uint64_t> offset = report->cut_offset;
    std::optional<std::uint64_t> index = report->cut_index;
    if (info.breaks_chain && !offset) {
      offset = report->records_end;  // unsealed behind a newer segment
      index = report->last_index + 1;
    }
    if (!offset) continue;
    auto end = data_end(h.path, *offset, h.file_bytes);
    if (!end) return end.error();
    RepairAction a;
    a.kind = ActionKind::cut;
    a.name = h.name;
    a.offset = *offset;
    a.end = std::max(*end, *offset);
    a.salt = h.salt();
    a.state = h.state;
    a.first_index = index;
    a.why = info.breaks_chain ? "not sealed, yet a newer segment exists" : first_damage_of(*report);
    plan.actions.push_back(std::move(a));
    cut_at = c;
  }
  if (cut_at) {
    for (std::size_t c = *cut_at + 1; c < r.chain.size(); ++c) {
      const std::size_t k = r.chain[c];
      RepairAction a = move_action(
          segs[k].name, "follows the log's first damage (in " + segs[r.chain[*cut_at]].name + ")");
      note_indices(a, r.segments[k], segs[k]);
      plan.actions.push_back(std::move(a));
    }
  }
  if (r.meta.snapshot_damaged) {
    plan.actions.push_back(move_action("snapshot.bin", "damaged: every open fails on it"));
  }
  if (r.meta.state_damaged) {
    plan.actions.push_back(
        move_action("state.json",
                    "damaged: the node cannot read its hard state; without it the "
                    "node starts at term 0 with no vote — restore it if you can"));
  }
  if (r.meta.cluster_damaged) {
    plan.actions.push_back(
        move_action("cluster.json", "damaged: the node cannot read its configuration"));
  }
  for (const Finding& f : r.findings.all()) {
    if (f.severity == Severity::damage &&
        (f.kind == "snapshot_log" || f.kind == "state_log" || f.kind == "cluster_log")) {
      plan.not_repaired.damage(f.kind, f.file, f.message, f.offset, f.index);
    }
  }
  return plan;
}

}  // namespace seglog::tool

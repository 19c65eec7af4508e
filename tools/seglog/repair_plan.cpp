// tools/seglog/repair_plan.cpp — deciding the repair (docs/cli.md,
// "repair": what is moved, what is cut, what is left to the operator).
#include "repair_plan.hpp"

#include "format/file_names.hpp"
#include "meta/restart_file.hpp"

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

// The files beside the log: damaged ones are moved (stable.kv salvaged).
void plan_meta(const LogReport& r, RepairPlan& plan) {
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
  if (r.restart.damaged && r.scan.segments.empty()) {
    plan.actions.push_back(move_action(
        std::string(detail::kRestartFileName),
        "damaged: every open fails on it. No segment is left, so nothing of the log depends on "
        "it, but the restart point it held (where the log restarted, the term before it) is "
        "lost: the log opens empty at index 1, and term(N - 1) is no longer answered"));
  } else if (r.restart.damaged) {
    plan.not_repaired.damage(
        "restart_file", std::string(detail::kRestartFileName),
        "damaged, and segment files remain: which of them restart_log discarded is unknown, and "
        "without the file an open would serve a discarded log as the node's. Nothing of the log "
        "is moved or cut. Restore restart.json from a backup, or move the segments out of the "
        "directory and let the node catch up from its leader");
  }
  if (r.meta.kv && r.meta.kv->damaged()) {
    const KvReport& kv = *r.meta.kv;
    if (kv.salt) {
      RepairAction a;
      a.kind = ActionKind::salvage;
      a.name = std::string(detail::kKvFileName);
      a.kv_values = kv.values;
      for (const KvLoss& loss : kv.lost) a.lost.push_back(describe(loss));
      a.why =
          "damaged: every get_value and set_value fails on it (corrupted); a salvage keeps "
          "every record whose checksum holds (the last of a key wins, as in the file)";
      plan.actions.push_back(std::move(a));
    } else {
      plan.actions.push_back(move_action(
          std::string(detail::kKvFileName),
          "damaged beyond salvage (no record checks out with its header's salt): every "
          "get_value and set_value fails on it; without it the store is empty (every key lost)"));
    }
  }
}

// Damage repair leaves to the operator.
void add_not_repaired(const LogReport& r, RepairPlan& plan) {
  for (const Finding& f : r.findings.all()) {
    if (f.severity == Severity::damage &&
        (f.kind == "snapshot_log" || f.kind == "state_log" || f.kind == "cluster_log")) {
      plan.not_repaired.damage(f.kind, f.file, f.message, f.offset, f.index);
    }
  }
}

}  // namespace

const char* action_name(ActionKind kind) noexcept {
  switch (kind) {
    case ActionKind::move:
      return "move";
    case ActionKind::cut:
      return "cut";
    case ActionKind::reseal:
      return "reseal";
    case ActionKind::salvage:
      break;
  }
  return "salvage";
}

std::string describe(const RepairAction& a) {
  std::string out;
  if (a.kind == ActionKind::move) {
    out = "move " + a.name + " into the quarantine";
  } else if (a.kind == ActionKind::salvage) {
    out = "copy " + a.name + " into the quarantine and replace it with its " +
          std::to_string(a.kv_values.size()) + " intact keys";
    for (const std::string& lost : a.lost) out += "; lost: " + lost;
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
  if (r.restart.damaged && !segs.empty()) {
    // Which segments are the log is unknown: nothing of them is touched
    // (plan_meta says why, in not_repaired).
    plan_meta(r, plan);
    add_not_repaired(r, plan);
    return plan;
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
      case Role::discarded:
        a = move_action(segs[k].name,
                        "a segment restart_log discarded (restart.json lists its salt), which a "
                        "writable open would delete");
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
  plan_meta(r, plan);
  add_not_repaired(r, plan);
  return plan;
}

}  // namespace seglog::tool

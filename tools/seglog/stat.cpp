// tools/seglog/stat.cpp — `seglog stat DIR`: one screen about a directory,
// from its listing and header pages (the newest segment scanned when
// unsealed, as open does), never every record (docs/cli.md, "stat").
#include "checked_log.hpp"
#include "commands.hpp"
#include "human_format.hpp"
#include "json_out.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace seglog::tool {

namespace json = boost::json;

namespace {

// The segment's condition, one word: ok, damaged, torn-tail, or its role.
std::string condition_of(const LogReport& r, std::size_t k) {
  const SegmentInfo& info = r.segments[k];
  if (info.role != Role::log) return role_name(info.role);
  if (info.breaks_chain) return "damaged";
  if (!info.report) return "?";
  if (!info.report->findings.clean()) return "damaged";
  if (info.report->verdict == detail::Verdict::torn_tail) return "torn-tail";
  return "ok";
}

std::string sealed_word(const SegmentHeader& h, bool writer) {
  if (!h.identity) return "?";
  if (h.sealed()) return "sealed";
  return writer ? "active" : "unsealed";
}

std::string indices_of(const LogReport& r, std::size_t k, std::uint64_t& entries) {
  entries = 0;
  const auto& report = r.segments[k].report;
  if (!report) return "-";
  if (report->last_index < report->start_index) {
    return "(none kept; next " + std::to_string(report->next_index) + ")";
  }
  entries = report->last_index - report->start_index + 1;
  return std::to_string(report->start_index) + ".." + std::to_string(report->last_index);
}

std::string term_text(const std::optional<std::uint64_t>& term) {
  return term ? "term " + std::to_string(*term) : "term ?";
}

std::size_t discarded_present(const LogReport& r) {
  return static_cast<std::size_t>(
      std::count_if(r.segments.begin(), r.segments.end(),
                    [](const SegmentInfo& i) { return i.role == Role::discarded; }));
}

const char* kv_condition(const KvReport& kv) {
  if (kv.damaged()) return "damaged";
  return kv.tail == detail::KvTail::torn ? "torn-tail" : "ok";
}

json::value restart_json(const LogReport& r) {
  if (!r.restart.restart) return nullptr;
  const detail::LogRestart& restart = *r.restart.restart;
  return json::object{{"next_index", restart.next_index},
                      {"prev_term", restart.prev_term},
                      {"discarded_salts", restart.discarded_salts.size()},
                      {"discarded_present", discarded_present(r)}};
}

json::value kv_json(const std::optional<KvReport>& kv) {
  if (!kv) return nullptr;
  return json::object{{"keys", kv->values.size()},
                      {"records", kv->records},
                      {"used_bytes", kv->used_bytes},
                      {"bytes", kv->file_bytes},
                      {"condition", kv_condition(*kv)}};
}

std::string restart_text(const LogReport& r) {
  if (r.restart.damaged) return "damaged (see below): every open fails";
  if (!r.restart.restart) return "none";
  const detail::LogRestart& restart = *r.restart.restart;
  const std::size_t listed = restart.discarded_salts.size();
  return "at index " + std::to_string(restart.next_index) + " (term " +
         std::to_string(restart.prev_term) + " before it); discarded " + std::to_string(listed) +
         (listed == 1 ? " segment, " : " segments, ") + std::to_string(discarded_present(r)) +
         " still present";
}

std::string kv_text(const std::optional<KvReport>& kv) {
  if (!kv) return "none";
  const std::size_t keys = kv->values.size();
  std::string out = std::to_string(keys) + (keys == 1 ? " key, " : " keys, ");
  if (kv->damaged()) return "damaged (see below); a repair keeps " + out.substr(0, out.size() - 2);
  out += human_bytes(kv->used_bytes) + " used of " + human_bytes(kv->file_bytes);
  if (kv->tail == detail::KvTail::torn) out += ", a torn tail (see below)";
  return out;
}

json::object stat_json(const StatOptions& options, const CheckedLog& checked) {
  const LogReport& r = checked.report;
  json::object out;
  out["dir"] = json_text(options.dir.string());
  out["version"] = tool_version();
  json::object log;
  log["first_index"] = r.first_index;
  log["last_index"] = r.last_index;
  log["first_term"] = json_optional(r.entries() ? r.first_term : std::nullopt);
  log["last_term"] = json_optional(r.last_term);
  log["entries"] = r.entries();
  log["bytes"] = r.log_bytes;
  log["segments"] = r.chain.size();
  out["log"] = std::move(log);
  json::array segments;
  for (std::size_t k = 0; k < r.scan.segments.size(); ++k) {
    const SegmentHeader& h = r.scan.segments[k];
    const auto& report = r.segments[k].report;
    json::object s;
    s["name"] = json_text(h.name);
    s["first_index"] = h.first_index();
    const bool keeps = report && report->last_index >= report->start_index;
    s["start_index"] = json_optional(report ? std::optional(report->start_index) : std::nullopt);
    s["last_index"] = json_optional(keeps ? std::optional(report->last_index) : std::nullopt);
    s["entries"] = keeps ? report->last_index - report->start_index + 1 : 0;
    s["bytes"] = h.file_bytes;
    s["capacity"] = json_optional(h.identity ? std::optional(h.identity->capacity) : std::nullopt);
    s["sealed"] = h.sealed();
    s["synced_end"] = json_optional(h.state ? std::optional(h.state->synced_end) : std::nullopt);
    s["role"] = role_name(r.segments[k].role);
    s["condition"] = condition_of(r, k);
    segments.push_back(std::move(s));
  }
  out["segments"] = std::move(segments);
  out["snapshot"] = snapshot_json(r.meta.snapshot);
  out["state"] = state_json(r.meta.state);
  out["cluster"] = cluster_json(r.meta.cluster);
  out["lock"] = json::object{{"held", r.lock.held},
                             {"pid", r.lock.pid ? json::value(*r.lock.pid) : json::value(nullptr)}};
  json::array leftovers;
  for (const OtherFile& o : r.scan.others) {
    if (o.kind == FileKind::temporary || o.kind == FileKind::spare) {
      leftovers.push_back(json::object{{"name", json_text(o.name)}, {"kind", kind_name(o.kind)}});
    }
  }
  for (std::size_t k = 0; k < r.scan.segments.size(); ++k) {
    const Role role = r.segments[k].role;
    if (role == Role::superseded || role == Role::unsynced || role == Role::discarded) {
      leftovers.push_back(
          json::object{{"name", json_text(r.scan.segments[k].name)}, {"kind", role_name(role)}});
    }
  }
  out["leftovers"] = std::move(leftovers);
  out["problems"] = findings_json(r.findings);
  out["unsettled"] = checked.unsettled;
  out["restart"] = restart_json(r);
  out["kv"] = kv_json(r.meta.kv);
  return out;
}

std::string stat_text(const StatOptions& options, const CheckedLog& checked) {
  const LogReport& r = checked.report;
  Table summary({false, false});
  summary.add({"directory", escaped_text(options.dir.string())});
  std::string log;
  if (r.entries() == 0) {
    log = "empty: first index " + std::to_string(r.first_index) + ", last index " +
          std::to_string(r.last_index);
    if (r.last_term) log += " (" + term_text(r.last_term) + ")";
  } else {
    log = "indices " + std::to_string(r.first_index) + " (" + term_text(r.first_term) + ") .. " +
          std::to_string(r.last_index) + " (" + term_text(r.last_term) +
          "): " + std::to_string(r.entries()) + " entries";
  }
  log += ", " + human_bytes(r.log_bytes) + " in " + std::to_string(r.chain.size()) +
         (r.chain.size() == 1 ? " segment" : " segments");
  summary.add({"log", log});
  if (r.meta.snapshot) {
    summary.add({"snapshot", "last index " + std::to_string(r.meta.snapshot->last_index) +
                                 ", last term " + std::to_string(r.meta.snapshot->last_term) +
                                 ", " + human_bytes(r.meta.snapshot->size) + " of data"});
  } else {
    summary.add({"snapshot", r.meta.snapshot_damaged ? "damaged (see below)" : "none"});
  }
  if (r.meta.state) {
    const PersistentState& s = *r.meta.state;
    summary.add({"hard state", "term " + std::to_string(s.current_term) + ", voted for " +
                                   (s.voted_for.empty() ? "nobody" : escaped_text(s.voted_for)) +
                                   ", commit index " + std::to_string(s.commit_index)});
  } else {
    summary.add({"hard state", r.meta.state_damaged ? "damaged (see below)" : "none saved"});
  }
  if (r.meta.cluster) {
    const ClusterConfig& c = *r.meta.cluster;
    std::string text = "index " + std::to_string(c.index) + ", term " + std::to_string(c.term) +
                       ", " + std::to_string(c.members.size()) + " members";
    for (std::size_t i = 0; i < c.members.size(); ++i) {
      text += (i == 0 ? ": " : ", ") + escaped_text(c.members[i].id) + " (" +
              escaped_text(c.members[i].address) + (c.members[i].voter ? ")" : ", non-voter)");
    }
    summary.add({"cluster", text});
  } else {
    summary.add({"cluster", r.meta.cluster_damaged ? "damaged (see below)" : "none saved"});
  }
  summary.add({"restart", restart_text(r)});
  summary.add({"key-value", kv_text(r.meta.kv)});
  std::string writer = "none (LOCK not held)";
  if (r.lock.held) {
    writer = r.lock.pid ? "pid " + std::to_string(*r.lock.pid) + " holds the LOCK"
                        : "a process holds the LOCK (pid unknown)";
  }
  summary.add({"writer", writer});
  std::string out = summary.render();

  if (!r.scan.segments.empty()) {
    Table segments({false, true, true, true, false, false});
    segments.add({"segment", "indices", "entries", "size", "kind", "condition"});
    for (std::size_t k = 0; k < r.scan.segments.size(); ++k) {
      const SegmentHeader& h = r.scan.segments[k];
      std::uint64_t entries = 0;
      const std::string indices = indices_of(r, k, entries);
      segments.add({escaped_text(h.name), indices, std::to_string(entries),
                    human_bytes(h.file_bytes), sealed_word(h, r.lock.held), condition_of(r, k)});
    }
    out += "\nsegments\n" + segments.render("  ");
  }
  std::string leftovers;
  for (const OtherFile& o : r.scan.others) {
    if (o.kind == FileKind::temporary || o.kind == FileKind::spare) {
      leftovers += "  " + escaped_text(o.name) + " (" + kind_name(o.kind) + ", " +
                   human_bytes(o.bytes) + ")\n";
    }
  }
  for (std::size_t k = 0; k < r.scan.segments.size(); ++k) {
    const Role role = r.segments[k].role;
    if (role == Role::superseded || role == Role::unsynced || role == Role::discarded) {
      leftovers += "  " + escaped_text(r.scan.segments[k].name) + " (" + role_name(role) + ")\n";
    }
  }
  if (!leftovers.empty()) out += "\nleftovers (a writable open removes them)\n" + leftovers;
  if (!r.findings.all().empty()) {
    out += "\nproblems (stat reads headers; `seglog verify` checks every record)\n";
    for (const Finding& f : r.findings.all()) out += "  " + describe(f) + "\n";
  } else {
    out += "\nno problem in the headers (`seglog verify` checks every record)\n";
  }
  if (checked.unsettled) {
    out += "note: the writer changed the directory during each of " +
           std::to_string(checked.attempts) + " readings; problems above may be its doing\n";
  }
  return out;
}

}  // namespace

int run_stat(const StatOptions& options) {
  auto checked = check_log_settled(options.dir, Depth::headers);
  if (!checked) {
    std::cerr << "seglog stat: " << checked.error().message() << "\n";
    return kExitError;
  }
  bool written = true;
  if (options.json) {
    written = print_json_line(stdout, stat_json(options, *checked));
  } else {
    const std::string text = stat_text(options, *checked);
    written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
  }
  if (std::fflush(stdout) != 0 || !written) return kExitError;
  return checked->report.findings.clean() ? kExitClean : kExitDamage;
}

}  // namespace seglog::tool

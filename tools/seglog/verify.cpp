// tools/seglog/verify.cpp — `seglog verify DIR`: every record, header,
// state slot, footer and sparse point of every segment, the snapshot's
// data, the state and cluster files, and the four parts against each other
// (docs/cli.md, "verify").
#include "checked_log.hpp"
#include "commands.hpp"
#include "human_format.hpp"
#include "json_out.hpp"
#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace seglog::tool {

namespace json = boost::json;

int run_verify(const VerifyOptions& options) {
  Progress progress(options.progress == ProgressMode::automatic, bytes_to_check(options.dir));
  const auto start = std::chrono::steady_clock::now();
  auto checked = check_log_settled(options.dir, Depth::full,
                                   [&](std::uint64_t bytes) { progress.add(bytes); });
  progress.finish();
  if (!checked) {
    std::cerr << "seglog verify: " << checked.error().message() << "\n";
    return kExitError;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const LogReport& r = checked->report;
  const std::size_t damage = r.findings.damage_count();
  const std::size_t warnings = r.findings.warning_count();
  bool written = true;
  if (options.json) {
    json::object out;
    out["dir"] = json_text(options.dir.string());
    out["version"] = tool_version();
    out["clean"] = damage == 0;
    out["damage"] = damage;
    out["warnings"] = warnings;
    out["segments"] = r.scan.segments.size();
    out["records"] = r.records_checked;
    out["bytes_checked"] = r.bytes_checked;
    out["seconds"] = seconds;
    out["first_index"] = r.first_index;
    out["last_index"] = r.last_index;
    out["attempts"] = checked->attempts;
    out["unsettled"] = checked->unsettled;
    out["findings"] = findings_json(r.findings);
    written = print_json_line(stdout, out);
  } else {
    std::string text;
    for (const Finding& f : r.findings.all()) text += describe(f) + "\n";
    text += (damage == 0 ? "clean: " : "DAMAGED: ") + std::to_string(damage) + " damage, " +
            std::to_string(warnings) + (warnings == 1 ? " warning; " : " warnings; ") +
            std::to_string(r.scan.segments.size()) + " segments, " +
            std::to_string(r.records_checked) + " records, " + human_bytes(r.bytes_checked) +
            " checked\n";
    written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
    // Timing varies run to run: on standard error, and only for a person
    // (a terminal), so the report is stable and pipes carry no noise.
    if (::isatty(STDERR_FILENO) == 1) {
      std::cerr << "seglog verify: " << human_bytes(r.bytes_checked) << " in "
                << static_cast<long long>(seconds * 1000) << " ms ("
                << human_rate(seconds > 0 ? static_cast<double>(r.bytes_checked) / seconds : 0)
                << ")\n";
    }
  }
  if (std::fflush(stdout) != 0 || !written) return kExitError;
  if (checked->unsettled) {
    std::cerr << "seglog verify: the writer changed the directory during each of "
              << checked->attempts
              << " readings; the damage reported may be its doing: run verify again, or stop the "
                 "writer\n";
    return kExitError;
  }
  return damage == 0 ? kExitClean : kExitDamage;
}

}  // namespace seglog::tool

// tools/seglog/checked_log.cpp — retrying a reading the writer moved under.
#include "checked_log.hpp"

#include <chrono>
#include <thread>

namespace seglog::tool {

Result<CheckedLog> check_log_settled(const fs::path& dir, Depth depth, const ProgressHook& progress,
                                     int max_attempts) {
  CheckedLog out;
  for (int attempt = 1;; ++attempt) {
    out.attempts = attempt;
    const std::string before = shape_of(dir);
    auto report = check_log(dir, depth, progress);
    const bool last = attempt >= max_attempts;
    if (!report) {
      if (report.error() != errc::stale || last) return report.error();
    } else {
      // Damage seen while the writer rolled, truncated or replaced files
      // may be a reading of two moments: only a settled reading counts.
      const bool moved = !report->findings.clean() && shape_of(dir) != before;
      if (!moved || last) {
        out.report = std::move(*report);
        out.unsettled = moved;
        return out;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
  }
}

}  // namespace seglog::tool

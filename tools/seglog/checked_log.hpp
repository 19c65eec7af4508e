// tools/seglog/checked_log.hpp — check_log beside a live writer: a reading
// that met a file the writer removed (stale), or that found damage while
// the directory's shape changed under it, is taken again (docs/cli.md,
// "Beside a live writer").
#pragma once

#include "log_check.hpp"

#include <string>

namespace seglog::tool {

struct CheckedLog {
  LogReport report;
  int attempts = 1;
  // The writer changed the directory during every attempt: findings may
  // be the writer's doing rather than damage.
  bool unsettled = false;
};

// Up to `max_attempts` readings. Errors: not_found, io_error, stale (the
// writer removed files during every attempt).
[[nodiscard]] Result<CheckedLog> check_log_settled(const fs::path& dir, Depth depth,
                                                   const ProgressHook& progress = {},
                                                   int max_attempts = 3);

}  // namespace seglog::tool

// tools/seglog/lock_probe.hpp — whether a writer holds the directory's
// LOCK, and which process, without taking it (docs/design.md, "Directory
// lock").
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace seglog::tool {

struct LockInfo {
  bool file_exists = false;
  bool held = false;
  // The holder: an OFD lock has no owner pid (F_OFD_GETLK says -1), so it
  // is the process that has LOCK open, found in /proc; nullopt where the
  // OS does not tell (another user's processes, no /proc).
  std::optional<pid_t> pid;
};

// Tests the lock with F_OFD_GETLK on a read-only descriptor: never takes
// it, never creates LOCK.
LockInfo probe_lock(const std::filesystem::path& dir);

}  // namespace seglog::tool

// sweep/scratch_dir.hpp — the sweep's temporary directory, preferably in
// memory. Each of the sweep's tens of thousands of writable opens seals the
// unsealed newest segment (two fdatasyncs, design.md "Open"), which costs
// about 1.7 ms per fdatasync on the ext4 disk of the CI machine and nothing
// on tmpfs. The sweep tests bytes, not durability, so the file system makes
// no difference to what it checks; only to how long it takes.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace seglog::sweep {

// $SEGLOG_SWEEP_TMPDIR if set, else /dev/shm when it is a writable
// directory, else the system's temporary directory.
inline std::filesystem::path scratch_base() {
  if (const char* chosen = std::getenv("SEGLOG_SWEEP_TMPDIR"); chosen && *chosen) return chosen;
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK | X_OK) == 0) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path();
}

// A directory under scratch_base() that removes itself (unless
// SEGLOG_SWEEP_KEEP=1, to look at a failing case's files).
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (scratch_base() / "seglog-sweep-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed: " + pattern);
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    if (const char* keep = std::getenv("SEGLOG_SWEEP_KEEP"); keep && *keep == '1') return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace seglog::sweep

// fuzz/fuzz_support.hpp — what the libFuzzer targets share: one scratch
// directory per process, reused by every input, and an invariant check that
// crashes the run (docs/reliability.md, "Fuzzing").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

// A broken invariant is a finding: abort, so libFuzzer saves the input.
#define SEGLOG_FUZZ_CHECK(condition)                                                         \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      ::seglog::fuzz::remove_scratch_dir();                                                  \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

namespace seglog::fuzz {

// The scratch directory's path while it exists: a crash ends the process
// without destructors, so the crash paths remove it themselves.
inline char g_scratch_path[4096] = "";

inline void remove_scratch_dir() {
  if (g_scratch_path[0] == '\0') return;
  std::error_code ignored;
  std::filesystem::remove_all(g_scratch_path, ignored);
  g_scratch_path[0] = '\0';
}

// A directory that lives as long as the process. Creating one per input
// would cost more than the input itself; each target empties it instead.
// It goes on tmpfs (/dev/shm) when there is one, so fsyncs cost nothing.
class ScratchDir {
 public:
  static ScratchDir& get() {
    static ScratchDir dir;
    return dir;
  }

  const std::filesystem::path& path() const { return path_; }

  // Removes everything inside, keeping the directory itself.
  void clear() const {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ignored)) {
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }

  // Writes `size` bytes as the file `name` (replacing it).
  void write(const std::string& name, const std::uint8_t* data, std::size_t size) const {
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    SEGLOG_FUZZ_CHECK(out.good());  // the harness failed, not the library
  }

  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

 private:
  ScratchDir() {
    std::error_code error;
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base, error) || ::access(base.c_str(), W_OK) != 0) {
      base = std::filesystem::temp_directory_path();
    }
    std::string pattern = (base / "seglog-fuzz-XXXXXX").string();
    SEGLOG_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr &&
                      pattern.size() < sizeof g_scratch_path);
    path_ = pattern;
    std::snprintf(g_scratch_path, sizeof g_scratch_path, "%s", pattern.c_str());
    // A sanitizer report (SEGV and SIGBUS included) ends here.
    __sanitizer_set_death_callback(remove_scratch_dir);
  }
  ~ScratchDir() { remove_scratch_dir(); }

  std::filesystem::path path_;
};

}  // namespace seglog::fuzz

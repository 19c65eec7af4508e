// tools/seglog/progress.hpp — verify's progress bar on standard error:
// bytes checked, rate, time left; only on a terminal and for a large log,
// so piped or redirected output never carries it (docs/cli.md, "verify").
#pragma once

#include <chrono>
#include <cstdint>

namespace seglog::tool {

class Progress {
 public:
  // Shown when `enabled`, standard error is a terminal and `total_bytes`
  // is at least kLargeBytes.
  Progress(bool enabled, std::uint64_t total_bytes);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add(std::uint64_t bytes);
  // Clears the bar (also done by the destructor).
  void finish();

  static constexpr std::uint64_t kLargeBytes = 256ull << 20;

 private:
  void draw();

  bool shown_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace seglog::tool

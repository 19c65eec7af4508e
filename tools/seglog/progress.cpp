// tools/seglog/progress.cpp — the progress bar, redrawn at most 5 times a
// second with a carriage return.
#include "progress.hpp"

#include "human_format.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace seglog::tool {

Progress::Progress(bool enabled, std::uint64_t total_bytes)
    : shown_(enabled && total_bytes >= kLargeBytes && ::isatty(STDERR_FILENO) == 1),
      total_(total_bytes),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::add(std::uint64_t bytes) {
  done_ += bytes;
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw();
}

void Progress::draw() {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  const std::uint64_t left = total_ > done_ ? total_ - done_ : 0;
  std::string line = "verify: " + human_bytes(std::min(done_, total_)) + " of " +
                     human_bytes(total_) + ", " + human_rate(rate);
  if (rate > 0) line += ", " + human_duration(static_cast<double>(left) / rate) + " left";
  std::fprintf(stderr, "\r%-72s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%72s\r", "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace seglog::tool

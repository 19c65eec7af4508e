// bench_support.hpp — what every <op>_bench.cpp shares: a scratch directory
// removed at exit, entry batches of workload W's bytes, opening a log with
// bench options, and latency percentiles as Google Benchmark counters
// (Google Benchmark reports means only).
#pragma once

#include "workload/workload_data.hpp"

#include <benchmark/benchmark.h>
#include <seglog/entry.hpp>
#include <seglog/options.hpp>
#include <seglog/segmented_storage.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace seglog::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline constexpr std::uint64_t kSeed = 42;
inline constexpr std::uint64_t kMiB = 1ull << 20;

inline std::uint64_t ns_since(Clock::time_point begin) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin).count());
}

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "bench: FAILED: %s\n", what.c_str());
  std::exit(1);
}

inline void check(const Status& status, const std::string& what) {
  if (!status) die(what + ": " + status.error().message());
}

// One scratch directory per process (under $TMPDIR), removed at exit, also
// when SIGINT or SIGTERM (meson's timeout) ends the run; benchmarks make
// their logs in fresh subdirectories of it.
class Scratch {
 public:
  static Scratch& get() {
    static Scratch scratch;
    return scratch;
  }

  // A new, empty, not yet existing directory path under the scratch dir.
  fs::path fresh(const std::string& name) {
    fs::path dir = root_ / (name + "-" + std::to_string(++count_));
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    return dir;
  }

  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

 private:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "seglog-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp " + pattern);
    root_ = pattern;
    root_on_signal() = &root_;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
  }

  static fs::path*& root_on_signal() {
    static fs::path* root = nullptr;
    return root;
  }

  // Not async-signal-safe (remove_all allocates): acceptable for a run
  // that is being killed anyway, better than gigabytes left in $TMPDIR.
  static void on_signal(int sig) {
    if (fs::path* root = root_on_signal()) {
      std::error_code ignored;
      fs::remove_all(*root, ignored);
    }
    std::_Exit(128 + sig);
  }
  fs::path root_;
  std::uint64_t count_ = 0;
};

// Entries first.. of `payload` bytes, workload W's data (index i: term
// 1 + i / 100000, the payload of (seed 42, i)). Buffers are reused.
class BatchMaker {
 public:
  BatchMaker(std::uint64_t batch, std::uint64_t payload) : batch_(batch) {
    for (LogEntry& entry : batch_) entry.data.resize(payload);
  }

  std::span<const LogEntry> make(std::uint64_t first) {
    for (std::uint64_t k = 0; k < batch_.size(); ++k) {
      LogEntry& entry = batch_[k];
      entry.index = first + k;
      entry.term = workload::term_of(entry.index);
      workload::fill_payload(kSeed, entry.index, entry.data);
    }
    return batch_;
  }

 private:
  std::vector<LogEntry> batch_;
};

inline Options bench_options(const fs::path& dir, std::uint64_t segment_size = 64 * kMiB,
                             bool verify_checksums = true) {
  Options options;
  options.dir = dir;
  options.segment_size = segment_size;
  options.verify_checksums = verify_checksums;
  return options;
}

inline std::unique_ptr<SegmentedStorage> open_log(const Options& options) {
  auto opened = SegmentedStorage::open(options);
  if (!opened) die("open " + options.dir.string() + ": " + opened.error().message());
  return std::move(*opened);
}

// Appends entries last_index()+1 .. last_index()+count in batches of 64
// (untimed preparation), then syncs.
inline void fill(SegmentedStorage& log, std::uint64_t count, std::uint64_t payload) {
  BatchMaker maker(64, payload);
  std::uint64_t next = log.last_index() + 1;
  const std::uint64_t end = next + count;
  while (next < end) {
    const std::uint64_t n = std::min<std::uint64_t>(64, end - next);
    auto batch = maker.make(next).first(n);
    check(log.append_entries(batch), "fill: append_entries");
    next += n;
  }
  check(log.sync(), "fill: sync");
}

// Per-operation latencies of one benchmark run; counters p50_ns, p99_ns
// and p999_ns at the end (nearest rank). Samples beyond the reserved capacity are
// dropped, so recording never allocates inside the timed loop.
class Latencies {
 public:
  explicit Latencies(std::size_t capacity = 1u << 21) { samples_.reserve(capacity); }

  void add(std::uint64_t ns) {
    if (samples_.size() < samples_.capacity()) samples_.push_back(ns);
  }

  void report(benchmark::State& state, double scale = 1.0, const char* unit = "ns") {
    if (samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    auto at = [&](double q) {
      std::size_t rank = static_cast<std::size_t>(q * static_cast<double>(samples_.size()));
      if (rank >= samples_.size()) rank = samples_.size() - 1;
      return static_cast<double>(samples_[rank]) / scale;
    };
    state.counters[std::string("p50_") + unit] = at(0.50);
    state.counters[std::string("p99_") + unit] = at(0.99);
    // With fewer than 1,000 samples this is the maximum; always set, so
    // every row of a tabular report has the same columns.
    state.counters[std::string("p999_") + unit] = at(0.999);
  }

 private:
  std::vector<std::uint64_t> samples_;
};

// VmRSS of this process in KiB (0 if unreadable).
inline std::uint64_t rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib;
    }
  }
  return 0;
}

// Uniform indices in [lo, hi] from workload W's position stream.
inline std::vector<std::uint64_t> positions(std::uint64_t lo, std::uint64_t hi, std::size_t count,
                                            std::uint64_t stream) {
  workload::PositionStream stream_of(kSeed, stream);
  std::vector<std::uint64_t> out(count);
  for (std::uint64_t& index : out) index = stream_of.uniform(lo, hi);
  return out;
}

}  // namespace seglog::bench

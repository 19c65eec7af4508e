// read_entry_bench.cpp — point reads: read_entry (zero-copy view) and
// get_entry (owning copy), at the hot tail (the last 1,000 entries, what
// followers catching up and the leader's replication read) and uniformly
// over a large log, with checksum verification on and off
// (Options::verify_checksums).
//
// The log: SEGLOG_BENCH_ENTRIES entries (default 1,000,000) of 256 B,
// workload W's bytes, 64 MiB segments, built once (untimed) and reopened
// when the checksum setting changes.
// BM_read_entry_active_tail: the hot tail of a log kept open after it was
// written (the active segment), without a clock per call.
// BM_read_entry_interval: uniform read_entry, checksums verified, on logs
// built with Options::index_interval_bytes 64 .. 4096 (4096 is the
// default): how much of a random read is the scan from the sparse point.
//
// Each iteration reads one entry and touches its first and last byte;
// p50_ns / p99_ns / p999_ns are per call, measured with steady_clock
// around it (so they include one clock read, ~20-50 ns on this VM); the
// mean is Google Benchmark's.
#include "bench_support.hpp"

#include <map>

namespace seglog::bench {
namespace {

std::uint64_t log_entries() {
  const char* env = std::getenv("SEGLOG_BENCH_ENTRIES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

// The logs the benchmarks here read (one per index interval, built on
// first use), one open at a time, with the checksum setting asked for.
class SharedLog {
 public:
  static SegmentedStorage& get(bool verify_checksums, std::uint32_t interval = 4096) {
    static SharedLog shared;
    return shared.open(verify_checksums, interval);
  }

 private:
  Options options(std::uint32_t interval, bool verify_checksums) {
    Options options = bench_options(dirs_[interval], 64 * kMiB, verify_checksums);
    options.index_interval_bytes = interval;
    return options;
  }

  SegmentedStorage& open(bool verify_checksums, std::uint32_t interval) {
    if (log_ && verify_checksums_ == verify_checksums && interval_ == interval) return *log_;
    if (log_) check(log_->close(), "close");
    log_.reset();
    if (dirs_[interval].empty()) {
      dirs_[interval] = Scratch::get().fresh("read");
      auto log = open_log(options(interval, true));
      fill(*log, log_entries(), 256);
      check(log->close(), "close");
    }
    verify_checksums_ = verify_checksums;
    interval_ = interval;
    log_ = open_log(options(interval, verify_checksums));
    return *log_;
  }

  std::map<std::uint32_t, fs::path> dirs_;
  std::unique_ptr<SegmentedStorage> log_;
  bool verify_checksums_ = true;
  std::uint32_t interval_ = 0;
};

template <bool kCopy>
void read_point(benchmark::State& state, SegmentedStorage& log, bool uniform) {
  const std::uint64_t last = log.last_index();
  const std::uint64_t lo = uniform ? log.first_index() : last - 999;
  const auto at = positions(lo, last, 1u << 16, uniform ? 2 : 1);
  Latencies latencies;
  std::size_t i = 0;
  unsigned touched = 0;
  for (auto _ : state) {
    const std::uint64_t index = at[i++ & (at.size() - 1)];
    const auto begin = Clock::now();
    if constexpr (kCopy) {
      const auto entry = log.get_entry(index);
      if (!entry || entry->index != index) die("get_entry " + std::to_string(index));
      touched += std::to_integer<unsigned>(entry->data.front()) +
                 std::to_integer<unsigned>(entry->data.back());
    } else {
      const auto view = log.read_entry(index);
      if (!view || view->index() != index) die("read_entry " + std::to_string(index));
      touched += std::to_integer<unsigned>(view->data().front()) +
                 std::to_integer<unsigned>(view->data().back());
    }
    latencies.add(ns_since(begin));
  }
  benchmark::DoNotOptimize(touched);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  latencies.report(state);
}

// Args: uniform (0: the last 1,000 entries, 1: the whole log), verify.
void BM_read_entry(benchmark::State& state) {
  read_point<false>(state, SharedLog::get(state.range(1) != 0), state.range(0) != 0);
}
void BM_get_entry(benchmark::State& state) {
  read_point<true>(state, SharedLog::get(state.range(1) != 0), state.range(0) != 0);
}
// Arg: index_interval_bytes.
void BM_read_entry_interval(benchmark::State& state) {
  const auto interval = static_cast<std::uint32_t>(state.range(0));
  read_point<false>(state, SharedLog::get(true, interval), true);
}

// The hot tail of a log still open for writing (the leader's replication
// read): the active segment's recent-offset ring finds each record. No
// clock per call, so the mean is the read itself (what the per-call
// counters above include one clock pair in). The log is written by the
// benchmark process and kept open; Arg: verify.
void BM_read_entry_active_tail(benchmark::State& state) {
  const bool verify = state.range(0) != 0;
  const fs::path dir = Scratch::get().fresh("active");
  auto log = open_log(bench_options(dir, 64 * kMiB, verify));
  fill(*log, log_entries(), 256);
  const std::uint64_t last = log->last_index();
  const auto at = positions(last - 999, last, 1u << 16, 1);
  std::size_t i = 0;
  unsigned touched = 0;
  for (auto _ : state) {
    const std::uint64_t index = at[i++ & (at.size() - 1)];
    const auto view = log->read_entry(index);
    if (!view || view->index() != index) die("read_entry " + std::to_string(index));
    touched += std::to_integer<unsigned>(view->data().front());
  }
  benchmark::DoNotOptimize(touched);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  check(log->close(), "close");
}

BENCHMARK(BM_read_entry)->ArgNames({"uniform", "verify"})->ArgsProduct({{0, 1}, {1, 0}});
BENCHMARK(BM_read_entry_active_tail)->ArgName("verify")->Arg(1)->Arg(0);
BENCHMARK(BM_get_entry)->ArgNames({"uniform", "verify"})->ArgsProduct({{0, 1}, {1, 0}});
BENCHMARK(BM_read_entry_interval)->ArgName("interval")->Arg(64)->Arg(512)->Arg(4096);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

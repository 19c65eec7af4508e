// read_entry_bench.cpp — point reads: read_entry (zero-copy view) and
// get_entry (owning copy), at the hot tail (the last 1,000 entries, what
// followers catching up and the leader's replication read) and uniformly
// over a large log, with checksum verification on and off
// (Options::verify_checksums).
//
// The log: SEGLOG_BENCH_ENTRIES entries (default 1,000,000) of 256 B,
// workload W's bytes, 64 MiB segments, built once (untimed) and reopened
// when the checksum setting changes. Each iteration reads one entry and
// touches its first and last byte; p50_ns / p99_ns / p999_ns are per
// call, measured with steady_clock around it (so they include one clock
// read, ~20-30 ns on a VM); the mean is Google Benchmark's.
#include "bench_support.hpp"

namespace seglog::bench {
namespace {

std::uint64_t log_entries() {
  const char* env = std::getenv("SEGLOG_BENCH_ENTRIES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
}

// The one log every benchmark here reads, opened with the checksum
// setting the benchmark asks for.
class SharedLog {
 public:
  static SegmentedStorage& get(bool verify_checksums) {
    static SharedLog shared;
    return shared.open(verify_checksums);
  }

 private:
  SegmentedStorage& open(bool verify_checksums) {
    if (log_ && verify_checksums_ == verify_checksums) return *log_;
    if (log_) check(log_->close(), "close");
    if (dir_.empty()) {
      dir_ = Scratch::get().fresh("read");
      log_ = open_log(bench_options(dir_));
      fill(*log_, log_entries(), 256);
      check(log_->close(), "close");
    }
    verify_checksums_ = verify_checksums;
    log_ = open_log(bench_options(dir_, 64 * kMiB, verify_checksums));
    return *log_;
  }

  fs::path dir_;
  std::unique_ptr<SegmentedStorage> log_;
  bool verify_checksums_ = true;
};

// Args: uniform (0: the last 1,000 entries, 1: the whole log), verify.
template <bool kCopy>
void read_point(benchmark::State& state) {
  const bool uniform = state.range(0) != 0;
  SegmentedStorage& log = SharedLog::get(state.range(1) != 0);
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

void BM_read_entry(benchmark::State& state) { read_point<false>(state); }
void BM_get_entry(benchmark::State& state) { read_point<true>(state); }

BENCHMARK(BM_read_entry)->ArgNames({"uniform", "verify"})->ArgsProduct({{0, 1}, {1, 0}});
BENCHMARK(BM_get_entry)->ArgNames({"uniform", "verify"})->ArgsProduct({{0, 1}, {1, 0}});

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

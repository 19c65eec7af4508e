// truncate_before_bench.cpp — truncate_before (log compaction after a
// snapshot) against the segment size, 1 .. 64 MiB. The call deletes the
// whole segments below the new first index and rewrites the boundary
// segment (possibly after returning: issue 4 asks the call to return in
// <= 5 ms whatever the size). The log holds 6 segments of 256 B entries;
// iteration k moves the first index to the middle of segment k, so every
// call deletes one segment and starts one boundary rewrite.
// Reports the call's time (manual timing), p50 / p99 in microseconds, and
// rewrite_done_ms: the mean time from the call's return until the log
// counts the boundary rewrite as done (Stats::boundary_rewrites, polled
// every 100 us outside the clock, at most 5 s), so that each call starts
// with no rewrite of the previous one still running.
#include "bench_support.hpp"

#include <thread>

namespace seglog::bench {
namespace {

constexpr std::int64_t kCalls = 4;

void BM_truncate_before(benchmark::State& state) {
  const std::uint64_t segment_bytes = static_cast<std::uint64_t>(state.range(0)) * kMiB;
  const std::uint64_t per_segment = (segment_bytes - 8192) / 288;
  const fs::path dir = Scratch::get().fresh("truncate");
  auto log = open_log(bench_options(dir, segment_bytes));
  // One segment more than the calls need, so every boundary is sealed
  // (an active boundary is not rewritten); closed and reopened so no
  // background work of the fill (seals) is still running.
  fill(*log, (kCalls + 2) * per_segment, 256);
  check(log->close(), "close");
  log = open_log(bench_options(dir, segment_bytes));
  Latencies latencies(64);
  std::uint64_t k = 0;
  std::uint64_t rewrites_before = log->stats().boundary_rewrites;
  std::uint64_t rewrite_done_ns = 0;
  for (auto _ : state) {
    ++k;
    const std::uint64_t first = k * per_segment + per_segment / 2;
    const auto begin = Clock::now();
    const Status truncated = log->truncate_before(first);
    const std::uint64_t ns = ns_since(begin);
    if (!truncated) die("truncate_before: " + truncated.error().message());
    if (log->first_index() != first) die("truncate_before: first_index moved wrong");
    latencies.add(ns);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
    const auto returned = Clock::now();
    while (log->stats().boundary_rewrites < rewrites_before + 1 &&
           Clock::now() - returned < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    rewrite_done_ns += ns_since(returned);
    rewrites_before = log->stats().boundary_rewrites;
  }
  state.counters["rewrite_done_ms"] =
      static_cast<double>(rewrite_done_ns) / 1e6 / static_cast<double>(k);
  state.counters["boundary_rewrites"] = static_cast<double>(log->stats().boundary_rewrites);
  check(log->close(), "close");
  fs::remove_all(dir);
  latencies.report(state, 1e3, "us");
}

BENCHMARK(BM_truncate_before)
    ->ArgName("segment_mib")
    ->RangeMultiplier(4)
    ->Range(1, 64)
    ->Iterations(kCalls)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

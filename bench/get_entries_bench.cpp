// get_entries_bench.cpp — range reads: get_entries(start, start + len) for
// len 1 .. 1024 at uniform starts over a log of SEGLOG_BENCH_ENTRIES
// (default 1,000,000) entries of 256 B, checksums verified (the default).
// items_per_second counts entries; p50_ns / p99_ns are per call.
#include "bench_support.hpp"

namespace seglog::bench {
namespace {

SegmentedStorage& shared_log() {
  static std::unique_ptr<SegmentedStorage> log = [] {
    const char* env = std::getenv("SEGLOG_BENCH_ENTRIES");
    const std::uint64_t entries = env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
    auto opened = open_log(bench_options(Scratch::get().fresh("range")));
    fill(*opened, entries, 256);
    return opened;
  }();
  return *log;
}

void BM_get_entries(benchmark::State& state) {
  SegmentedStorage& log = shared_log();
  const auto len = static_cast<std::uint64_t>(state.range(0));
  const auto starts = positions(log.first_index(), log.last_index() - len + 1, 1u << 14, 3);
  Latencies latencies;
  std::size_t i = 0;
  unsigned touched = 0;
  for (auto _ : state) {
    const std::uint64_t start = starts[i++ & (starts.size() - 1)];
    const auto begin = Clock::now();
    {
      const auto range = log.get_entries(start, start + len);
      if (!range || range->size() != len || range->front().index != start) {
        die("get_entries " + std::to_string(start));
      }
      for (const LogEntry& entry : *range) {
        touched += std::to_integer<unsigned>(entry.data.front()) +
                   std::to_integer<unsigned>(entry.data.back());
      }
    }
    latencies.add(ns_since(begin));
  }
  benchmark::DoNotOptimize(touched);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * len));
  latencies.report(state);
}

BENCHMARK(BM_get_entries)->ArgName("len")->RangeMultiplier(4)->Range(1, 1024);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

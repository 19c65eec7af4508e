// get_entries_bench.cpp — range reads: get_entries(start, start + len)
// (copies) and visit_entries over the same range (in place) for len
// 1 .. 1024 at uniform starts over a log of SEGLOG_BENCH_ENTRIES (default
// 1,000,000) entries of 256 B, checksums verified (the default).
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

// Times read(log, start, len, touched) at uniform starts: the read checks
// what it got (dying otherwise) and adds each entry's first and last byte
// to `touched`.
template <class Read>
void time_ranges(benchmark::State& state, Read read) {
  SegmentedStorage& log = shared_log();
  const auto len = static_cast<std::uint64_t>(state.range(0));
  const auto starts = positions(log.first_index(), log.last_index() - len + 1, 1u << 14, 3);
  Latencies latencies;
  std::size_t i = 0;
  unsigned touched = 0;
  for (auto _ : state) {
    const std::uint64_t start = starts[i++ & (starts.size() - 1)];
    const auto begin = Clock::now();
    read(log, start, len, touched);
    latencies.add(ns_since(begin));
  }
  benchmark::DoNotOptimize(touched);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * len));
  latencies.report(state);
}

unsigned first_and_last(std::span<const std::byte> data) {
  return std::to_integer<unsigned>(data.front()) + std::to_integer<unsigned>(data.back());
}

// Copies: one LogEntry (an allocation and a memcpy) per entry.
void BM_get_entries(benchmark::State& state) {
  time_ranges(state,
              [](SegmentedStorage& log, std::uint64_t start, std::uint64_t len, unsigned& touched) {
                const auto range = log.get_entries(start, start + len);
                if (!range || range->size() != len || range->front().index != start) {
                  die("get_entries " + std::to_string(start));
                }
                for (const LogEntry& entry : *range) touched += first_and_last(entry.data);
              });
}

BENCHMARK(BM_get_entries)->ArgName("len")->RangeMultiplier(4)->Range(1, 1024);

// In place: each entry's view checked and touched inside the visitor.
void BM_visit_entries(benchmark::State& state) {
  time_ranges(state,
              [](SegmentedStorage& log, std::uint64_t start, std::uint64_t len, unsigned& touched) {
                std::uint64_t next = start;
                const Status visited =
                    log.visit_entries(start, start + len, [&next, &touched](const EntryView& view) {
                      if (view.index() != next++) return false;
                      touched += first_and_last(view.data());
                      return true;
                    });
                if (!visited || next != start + len) die("visit_entries " + std::to_string(start));
              });
}

BENCHMARK(BM_visit_entries)->ArgName("len")->RangeMultiplier(4)->Range(1, 1024);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

// append_entries_bench.cpp — append_entries without sync (workload W's
// phase 1 pattern): batch sizes 1 .. 1024 at 256 B payloads, and payloads
// 0 B .. 64 KiB at batches of 64. Segment rolls (preallocating the next
// segment) are inside the clock, as they are for a user; batch generation
// is not (manual timing: Google Benchmark's time is the sum of the timed
// calls). When a log passes 512 MiB it is closed and replaced by a new one
// outside the clock, so disk use stays bounded.
// items_per_second counts entries, bytes_per_second payload bytes; p50_ns /
// p99_ns are per append_entries call.
#include "bench_support.hpp"

namespace seglog::bench {
namespace {

constexpr std::uint64_t kLogCapBytes = 512 * kMiB;

void append(benchmark::State& state, std::uint64_t batch, std::uint64_t payload) {
  const std::uint64_t record_bytes = (32 + payload + 7) / 8 * 8;
  const std::uint64_t entries_per_log = std::max<std::uint64_t>(kLogCapBytes / record_bytes, batch);
  BatchMaker maker(batch, payload);
  fs::path dir = Scratch::get().fresh("append");
  auto log = open_log(bench_options(dir));
  Latencies latencies;
  std::uint64_t next = 1;
  for (auto _ : state) {
    if (next + batch > entries_per_log) {
      check(log->close(), "close");
      log.reset();
      fs::remove_all(dir);
      dir = Scratch::get().fresh("append");
      log = open_log(bench_options(dir));
      next = 1;
    }
    const auto entries = maker.make(next);
    const auto begin = Clock::now();
    const Status appended = log->append_entries(entries);
    const std::uint64_t ns = ns_since(begin);
    latencies.add(ns);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
    if (!appended) die("append_entries: " + appended.error().message());
    next += batch;
  }
  check(log->close(), "close");
  fs::remove_all(dir);
  const auto entries = static_cast<std::int64_t>(state.iterations() * batch);
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(entries * static_cast<std::int64_t>(payload));
  latencies.report(state);
}

void BM_append_entries_batch(benchmark::State& state) {
  append(state, static_cast<std::uint64_t>(state.range(0)), 256);
}

void BM_append_entries_payload(benchmark::State& state) {
  append(state, 64, static_cast<std::uint64_t>(state.range(0)));
}

BENCHMARK(BM_append_entries_batch)
    ->ArgName("batch")
    ->RangeMultiplier(4)
    ->Range(1, 1024)
    ->UseManualTime();
BENCHMARK(BM_append_entries_payload)
    ->ArgName("payload")
    ->Arg(0)
    ->Arg(64)
    ->Arg(256)
    ->Arg(4096)
    ->Arg(65536)
    ->UseManualTime();

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

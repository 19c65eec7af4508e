// sync_bench.cpp — sync after small batches (a Raft leader's append +
// sync, workload W's phase 8): append_entries of `batch` 256 B entries,
// then sync(); batch 0 is a sync with nothing new to write. The time
// reported is append + sync (manual timing); p50_us / p99_us are of the
// sync call alone. On a virtual disk this is the device's flush latency,
// so expect noise.
#include "bench_support.hpp"

namespace seglog::bench {
namespace {

void BM_sync(benchmark::State& state) {
  const auto batch = static_cast<std::uint64_t>(state.range(0));
  const fs::path dir = Scratch::get().fresh("sync");
  auto log = open_log(bench_options(dir));
  BatchMaker maker(std::max<std::uint64_t>(batch, 1), 256);
  fill(*log, 1, 256);  // so that batch 0 syncs a non-empty log
  Latencies latencies(1u << 16);
  for (auto _ : state) {
    const auto entries = maker.make(log->last_index() + 1).first(batch);
    const auto begin = Clock::now();
    const Status appended = log->append_entries(entries);
    const auto sync_begin = Clock::now();
    const Status synced = log->sync();
    const std::uint64_t sync_ns = ns_since(sync_begin);
    const std::uint64_t ns = ns_since(begin);
    if (!appended) die("append_entries: " + appended.error().message());
    if (!synced) die("sync: " + synced.error().message());
    latencies.add(sync_ns);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  check(log->close(), "close");
  fs::remove_all(dir);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
  latencies.report(state, 1e3, "us");
}

BENCHMARK(BM_sync)->ArgName("batch")->Arg(0)->Arg(1)->Arg(8)->Arg(64)->UseManualTime()->Unit(
    benchmark::kMicrosecond);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

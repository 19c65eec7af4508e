// kv_bench.cpp — the key-value store beside the hard state against the hard
// state itself (issue 17: hashicorp's StableStore.Set must be durable on
// return; is it cheaper than save_state?). Each iteration is one durable
// call: set_value of an 8-byte value under "CurrentTerm" (one append and
// fdatasync into the preallocated stable.kv, and now and then a rewrite of
// the file, which this loop includes), save_state (write state.json.tmp,
// fsync, rename, fsync the directory), and, for scale, append_entries of
// one 256 B entry plus sync(). p50_us / p99_us per call. On a virtual disk
// these are the device's flush latencies: expect noise, compare medians.
#include "bench_support.hpp"

namespace seglog::bench {
namespace {

enum class Call { set_value, save_state, append_sync };

void run(benchmark::State& state, Call call) {
  const fs::path dir = Scratch::get().fresh("kv");
  auto log = open_log(bench_options(dir));
  BatchMaker maker(1, 256);
  const std::string key_text = "CurrentTerm";
  const auto* key_bytes = reinterpret_cast<const std::byte*>(key_text.data());
  const std::span<const std::byte> key(key_bytes, key_text.size());
  std::uint64_t term = 0;
  Latencies latencies(1u << 16);
  for (auto _ : state) {
    ++term;
    std::array<std::byte, 8> value{};
    for (std::size_t i = 0; i < 8; ++i) value[i] = static_cast<std::byte>(term >> (8 * i));
    const auto begin = Clock::now();
    Status status;
    switch (call) {
      case Call::set_value:
        status = log->set_value(key, value);
        break;
      case Call::save_state:
        status = log->save_state({term, "n1", term});
        break;
      case Call::append_sync:
        status = log->append_entries(maker.make(log->last_index() + 1));
        if (status) status = log->sync();
        break;
    }
    const std::uint64_t ns = ns_since(begin);
    if (!status) die("call: " + status.error().message());
    latencies.add(ns);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  check(log->close(), "close");
  fs::remove_all(dir);
  latencies.report(state, 1e3, "us");
}

void BM_set_value(benchmark::State& state) { run(state, Call::set_value); }
void BM_save_state(benchmark::State& state) { run(state, Call::save_state); }
void BM_append_sync(benchmark::State& state) { run(state, Call::append_sync); }

BENCHMARK(BM_set_value)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_save_state)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_append_sync)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

// open_bench.cpp — SegmentedStorage::open against the log's size, counted
// in sealed segments (1 MiB segments of 256 B entries, so a log of S
// sealed segments holds about S * 3,600 entries).
//
// BM_open_clean: open after a clean close (the common restart): should
// not grow with the number of sealed segments (issue 4: <= 5 ms).
// BM_open_after_crash: open of a directory whose last writer died without
// close (a forked child opens the log, appends and syncs one entry and
// _exits, outside the clock), so
// open has to scan the newest segment: should cost about one segment's
// scan, whatever the number of sealed segments. Open seals the recovered
// segment (docs/design.md, "unsealed"), so every crash cycle adds one
// sealed segment: the sealed_segments counter is the count at the end.
// Both report rss_kib, this process's VmRSS right after the open (the
// highest seen; it includes the process's own ~5 MiB), and check through
// Stats::clean_open that the open took the path it is named after.
#include "bench_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <map>

namespace seglog::bench {
namespace {

constexpr std::uint64_t kSegmentBytes = 1 * kMiB;
constexpr std::uint64_t kEntriesPerSegment = (kSegmentBytes - 8192) / 288;

// A log with `sealed` full segments and a half-full active one, closed;
// built once per size and shared by both benchmarks.
const fs::path& log_with(std::uint64_t sealed) {
  static std::map<std::uint64_t, fs::path> logs;
  auto [it, inserted] = logs.try_emplace(sealed);
  if (inserted) {
    it->second = Scratch::get().fresh("open");
    auto log = open_log(bench_options(it->second, kSegmentBytes));
    fill(*log, sealed * kEntriesPerSegment + kEntriesPerSegment / 2, 256);
    check(log->close(), "close");
  }
  return it->second;
}

// Leaves `dir` as a crash leaves it: a writer opened it, appended and
// synced one entry, and died without close.
void crash_open(const fs::path& dir) {
  const pid_t child = ::fork();
  if (child < 0) die("fork");
  if (child == 0) {
    auto opened = SegmentedStorage::open(bench_options(dir, kSegmentBytes));
    if (!opened) ::_exit(1);
    BatchMaker maker(1, 256);
    const bool ok =
        (*opened)->append_entries(maker.make((*opened)->last_index() + 1)) && (*opened)->sync();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    die("the crashing child failed to open " + dir.string());
  }
}

void open_log_bench(benchmark::State& state, bool crash) {
  const auto sealed = static_cast<std::uint64_t>(state.range(0));
  const fs::path& dir = log_with(sealed);
  Latencies latencies(4096);
  std::uint64_t rss_after_open = 0;
  std::uint64_t last_index = 0;
  std::uint64_t sealed_segments = 0;
  for (auto _ : state) {
    if (crash) crash_open(dir);
    const auto begin = Clock::now();
    auto opened = SegmentedStorage::open(bench_options(dir, kSegmentBytes));
    const std::uint64_t ns = ns_since(begin);
    if (!opened) die("open: " + opened.error().message());
    rss_after_open = std::max(rss_after_open, rss_kib());
    if ((*opened)->stats().clean_open == crash) {
      die("open: clean_open is not " + std::to_string(!crash));
    }
    last_index = (*opened)->last_index();
    sealed_segments = (*opened)->stats().sealed_segments;
    check((*opened)->close(), "close");
    latencies.add(ns);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  state.counters["entries"] = static_cast<double>(last_index);
  state.counters["sealed_segments"] = static_cast<double>(sealed_segments);
  state.counters["rss_kib"] = static_cast<double>(rss_after_open);
  latencies.report(state, 1e3, "us");
}

void BM_open_clean(benchmark::State& state) { open_log_bench(state, false); }
void BM_open_after_crash(benchmark::State& state) { open_log_bench(state, true); }

BENCHMARK(BM_open_clean)
    ->ArgName("sealed")
    ->RangeMultiplier(4)
    ->Range(1, 256)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_open_after_crash)
    ->ArgName("sealed")
    ->RangeMultiplier(4)
    ->Range(1, 256)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace seglog::bench

BENCHMARK_MAIN();

// memory_bound.cpp — issue 4, item 4: with a mapping budget of 64
// segments (max_mapped_segments; the default is automatic, sized from the
// machine since issue 15, so the run sets it), resident memory stays
// bounded while every entry of a log 4x larger than that bound is read.
//
// The log: 4 * 64 sealed segments of
// SEGLOG_MEMORY_BOUND_SEGMENT_MIB MiB (default 1: small segments keep the
// run short; the bound scales with the segment size, the argument does
// not) of 256 B entries, written, closed, and reopened. Then two passes,
// sampling VmRSS (/proc/self/status) every 1,024 reads:
//   sequential: read_entry of every entry, first to last;
//   random:     50,000 read_entry calls at uniform indices (every read
//               may need a segment that is not mapped: mapping churn).
// Each read checks the entry's index and touches its first and last byte.
//
// The bound asserted with --check (the meson test passes it):
//   peak VmRSS <= VmRSS after open + (max_mapped_segments + 1) * segment
//                 size + 16 MiB
// i.e. the mapped sealed segments, the active one, and a fixed slack for
// the allocator and page-table noise. An unbounded mapping cache would
// reach the whole log (4x the mapped part) and fail it: `--max-mapped N`
// reads with max_mapped_segments = N while keeping the 64's limit,
// and `--expect-over` inverts the check (exit 0 only when some pass went
// over the limit): the meson test memory_bound_catches_unbounded (N = 1024)
// shows that the check catches an unbounded cache.
// Exit status: 0 ok (or no --check), 1 bound exceeded (--check), bound
// kept (--expect-over), or a call failed.
#include "bench_support.hpp"

#include <cinttypes>
#include <cstring>

namespace seglog::bench {
namespace {

struct Pass {
  const char* name;
  std::uint64_t reads = 0;
  std::uint64_t peak_rss_kib = 0;
  std::uint64_t peak_mapped_segments = 0;
  double seconds = 0;
};

class Sampler {
 public:
  explicit Sampler(const SegmentedStorage& log, Pass& pass) : log_(log), pass_(pass) {}
  void maybe_sample(std::uint64_t done) {
    if (done % 1024 != 0) return;
    pass_.peak_rss_kib = std::max(pass_.peak_rss_kib, rss_kib());
    pass_.peak_mapped_segments = std::max(pass_.peak_mapped_segments, log_.stats().mapped_segments);
  }

 private:
  const SegmentedStorage& log_;
  Pass& pass_;
};

unsigned read_checked(const SegmentedStorage& log, std::uint64_t index) {
  const auto view = log.read_entry(index);
  if (!view || view->index() != index || view->data().size() != 256) {
    die("read_entry(" + std::to_string(index) + ")" +
        (view ? std::string(": wrong entry") : ": " + view.error().message()));
  }
  return std::to_integer<unsigned>(view->data().front()) +
         std::to_integer<unsigned>(view->data().back());
}

enum class Expect { nothing, within, over };

// The mapping budget the bound is checked against.
constexpr std::uint64_t kBudget = 64;

int run(Expect expect, std::uint64_t read_max_mapped) {
  const char* env = std::getenv("SEGLOG_MEMORY_BOUND_SEGMENT_MIB");
  const std::uint64_t segment_bytes = (env != nullptr ? std::strtoull(env, nullptr, 10) : 1) * kMiB;
  const std::uint64_t max_mapped = kBudget;
  const std::uint64_t segments = 4 * max_mapped;
  const std::uint64_t per_segment = (segment_bytes - 8192) / 288;
  const std::uint64_t entries = segments * per_segment + per_segment / 2;
  const fs::path dir = Scratch::get().fresh("memory-bound");

  auto start = Clock::now();
  {
    auto log = open_log(bench_options(dir, segment_bytes));
    fill(*log, entries, 256);
    check(log->close(), "close");
  }
  const double write_s = static_cast<double>(ns_since(start)) / 1e9;

  const std::uint64_t rss_before_open = rss_kib();
  Options read_options = bench_options(dir, segment_bytes);
  read_options.max_mapped_segments =
      static_cast<std::uint32_t>(read_max_mapped != 0 ? read_max_mapped : kBudget);
  auto log = open_log(read_options);
  const std::uint64_t rss_after_open = rss_kib();
  const Stats opened = log->stats();
  if (opened.sealed_segments < segments) {
    die("the log has " + std::to_string(opened.sealed_segments) + " sealed segments, want " +
        std::to_string(segments));
  }
  const std::uint64_t limit_kib =
      rss_after_open + ((max_mapped + 1) * segment_bytes + 16 * kMiB) / 1024;

  unsigned touched = 0;
  Pass sequential{"sequential"};
  {
    Sampler sampler(*log, sequential);
    start = Clock::now();
    for (std::uint64_t index = log->first_index(); index <= log->last_index(); ++index) {
      touched += read_checked(*log, index);
      sampler.maybe_sample(++sequential.reads);
    }
    sequential.seconds = static_cast<double>(ns_since(start)) / 1e9;
  }
  Pass random{"random"};
  {
    Sampler sampler(*log, random);
    const auto at = positions(log->first_index(), log->last_index(), 50'000, 2);
    start = Clock::now();
    for (const std::uint64_t index : at) {
      touched += read_checked(*log, index);
      sampler.maybe_sample(++random.reads);
    }
    random.seconds = static_cast<double>(ns_since(start)) / 1e9;
  }
  benchmark::DoNotOptimize(touched);
  check(log->close(), "close");

  const std::uint64_t log_mib = opened.log_bytes / kMiB;
  std::printf("memory_bound: %" PRIu64 " entries of 256 B in %" PRIu64
              " sealed segments of %" PRIu64 " MiB (%" PRIu64
              " MiB on disk), read with max_mapped_segments %" PRIu64 " (bound for %" PRIu64
              "); written in %.2f s\n",
              entries, opened.sealed_segments, segment_bytes / kMiB, log_mib,
              static_cast<std::uint64_t>(read_options.max_mapped_segments), max_mapped, write_s);
  std::printf("memory_bound: VmRSS before open %" PRIu64 " KiB, after open %" PRIu64
              " KiB; limit %" PRIu64 " KiB (after open + (%" PRIu64 " + 1) x %" PRIu64
              " MiB + 16 MiB)\n",
              rss_before_open, rss_after_open, limit_kib, max_mapped, segment_bytes / kMiB);
  auto above_open_kib = [&](const Pass& pass) {
    return static_cast<double>(pass.peak_rss_kib - std::min(pass.peak_rss_kib, rss_after_open));
  };
  bool ok = true;
  for (const Pass* pass : {&sequential, &random}) {
    const bool within = pass->peak_rss_kib <= limit_kib;
    ok = ok && within;
    std::printf("memory_bound: %-10s %8" PRIu64 " reads in %.2f s: peak VmRSS %" PRIu64
                " KiB (%.0f%% of the log's size above after-open), peak mapped segments %" PRIu64
                ": %s\n",
                pass->name, pass->reads, pass->seconds, pass->peak_rss_kib,
                100.0 * above_open_kib(*pass) / static_cast<double>(opened.log_bytes / 1024),
                pass->peak_mapped_segments, within ? "within the limit" : "OVER THE LIMIT");
  }
  if (expect == Expect::within && !ok) return 1;
  if (expect == Expect::over && ok) {
    std::printf("memory_bound: expected a pass over the limit, none was\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace seglog::bench

int main(int argc, char** argv) {
  using seglog::bench::Expect;
  Expect expect = Expect::nothing;
  std::uint64_t read_max_mapped = 0;  // 0: kBudget
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0) {
      expect = Expect::within;
    } else if (std::strcmp(argv[i], "--expect-over") == 0) {
      expect = Expect::over;
    } else if (std::strcmp(argv[i], "--max-mapped") == 0 && i + 1 < argc) {
      read_max_mapped = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "usage: memory_bound [--check | --expect-over] [--max-mapped N]\n"
                   "  --check         exit 1 when peak VmRSS passes the documented limit\n"
                   "  --expect-over   exit 1 unless it does (with --max-mapped)\n"
                   "  --max-mapped N  read with max_mapped_segments = N (the limit stays\n"
                   "                  64 segments: shows that --check catches more)\n"
                   "  env SEGLOG_MEMORY_BOUND_SEGMENT_MIB: segment size in MiB [1]\n");
      return 2;
    }
  }
  return seglog::bench::run(expect, read_max_mapped);
}

// main.cpp — the workload driver: runs the standard Raft-log workload W
// (shared/WORKLOAD.md) against one implementation, or with --impl all
// against seglog and its floors one after another, or with --scale at
// several log sizes, and prints one JSON object (or, with --table, tables
// for people). Exit status: 0 when every check passed, 1 when a check or a
// call failed, 2 on bad flags or (--scale) too little free disk space.
#include "compare.hpp"
#include "phases.hpp"
#include "rounds.hpp"
#include "scale.hpp"
#include "subject.hpp"
#include "workload_data.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using seglog::workload::Params;

constexpr const char* kUsage = R"(usage: workload [flags]

Runs workload W (one append-heavy Raft log life: append, hot and cold point
reads, reopen, range reads, truncate_before, truncate_after, append+sync)
against one storage implementation and prints one JSON object.

  --impl NAME          seglog (SegmentedStorage), memory (MemoryStorage),
                       physical (the machine's floor: the same record bytes
                       stored into one preallocated mapped file, read at
                       the same offsets, no index/checksum/format, synced
                       by a bare fdatasync), physical-pwrite (the same,
                       written with one pwrite per batch), or all   [seglog]
  --entries N          entries appended in phase append (>= 2000)      [1000000]
  --payload BYTES      bytes of data per entry (>= 1)                  [256]
  --batch N            entries per append_entries call                 [64]
  --segment-size BYTES segment capacity for segmented stores           [64Mi]
  --sync-entries N     entries appended in phase append_sync           [20000]
  --reads N            point reads per read phase                      [1000000]
  --ranges N           range reads in phase read_range                 [100000]
  --range-len N        entries per range read                          [64]
  --seed N             seed of payloads and read positions             [42]
  --no-verify          open seglog with Options::verify_checksums = false
                       (reads skip the checksum; "verify_checksums" in
                       the JSON params says which)              [verify]
  --max-mapped-segments N
                       open seglog with Options::max_mapped_segments = N;
                       "max_mapped_segments" in the JSON params is the
                       value used                     [the library's default]
  --max-mapped-bytes BYTES
                       open seglog with Options::max_mapped_bytes = BYTES
                       ("max_mapped_bytes" in the JSON params)
                                                      [the library's default]
  --dir PATH           data directory (its subdirectories log/ and sync/
                       are replaced; with --impl all, <impl>/log and
                       <impl>/sync, each <impl>/ removed after its run);
                       default: a temporary directory, removed at the end
  --phases LIST        comma-separated subset of: append,read_hot,reopen,
                       read_cold,read_range,truncate_before,truncate_after,
                       append_sync (always run in this order)         [all]
  --impls LIST         with --impl all (or --scale): the implementations
                       to run, a comma-separated subset of seglog,physical,
                       physical-pwrite,memory (run in that order, and
                       reversed in even rounds); ratios whose
                       implementations did not run are left out
                                         [all four; --scale: seglog,physical]
  --repeat N           with --impl all: N rounds (each runs every
                       implementation once); tables and ratios are the
                       medians, "rounds" in the JSON holds each one
                                 [1; --scale: 3, 9 under 2 GiB of records]
  --scale              run --impl all at each size of --scale-sizes, one
                       after another (see below); --entries is not allowed
  --scale-sizes LIST   entries per size, comma-separated; here K, M, G are
                       10^3, 10^6, 10^9 (Ki, Mi, Gi: powers of 2)
                                                        [1M,20M,60M]
  --table              print a table for people instead of JSON
  --self-test          check the data generators against the spec's test
                       vectors, then exit
  --help               this text

--impl all runs seglog, physical, physical-pwrite (append phases only) and
memory in this order (reversed in even rounds, so that each runs first as
often as last), one after another, each in a fresh child process
(so each one's RSS is its own) and its own subdirectory, and adds
the ratios of seglog to the floor that issue 4 sets goals on ("ratios"
in the JSON, whose "runs" holds each implementation's phases).

The phases append, read_hot, reopen, read_cold and read_range also report
the memory the process holds at their end, outside the timed loops:
rss_kib (VmRSS), pte_kib (VmPTE, page tables) and maps (lines of
/proc/self/maps).

--scale (issue 15) runs, at each size, --impl all with --impls
seglog,physical, --phases append,read_hot,reopen,read_cold,read_range,
append_sync, --reads 200000 and --repeat 3 (each unless given; without
--repeat, 9 rounds at a size whose records take under 2 GiB, where a phase
lasts under a second and one round on memory a VM's host took back would
decide a median of 3), and judges
the ratios on issue 15's goals (read_cold p50 <= 1.3 and p99 <= 2.0,
read_range >= 0.7, append MB/s >= 0.9 of physical; append_sync keeps issue
4's >= 0.9). Each size starts with an untimed warm-up, an append of that
size by physical, so that the first measured run does not pay alone for
memory a VM's host took back (see docs/performance.md, "At scale"). Each
implementation's data directory is removed after its run. Before the first size it checks that the biggest fits in the free
space of the data directory's file system, and each size before it runs:
entries x (payload + 32 B) x 1.15, plus append_sync's entries, 4 segments
and 256 MiB of margin (60M entries of 256 B: about 19 GiB); if one does not
fit it says so and exits with status 2, reporting the sizes done. Output:
one JSON object, "sizes" holding each size's medians, ratios and rounds;
with --table, a table per size as it ends and a summary across sizes.
Use --dir on the file system to measure (the default is under $TMPDIR).

Sizes and counts take an optional binary suffix: K, M, G (also Ki, Mi, Gi).
Append phases time only the append_entries/sync calls (payload generation
is outside the clock); read latencies include the entry check.
)";

struct Flags {
  Params params;
  std::optional<std::string> impl;  // unset: seglog, or all with --scale
  std::optional<std::vector<std::string>> impls;
  std::optional<fs::path> dir;
  std::optional<std::vector<std::string>> phases;
  bool reads_given = false;
  bool entries_given = false;
  bool repeat_given = false;
  bool table = false;
  std::optional<std::uint64_t> repeat;
  bool scale = false;
  bool scale_sizes_given = false;
  std::vector<std::uint64_t> scale_sizes = {1'000'000, 20'000'000, 60'000'000};
  bool self_test = false;
  bool help = false;
};

// What --scale runs unless told otherwise (issue 15, "How to measure it").
const std::vector<std::string> kScaleImpls = {"seglog", "physical"};
const std::vector<std::string> kScalePhases = {"append",    "read_hot",   "reopen",
                                               "read_cold", "read_range", "append_sync"};
constexpr std::uint64_t kScaleReads = 200'000;
constexpr std::uint64_t kScaleRepeat = 3;
constexpr std::uint64_t kScaleShortSizeRepeat = 9;

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::uint64_t parse_count(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  if (!text.empty() && text[0] != '-') value = std::strtoull(begin, &end, 10);
  if (text.empty() || text[0] == '-' || end == begin || errno != 0) {
    throw UsageError(flag + ": not a number: '" + text + "'");
  }
  std::string_view suffix(end);
  std::uint64_t scale = 1;
  if (suffix == "K" || suffix == "Ki")
    scale = 1ull << 10;
  else if (suffix == "M" || suffix == "Mi")
    scale = 1ull << 20;
  else if (suffix == "G" || suffix == "Gi")
    scale = 1ull << 30;
  else if (!suffix.empty())
    throw UsageError(flag + ": bad suffix in '" + text + "'");
  if (value > UINT64_MAX / scale) throw UsageError(flag + ": too large: '" + text + "'");
  return value * scale;
}

std::vector<std::string> parse_phases(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string name;
  const auto& known = seglog::workload::phase_names();
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw UsageError("--phases: unknown phase '" + name + "'");
    }
    out.push_back(name);
  }
  if (out.empty()) throw UsageError("--phases: no phase named");
  return out;
}

// --impls: a subset of compared_impls(), returned in that order.
std::vector<std::string> parse_impls(const std::string& text) {
  const auto& known = seglog::workload::compared_impls();
  std::vector<std::string> named;
  std::istringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw UsageError("--impls: unknown implementation '" + name + "'");
    }
    named.push_back(name);
  }
  std::vector<std::string> out;
  for (const std::string& impl : known) {
    if (std::find(named.begin(), named.end(), impl) != named.end()) out.push_back(impl);
  }
  if (out.empty()) throw UsageError("--impls: no implementation named");
  return out;
}

// --scale-sizes: entry counts, where K, M and G are decimal, as a log's
// size in entries is usually said (the issue's 1 M, 20 M, 60 M).
std::vector<std::uint64_t> parse_sizes(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::istringstream in(text);
  std::string size;
  while (std::getline(in, size, ',')) {
    if (size.empty()) continue;
    std::uint64_t decimal = 1;
    if (!size.empty() && (size.back() == 'K' || size.back() == 'M' || size.back() == 'G')) {
      decimal = size.back() == 'K' ? 1'000 : size.back() == 'M' ? 1'000'000 : 1'000'000'000;
      size.pop_back();
    }
    const std::uint64_t count = parse_count("--scale-sizes", size);
    if (count > UINT64_MAX / decimal) throw UsageError("--scale-sizes: too large: '" + text + "'");
    out.push_back(count * decimal);
  }
  if (out.empty()) throw UsageError("--scale-sizes: no size named");
  return out;
}

// --scale: --impl all at each size, with issue 15's choices where the
// flags leave them open. params.entries is checked at the smallest size
// (range_len must fit in every one); run_scale sets it per size.
void apply_scale_defaults(Flags& flags) {
  if (flags.entries_given)
    throw UsageError("--scale takes its sizes from --scale-sizes, not --entries");
  if (flags.impl && *flags.impl != "all") throw UsageError("--scale runs --impl all");
  flags.impl = "all";
  if (!flags.impls) flags.impls = kScaleImpls;
  if (!flags.phases) flags.phases = kScalePhases;
  if (!flags.repeat) flags.repeat = kScaleRepeat;
  if (!flags.reads_given) flags.params.reads = kScaleReads;
  flags.params.entries = *std::min_element(flags.scale_sizes.begin(), flags.scale_sizes.end());
}

Flags parse_flags(int argc, char** argv) {
  Flags flags;
  Params& p = flags.params;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto take = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= argc) throw UsageError(arg + ": needs a value");
      return argv[++i];
    };
    auto no_value = [&] {
      if (value) throw UsageError(arg + ": takes no value");
    };
    if (arg == "--help" || arg == "-h") {
      no_value();
      flags.help = true;
    } else if (arg == "--table") {
      no_value();
      flags.table = true;
    } else if (arg == "--self-test") {
      no_value();
      flags.self_test = true;
    } else if (arg == "--no-verify") {
      no_value();
      p.verify_checksums = false;
    } else if (arg == "--scale") {
      no_value();
      flags.scale = true;
    } else if (arg == "--repeat") {
      flags.repeat = parse_count(arg, take());
      flags.repeat_given = true;
    } else if (arg == "--impl")
      flags.impl = take();
    else if (arg == "--impls")
      flags.impls = parse_impls(take());
    else if (arg == "--scale-sizes") {
      flags.scale_sizes = parse_sizes(take());
      flags.scale_sizes_given = true;
    } else if (arg == "--max-mapped-segments") {
      const std::uint64_t n = parse_count(arg, take());
      if (n > UINT32_MAX) throw UsageError(arg + ": more than 2^32 - 1");
      p.max_mapped_segments = static_cast<std::uint32_t>(n);
    } else if (arg == "--max-mapped-bytes") {
      p.max_mapped_bytes = parse_count(arg, take());
    } else if (arg == "--dir")
      flags.dir = fs::path(take());
    else if (arg == "--phases")
      flags.phases = parse_phases(take());
    else if (arg == "--entries") {
      p.entries = parse_count(arg, take());
      flags.entries_given = true;
    } else if (arg == "--payload")
      p.payload = parse_count(arg, take());
    else if (arg == "--batch")
      p.batch = parse_count(arg, take());
    else if (arg == "--segment-size")
      p.segment_size = parse_count(arg, take());
    else if (arg == "--sync-entries")
      p.sync_entries = parse_count(arg, take());
    else if (arg == "--reads") {
      p.reads = parse_count(arg, take());
      flags.reads_given = true;
    } else if (arg == "--ranges")
      p.ranges = parse_count(arg, take());
    else if (arg == "--range-len")
      p.range_len = parse_count(arg, take());
    else if (arg == "--seed")
      p.seed = parse_count(arg, take());
    else
      throw UsageError("unknown flag '" + arg + "' (see --help)");
  }
  if (flags.help || flags.self_test) return flags;
  if (flags.scale_sizes_given && !flags.scale) throw UsageError("--scale-sizes needs --scale");
  if (flags.scale) apply_scale_defaults(flags);
  if (p.entries < 2000) throw UsageError("--entries must be at least 2000");
  if (flags.repeat && *flags.repeat < 1) throw UsageError("--repeat must be at least 1");
  const std::string impl = flags.impl.value_or("seglog");
  if (flags.repeat && *flags.repeat > 1 && impl != "all") {
    throw UsageError("--repeat needs --impl all");
  }
  if (flags.impls && impl != "all") throw UsageError("--impls needs --impl all or --scale");
  if (p.payload < 1) throw UsageError("--payload must be at least 1");
  if (p.batch < 1) throw UsageError("--batch must be at least 1");
  if (p.sync_entries < 1) throw UsageError("--sync-entries must be at least 1");
  if (p.reads < 1) throw UsageError("--reads must be at least 1");
  if (p.ranges < 1) throw UsageError("--ranges must be at least 1");
  if (p.range_len < 1 || p.range_len > p.entries / 2) {
    throw UsageError("--range-len must be between 1 and entries / 2");
  }
  const auto names = seglog::workload::subject_names();
  if (impl != "all" && std::find(names.begin(), names.end(), impl) == names.end()) {
    throw UsageError("--impl: unknown implementation '" + impl + "'");
  }
  return flags;
}

// Issue 15's goals under --scale, issue 4's otherwise; a ratio whose
// implementation did not run is left out.
template <class Expect>
void expect_scale_goals(Expect& expect) {
  namespace json = boost::json;
  auto phases = [](double mb_per_s, std::uint64_t batches_per_s) {
    return json::object{{"append", {{"mb_per_s", mb_per_s}}},
                        {"append_sync", {{"batches_per_s", batches_per_s}}}};
  };
  const json::object runs = {{"seglog", phases(80.0, 100)}, {"physical", phases(100.0, 100)}};
  const json::object issue4 = seglog::workload::compare_ratios(runs);
  const json::object issue15 =
      seglog::workload::compare_ratios(runs, seglog::workload::GoalSet::issue15);
  auto met = [](const json::object& ratios, const char* key) {
    return ratios.at(key).as_object().at("met").as_bool();
  };
  expect(met(issue4, "append_mb_per_s") && !met(issue15, "append_mb_per_s") &&
             met(issue15, "append_sync_batches_per_s"),
         "append at 0.8 of the floor meets issue 4's goal, not issue 15's");
  expect(!issue15.contains("append_sync_batches_per_s_vs_pwrite"),
         "no ratio to physical-pwrite when it did not run");
}

// --self-test: the test vectors of WORKLOAD.md, "Exact data".
int self_test() {
  using namespace seglog::workload;
  int checks = 0;
  int failures = 0;
  auto expect = [&](bool ok, const std::string& what) {
    ++checks;
    if (!ok) {
      ++failures;
      std::cerr << "FAILED: " << what << "\n";
    }
  };
  struct Vector {
    std::uint64_t index;
    unsigned char bytes[13];
  };
  const Vector vectors[] = {
      {1, {0x43, 0x5d, 0x01, 0x0e, 0x2d, 0x9a, 0x6a, 0xe3, 0x75, 0x1b, 0x07, 0x28, 0x4f}},
      {2, {0xab, 0xcb, 0x0f, 0x37, 0x6d, 0xfc, 0xdf, 0x70, 0x28, 0xe7, 0x53, 0xee, 0x99}},
      {1000000, {0x2b, 0xe7, 0x45, 0xb8, 0x60, 0xeb, 0x90, 0x24, 0xc2, 0xb7, 0xd8, 0xf5, 0xb8}},
  };
  for (const Vector& v : vectors) {
    std::byte got[13];
    fill_payload(42, v.index, got);
    expect(std::memcmp(got, v.bytes, sizeof got) == 0,
           "payload of entry " + std::to_string(v.index) + " (seed 42)");
    // A longer payload starts with the same bytes: the cut is only at the end.
    std::byte longer[256];
    fill_payload(42, v.index, longer);
    expect(std::memcmp(longer, v.bytes, sizeof v.bytes) == 0,
           "256-byte payload of entry " + std::to_string(v.index) + " starts the same");
  }
  PositionStream hot(42, kStreamHot);
  const std::uint64_t n = 1'000'000;
  for (const std::uint64_t want : {999510ull, 999469ull, 999131ull}) {
    const std::uint64_t got = hot.uniform(n - 999, n);
    expect(got == want, "read_hot position " + std::to_string(got) + " == " + std::to_string(want));
  }
  expect(term_of(1) == 1 && term_of(99999) == 1 && term_of(100000) == 2 && term_of(1000000) == 11,
         "term of entry i is 1 + i / 100000");
  expect(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.5) == 5 &&
             percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.99) == 10 &&
             percentile({7}, 0.999) == 7 && percentile({}, 0.5) == 0,
         "nearest-rank percentiles");
  expect(rss_kib() > 0, "VmRSS is readable from /proc/self/status");
  const boost::json::object memory = memory_figures();
  expect(status_kib("VmPTE:").has_value() && memory.at("maps").as_uint64() > 0,
         "VmPTE and the mappings are readable from /proc/self");
  expect(with_separators(1234567) == "1,234,567" && with_separators(12) == "12",
         "integers with thousands separators");
  Params sixty_m;
  sixty_m.entries = 60'000'000;
  const std::uint64_t needed = bytes_needed(sixty_m);
  expect(needed > (18ull << 30) && needed < (20ull << 30),
         "60M entries of 256 B need about 19 GiB (" + std::to_string(needed) + " B)");
  expect(parse_sizes("1M,300K,2Ki") == std::vector<std::uint64_t>{1'000'000, 300'000, 2048},
         "--scale-sizes: K, M, G decimal, Ki binary");
  expect(parse_impls("physical,seglog") == std::vector<std::string>{"seglog", "physical"},
         "--impls in the order --impl all runs them");
  expect_scale_goals(expect);
  std::cout << "workload self-test: " << checks - failures << " of " << checks
            << " checks passed\n";
  return failures == 0 ? 0 : 1;
}

// A directory made with mkdtemp and removed, contents included, at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "seglog-workload-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void print_table(const std::string& impl, const Params& p, const json::object& phases) {
  std::printf("workload W on %s: %s\n\n", impl.c_str(), seglog::workload::params_line(p).c_str());
  std::printf("%-16s %-18s %15s\n", "phase", "metric", "value");
  std::printf("%-16s %-18s %15s\n", "----------------", "------------------", "---------------");
  for (const auto& phase : phases) {
    bool first = true;
    for (const auto& metric : phase.value().as_object()) {
      std::printf("%-16s %-18s %15s\n", first ? std::string(phase.key()).c_str() : "",
                  std::string(metric.key()).c_str(),
                  seglog::workload::format_metric(&metric.value()).c_str());
      first = false;
    }
  }
}

seglog::workload::RoundsPlan rounds_plan(const Flags& flags) {
  seglog::workload::RoundsPlan plan;
  plan.params = flags.params;
  plan.impls = flags.impls.value_or(seglog::workload::compared_impls());
  plan.phases = flags.phases.value_or(seglog::workload::phase_names());
  plan.repeat = flags.repeat.value_or(1);
  plan.goals = flags.scale ? seglog::workload::GoalSet::issue15 : seglog::workload::GoalSet::issue4;
  // A scale run takes hours: always say where it is.
  plan.progress = flags.table || flags.scale ? &std::cerr : nullptr;
  return plan;
}

// --impl all: each implementation in its own child process and in
// root/<impl>, removed after its run so the next one starts with the same
// free space.
int run_all(const Flags& flags, const fs::path& root) {
  const seglog::workload::RoundsPlan plan = rounds_plan(flags);
  seglog::workload::RoundsResult result = seglog::workload::run_rounds(plan, root);
  if (flags.table) {
    const std::string rounds =
        plan.repeat == 1 ? "one round"
                         : "median of " + std::to_string(plan.repeat) + " rounds, ratios per round";
    std::string impls;
    for (const std::string& impl : plan.impls) impls += (impls.empty() ? "" : ", ") + impl;
    const std::string heading = "workload W, " + impls + " in one run (" + rounds +
                                "): " + seglog::workload::params_line(plan.params);
    seglog::workload::print_comparison_table(heading, result.runs, result.ratios);
  } else {
    json::object out = {{"impl", "all"},
                        {"impls", json::array(plan.impls.begin(), plan.impls.end())},
                        {"params", seglog::workload::params_json(plan.params)},
                        {"runs", std::move(result.runs)},
                        {"ratios", std::move(result.ratios)}};
    if (plan.repeat > 1) out["rounds"] = std::move(result.rounds);
    std::cout << json::serialize(out) << "\n";
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int run_scale(const Flags& flags, const fs::path& root) {
  seglog::workload::ScalePlan plan;
  plan.rounds = rounds_plan(flags);
  plan.sizes = flags.scale_sizes;
  plan.table = flags.table;
  if (!flags.repeat_given) plan.short_size_repeat = kScaleShortSizeRepeat;
  return seglog::workload::run_scale(plan, root);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  try {
    flags = parse_flags(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "workload: " << e.what() << "\n";
    return 2;
  }
  if (flags.help) {
    std::cout << kUsage;
    return 0;
  }
  if (flags.self_test) return self_test();

  try {
    std::optional<TempDir> temp;
    fs::path root;
    if (flags.dir) {
      root = *flags.dir;
      fs::create_directories(root);
    } else {
      temp.emplace();
      root = temp->path();
    }
    if (flags.scale) return run_scale(flags, root);
    const std::string impl = flags.impl.value_or("seglog");
    if (impl == "all") return run_all(flags, root);
    const json::object phases = seglog::workload::run_one(
        flags.params, impl, root, flags.phases.value_or(seglog::workload::phase_names()),
        flags.table ? &std::cerr : nullptr);

    if (flags.table) {
      print_table(impl, flags.params, phases);
    } else {
      const json::object out = {{"impl", impl},
                                {"params", seglog::workload::params_json(flags.params)},
                                {"phases", phases}};
      std::cout << json::serialize(out) << "\n";
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "workload: FAILED: " << e.what() << "\n";
    return 1;
  }
}

// main.cpp — the workload driver: runs the standard Raft-log workload W
// (shared/WORKLOAD.md) against one implementation, or with --impl all
// against seglog and its floors one after another, and prints one JSON
// object (or, with --table, a table for people). Exit status: 0 when every
// check passed, 1 when a check or a call failed, 2 on bad flags.
#include "compare.hpp"
#include "phases.hpp"
#include "subject.hpp"
#include "workload_data.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/wait.h>
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
  --dir PATH           data directory (its subdirectories log/ and sync/
                       are replaced; with --impl all, <impl>/log and
                       <impl>/sync, each <impl>/ removed after its run);
                       default: a temporary directory, removed at the end
  --phases LIST        comma-separated subset of: append,read_hot,reopen,
                       read_cold,read_range,truncate_before,truncate_after,
                       append_sync (always run in this order)         [all]
  --repeat N           with --impl all: N rounds (each runs every
                       implementation once); tables and ratios are the
                       medians, "rounds" in the JSON holds each one  [1]
  --table              print a table for people instead of JSON
  --self-test          check the data generators against the spec's test
                       vectors, then exit
  --help               this text

--impl all runs seglog, physical, physical-pwrite (append phases only) and
memory in this order, one after another, each in a fresh child process
(so each one's RSS is its own) and its own subdirectory, and adds
the ratios of seglog to the floor that issue 4 sets goals on ("ratios"
in the JSON, whose "runs" holds each implementation's phases).

Sizes and counts take an optional binary suffix: K, M, G (also Ki, Mi, Gi).
Append phases time only the append_entries/sync calls (payload generation
is outside the clock); read latencies include the entry check.
)";

struct Flags {
  Params params;
  std::string impl = "seglog";
  std::optional<fs::path> dir;
  std::vector<std::string> phases = seglog::workload::phase_names();
  bool table = false;
  std::uint64_t repeat = 1;
  bool self_test = false;
  bool help = false;
};

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
    } else if (arg == "--repeat")
      flags.repeat = parse_count(arg, take());
    else if (arg == "--impl")
      flags.impl = take();
    else if (arg == "--dir")
      flags.dir = fs::path(take());
    else if (arg == "--phases")
      flags.phases = parse_phases(take());
    else if (arg == "--entries")
      p.entries = parse_count(arg, take());
    else if (arg == "--payload")
      p.payload = parse_count(arg, take());
    else if (arg == "--batch")
      p.batch = parse_count(arg, take());
    else if (arg == "--segment-size")
      p.segment_size = parse_count(arg, take());
    else if (arg == "--sync-entries")
      p.sync_entries = parse_count(arg, take());
    else if (arg == "--reads")
      p.reads = parse_count(arg, take());
    else if (arg == "--ranges")
      p.ranges = parse_count(arg, take());
    else if (arg == "--range-len")
      p.range_len = parse_count(arg, take());
    else if (arg == "--seed")
      p.seed = parse_count(arg, take());
    else
      throw UsageError("unknown flag '" + arg + "' (see --help)");
  }
  if (flags.help || flags.self_test) return flags;
  if (p.entries < 2000) throw UsageError("--entries must be at least 2000");
  if (flags.repeat < 1) throw UsageError("--repeat must be at least 1");
  if (flags.repeat > 1 && flags.impl != "all") {
    throw UsageError("--repeat needs --impl all");
  }
  if (p.payload < 1) throw UsageError("--payload must be at least 1");
  if (p.batch < 1) throw UsageError("--batch must be at least 1");
  if (p.sync_entries < 1) throw UsageError("--sync-entries must be at least 1");
  if (p.reads < 1) throw UsageError("--reads must be at least 1");
  if (p.ranges < 1) throw UsageError("--ranges must be at least 1");
  if (p.range_len < 1 || p.range_len > p.entries / 2) {
    throw UsageError("--range-len must be between 1 and entries / 2");
  }
  const auto names = seglog::workload::subject_names();
  if (flags.impl != "all" && std::find(names.begin(), names.end(), flags.impl) == names.end()) {
    throw UsageError("--impl: unknown implementation '" + flags.impl + "'");
  }
  return flags;
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

json::object params_json(const Params& p) {
  return {{"entries", p.entries},
          {"payload", p.payload},
          {"batch", p.batch},
          {"segment_size", p.segment_size},
          {"sync_entries", p.sync_entries},
          {"reads", p.reads},
          {"ranges", p.ranges},
          {"range_len", p.range_len},
          {"seed", p.seed},
          {"verify_checksums", p.verify_checksums}};
}

void print_table(const std::string& impl, const Params& p, const json::object& phases) {
  std::printf("workload W on %s: %" PRIu64 " entries of %" PRIu64 " B, batch %" PRIu64
              ", segment %" PRIu64 " KiB, seed %" PRIu64 "%s\n\n",
              impl.c_str(), p.entries, p.payload, p.batch, p.segment_size >> 10, p.seed,
              p.verify_checksums ? "" : ", checksums not verified");
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

seglog::workload::SubjectConfig subject_config(const Params& p) {
  seglog::workload::SubjectConfig config;
  config.segment_size = p.segment_size;
  config.max_entry_size = std::max<std::uint64_t>(config.max_entry_size, p.payload);
  config.payload_bytes = p.payload;
  config.verify_checksums = p.verify_checksums;
  return config;
}

json::object run_one(const Flags& flags, const std::string& impl, const fs::path& root,
                     const std::vector<std::string>& phases) {
  auto subject = seglog::workload::make_subject(impl, subject_config(flags.params));
  return seglog::workload::run_phases(flags.params, *subject, root, phases,
                                      flags.table ? &std::cerr : nullptr);
}

// Runs one implementation in a forked child, so that each starts from a
// fresh process (heap, RSS, mappings: reopen's rss_kib would otherwise
// carry what the allocator kept from the runs before) and returns the
// child's phases object, passed back through a pipe.
json::object run_one_in_child(const Flags& flags, const std::string& impl, const fs::path& root,
                              const std::vector<std::string>& phases) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (child == 0) {
    ::close(fds[0]);
    int status = 0;
    try {
      const std::string out = json::serialize(run_one(flags, impl, root, phases));
      for (std::size_t done = 0; done < out.size();) {
        const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
        if (n <= 0) {
          status = 1;
          break;
        }
        done += static_cast<std::size_t>(n);
      }
    } catch (const std::exception& e) {
      std::cerr << "workload: FAILED (" << impl << "): " << e.what() << "\n";
      status = 1;
    }
    // _exit: the parent's TempDir must not be removed by this copy of it.
    std::cerr.flush();
    ::_exit(status);
  }
  ::close(fds[1]);
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the run of " + impl + " failed");
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) throw std::runtime_error("bad JSON from the run of " + impl);
  return std::move(parsed.as_object());
}

// --impl all: each implementation in its own child process and in
// root/<impl>, removed after its run so the next one starts with the same
// free space.
int run_all(const Flags& flags, const fs::path& root) {
  std::vector<json::object> rounds_runs;
  std::vector<json::object> rounds_ratios;
  json::array rounds;
  for (std::uint64_t round = 1; round <= flags.repeat; ++round) {
    json::object runs;
    for (const std::string& impl : seglog::workload::compared_impls()) {
      const auto phases = seglog::workload::compared_phases(impl, flags.phases);
      if (phases.empty()) continue;
      if (flags.table) {
        std::cerr << "workload: round " << round << " of " << flags.repeat << ": running " << impl
                  << "\n";
      }
      const fs::path dir = root / impl;
      fs::create_directories(dir);
      runs[impl] = run_one_in_child(flags, impl, dir, phases);
      fs::remove_all(dir);
    }
    json::object ratios = seglog::workload::compare_ratios(runs);
    rounds.push_back(json::object{{"runs", runs}, {"ratios", ratios}});
    rounds_runs.push_back(std::move(runs));
    rounds_ratios.push_back(std::move(ratios));
  }
  const json::object runs = seglog::workload::median_runs(rounds_runs);
  const json::object ratios = seglog::workload::median_ratios(rounds_ratios);
  const Params& p = flags.params;
  if (flags.table) {
    char heading[320];
    std::snprintf(
        heading, sizeof heading,
        "workload W, all implementations in one run (%s): %" PRIu64 " entries of %" PRIu64
        " B, batch %" PRIu64 ", segment %" PRIu64 " KiB, seed %" PRIu64 "%s",
        flags.repeat == 1
            ? "one round"
            : ("median of " + std::to_string(flags.repeat) + " rounds, ratios per round").c_str(),
        p.entries, p.payload, p.batch, p.segment_size >> 10, p.seed,
        p.verify_checksums ? "" : ", seglog checksums not verified");
    seglog::workload::print_comparison_table(heading, runs, ratios);
  } else {
    json::object out = {
        {"impl", "all"}, {"params", params_json(p)}, {"runs", runs}, {"ratios", ratios}};
    if (flags.repeat > 1) out["rounds"] = std::move(rounds);
    std::cout << json::serialize(out) << "\n";
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
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
    if (flags.impl == "all") return run_all(flags, root);
    const json::object phases = run_one(flags, flags.impl, root, flags.phases);

    if (flags.table) {
      print_table(flags.impl, flags.params, phases);
    } else {
      const json::object out = {
          {"impl", flags.impl}, {"params", params_json(flags.params)}, {"phases", phases}};
      std::cout << json::serialize(out) << "\n";
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "workload: FAILED: " << e.what() << "\n";
    return 1;
  }
}

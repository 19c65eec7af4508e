// phases.cpp — the eight phases of workload W (shared/WORKLOAD.md,
// "Phases"): what each one times, checks and reports.
//
// Timing: appends time only the append_entries (and sync) calls, so the
// payload generation of the next batch is outside the clock; reads time each
// call together with its check (and the release of the returned view), with
// positions drawn before the loop. Range reads check every entry the same
// way, whether visited in place (visit_entries) or copied (get_entries). Nothing is allocated
// inside a timed read loop by the driver: latencies go into a vector sized beforehand, payloads
// into entry buffers reused batch after batch.
#include "phases.hpp"

#include "workload_data.hpp"

#include <seglog/entry.hpp>
#include <seglog/options.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <system_error>

namespace seglog::workload {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr double kMiB = 1024.0 * 1024.0;

std::uint64_t ns_between(Clock::time_point begin, Clock::time_point end) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - begin).count());
}

double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }
double millis(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::uint64_t per_second(std::uint64_t count, std::uint64_t ns) {
  if (ns == 0) return 0;
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(count) / seconds(ns)));
}

[[noreturn]] void fail(const std::string& what) { throw WorkloadError(what); }

std::string describe(const Error& error) { return error.code().message() + ": " + error.message(); }

void check(const Status& status, const std::string& what) {
  if (!status) fail(what + ": " + describe(status.error()));
}

// Checks what a read returned against entry `index` of the workload and
// touches the payload's first and last byte.
class EntryChecker {
 public:
  explicit EntryChecker(std::uint64_t payload) : payload_(payload) {}
  ~EntryChecker() { sink_ = touched_; }
  EntryChecker(const EntryChecker&) = delete;
  EntryChecker& operator=(const EntryChecker&) = delete;

  void check_view(const Result<EntryView>& read, std::uint64_t index, const char* phase) {
    if (!read)
      fail(std::string(phase) + ": read_entry(" + std::to_string(index) +
           "): " + describe(read.error()));
    check_fields(read->index(), read->term(), read->data(), index, phase);
  }

  void check_entry(const LogEntry& entry, std::uint64_t index, const char* phase) {
    check_fields(entry.index, entry.term, entry.data, index, phase);
  }

  void check_entry(const EntryView& view, std::uint64_t index, const char* phase) {
    check_fields(view.index(), view.term(), view.data(), index, phase);
  }

 private:
  void check_fields(std::uint64_t got_index, std::uint64_t got_term,
                    std::span<const std::byte> data, std::uint64_t index, const char* phase) {
    if (got_index != index || got_term != term_of(index) || data.size() != payload_) {
      fail(std::string(phase) + ": expected entry " + std::to_string(index) + " (term " +
           std::to_string(term_of(index)) + ", " + std::to_string(payload_) +
           " bytes), got entry " + std::to_string(got_index) + " (term " +
           std::to_string(got_term) + ", " + std::to_string(data.size()) + " bytes)");
    }
    touched_ += std::to_integer<unsigned>(data.front()) + std::to_integer<unsigned>(data.back());
  }

  std::uint64_t payload_;
  unsigned touched_ = 0;
  static inline volatile unsigned sink_ = 0;
};

// Entry buffers reused batch after batch: after the first batch, filling
// one allocates nothing.
class BatchMaker {
 public:
  explicit BatchMaker(const Params& params) : seed_(params.seed) {
    batch_.resize(params.batch);
    for (LogEntry& entry : batch_) entry.data.resize(params.payload);
  }

  std::span<const LogEntry> make(std::uint64_t first, std::uint64_t count) {
    for (std::uint64_t k = 0; k < count; ++k) {
      LogEntry& entry = batch_[k];
      entry.index = first + k;
      entry.term = term_of(entry.index);
      entry.type = 0;
      fill_payload(seed_, entry.index, entry.data);
    }
    return {batch_.data(), count};
  }

 private:
  std::uint64_t seed_;
  std::vector<LogEntry> batch_;
};

// `result` followed by memory_figures(), taken now: after the phase's
// timed loop, so reading /proc costs the loop nothing.
json::object with_memory(json::object result) {
  for (auto& figure : memory_figures()) result[figure.key()] = figure.value();
  return result;
}

json::object latency_ns(std::vector<std::uint64_t>& samples, std::uint64_t wall_ns) {
  std::sort(samples.begin(), samples.end());
  return {{"p50_ns", percentile(samples, 0.50)},
          {"p99_ns", percentile(samples, 0.99)},
          {"p999_ns", percentile(samples, 0.999)},
          {"ops_per_s", per_second(samples.size(), wall_ns)}};
}

class Runner {
 public:
  Runner(const Params& params, Subject& subject, const fs::path& root, std::ostream* progress)
      : params_(params),
        subject_(subject),
        log_dir_(root / "log"),
        sync_dir_(root / "sync"),
        progress_(progress) {}

  json::object run(const std::vector<std::string>& selected) {
    auto wanted = [&](const std::string& name) {
      return std::find(selected.begin(), selected.end(), name) != selected.end();
    };
    json::object out;
    for (const std::string& name : phase_names()) {
      if (!wanted(name)) continue;
      const auto begin = Clock::now();
      json::object result;
      if (name == "append")
        result = append();
      else if (name == "read_hot")
        result = read_points("read_hot", kStreamHot);
      else if (name == "reopen")
        result = reopen();
      else if (name == "read_cold")
        result = read_points("read_cold", kStreamCold);
      else if (name == "read_range")
        result = read_range();
      else if (name == "truncate_before")
        result = truncate_before();
      else if (name == "truncate_after")
        result = truncate_after();
      else if (name == "append_sync") {
        close_log();
        result = append_sync();
      }
      out[name] = std::move(result);
      if (progress_ != nullptr) {
        char took[32];
        std::snprintf(took, sizeof took, "%.2f", seconds(ns_between(begin, Clock::now())));
        *progress_ << "workload: " << name << " done in " << took << " s\n";
        progress_->flush();
      }
    }
    close_log();
    return out;
  }

 private:
  // Appends entries [first, first + count) in batches; returns the time
  // spent inside append_entries.
  std::uint64_t append_range(Storage& storage, std::uint64_t first, std::uint64_t count,
                             const char* phase) {
    BatchMaker maker(params_);
    std::uint64_t inside_ns = 0;
    for (std::uint64_t done = 0; done < count;) {
      const std::uint64_t n = std::min(params_.batch, count - done);
      const auto batch = maker.make(first + done, n);
      const auto begin = Clock::now();
      const Status status = storage.append_entries(batch);
      inside_ns += ns_between(begin, Clock::now());
      if (!status) {
        check(status, std::string(phase) + ": append_entries(" + std::to_string(first + done) +
                          ".." + std::to_string(first + done + n - 1) + ")");
      }
      done += n;
    }
    return inside_ns;
  }

  void expect_bounds(std::uint64_t first, std::uint64_t last, const char* phase) {
    Storage& storage = subject_.storage();
    if (storage.first_index() != first || storage.last_index() != last) {
      fail(std::string(phase) + ": expected first_index " + std::to_string(first) +
           " and last_index " + std::to_string(last) + ", got " +
           std::to_string(storage.first_index()) + " and " + std::to_string(storage.last_index()));
    }
  }

  void expect_error(std::uint64_t index, errc code, const char* phase) {
    const auto read = subject_.storage().read_entry(index);
    if (read || !(read.error() == code)) {
      fail(std::string(phase) + ": read_entry(" + std::to_string(index) + ") should fail with " +
           make_error_code(code).message() + ", got " +
           (read ? std::string("an entry") : describe(read.error())));
    }
  }

  // A new, empty store in `dir` for `entries` entries.
  void fresh(const fs::path& dir, std::uint64_t entries, const char* phase) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    check(subject_.create(dir, entries), std::string(phase) + ": create " + dir.string());
  }

  // The log of phases 2-7 when phase 1 did not run: the one a previous run
  // left in --dir if it holds exactly entries 1..N of these parameters,
  // else a new one filled without timing.
  Storage& log() {
    if (log_open_) return subject_.storage();
    const std::uint64_t n = params_.entries;
    if (subject_.open(log_dir_)) {
      log_open_ = true;
      if (reusable()) return subject_.storage();
      close_log();
    }
    if (progress_ != nullptr) *progress_ << "workload: preparing " << n << " entries\n";
    fresh(log_dir_, n, "prepare");
    log_open_ = true;
    append_range(subject_.storage(), 1, n, "prepare");
    check(subject_.storage().sync(), "prepare: sync");
    return subject_.storage();
  }

  bool reusable() {
    Storage& storage = subject_.storage();
    if (storage.first_index() != 1 || storage.last_index() != params_.entries) return false;
    std::vector<std::byte> expected(params_.payload);
    for (std::uint64_t index : {std::uint64_t{1}, params_.entries}) {
      const auto read = storage.read_entry(index);
      fill_payload(params_.seed, index, expected);
      if (!read || read->term() != term_of(index) || !std::ranges::equal(read->data(), expected)) {
        return false;
      }
    }
    return true;
  }

  void close_log() {
    if (!log_open_) return;
    log_open_ = false;
    check(subject_.close(), "close");
  }

  // Phase 1.
  json::object append() {
    close_log();
    fresh(log_dir_, params_.entries, "append");
    log_open_ = true;
    Storage& storage = subject_.storage();
    const std::uint64_t n = params_.entries;
    const std::uint64_t append_ns = append_range(storage, 1, n, "append");
    const auto begin = Clock::now();
    check(storage.sync(), "append: sync");
    const std::uint64_t sync_ns = ns_between(begin, Clock::now());
    expect_bounds(1, n, "append");
    const double mib = static_cast<double>(n) * static_cast<double>(params_.payload) / kMiB;
    return with_memory({{"entries_per_s", per_second(n, append_ns)},
                        {"mb_per_s", append_ns == 0 ? 0.0 : mib / seconds(append_ns)},
                        {"append_s", seconds(append_ns)},
                        {"final_sync_s", seconds(sync_ns)}});
  }

  // Phases 2 and 4: single-entry reads, each timed with its check.
  json::object read_points(const char* phase, std::uint64_t stream) {
    Storage& storage = log();
    const std::uint64_t first = storage.first_index();
    const std::uint64_t last = storage.last_index();
    const std::uint64_t lo =
        stream == kStreamHot ? std::max(first, last >= 999 ? last - 999 : 0) : first;
    PositionStream positions(params_.seed, stream);
    std::vector<std::uint64_t> at(params_.reads);
    for (std::uint64_t& index : at) index = positions.uniform(lo, last);
    std::vector<std::uint64_t> latency(params_.reads);

    EntryChecker checker(params_.payload);
    const auto loop_begin = Clock::now();
    for (std::size_t i = 0; i < at.size(); ++i) {
      const auto begin = Clock::now();
      {
        const auto read = storage.read_entry(at[i]);
        checker.check_view(read, at[i], phase);
      }
      latency[i] = ns_between(begin, Clock::now());
    }
    const std::uint64_t wall_ns = ns_between(loop_begin, Clock::now());
    // Before verify_payloads, whose copies would add to the heap.
    json::object result = with_memory(latency_ns(latency, wall_ns));
    verify_payloads(at, phase);
    return result;
  }

  // Outside the clock: the full payload of the first reads' entries.
  void verify_payloads(const std::vector<std::uint64_t>& at, const char* phase) {
    std::vector<std::byte> expected(params_.payload);
    const std::size_t count = std::min<std::size_t>(at.size(), 1000);
    for (std::size_t i = 0; i < count; ++i) {
      const auto read = subject_.storage().get_entry(at[i]);
      if (!read)
        fail(std::string(phase) + ": get_entry(" + std::to_string(at[i]) +
             "): " + describe(read.error()));
      fill_payload(params_.seed, at[i], expected);
      if (!std::ranges::equal(read->data, expected)) {
        fail(std::string(phase) + ": entry " + std::to_string(at[i]) +
             " does not hold the bytes that were appended");
      }
    }
  }

  // Phase 3.
  json::object reopen() {
    log();
    const std::uint64_t first = subject_.storage().first_index();
    const std::uint64_t last = subject_.storage().last_index();
    close_log();
    const auto begin = Clock::now();
    check(subject_.open(log_dir_), "reopen: open " + log_dir_.string());
    const std::uint64_t open_ns = ns_between(begin, Clock::now());
    json::object result = with_memory({{"open_ms", millis(open_ns)}});
    log_open_ = true;
    expect_bounds(first, last, "reopen");
    return result;
  }

  // Phase 5: the same starts read twice, first in place with
  // visit_entries (the phase's entries_per_s: what a leader serialising
  // AppendEntries does), then copied out with get_entries
  // (copy_entries_per_s). In place runs first, so it is the pass that pays
  // for mapping pages no earlier phase touched.
  json::object read_range() {
    Storage& storage = log();
    const std::uint64_t first = storage.first_index();
    const std::uint64_t last = storage.last_index();
    const std::uint64_t len = params_.range_len;
    if (last < first || last - first + 1 < len) {
      fail("read_range: the log holds fewer than range_len entries");
    }
    PositionStream positions(params_.seed, kStreamRange);
    std::vector<std::uint64_t> starts(params_.ranges);
    for (std::uint64_t& start : starts) start = positions.uniform(first, last - len + 1);

    EntryChecker checker(params_.payload);
    auto begin = Clock::now();
    for (const std::uint64_t start : starts) {
      std::uint64_t next = start;
      const Status visited =
          storage.visit_entries(start, start + len, [&checker, &next](const EntryView& view) {
            checker.check_entry(view, next++, "read_range");
            return true;
          });
      if (!visited) range_failed("visit_entries", start, describe(visited.error()));
      if (next != start + len) range_failed("visit_entries", start, visited_count(next - start));
    }
    const std::uint64_t visit_ns = ns_between(begin, Clock::now());

    begin = Clock::now();
    for (const std::uint64_t start : starts) {
      const auto range = storage.get_entries(start, start + len);
      if (!range) range_failed("get_entries", start, describe(range.error()));
      if (range->size() != len) range_failed("get_entries", start, visited_count(range->size()));
      for (std::uint64_t k = 0; k < len; ++k) {
        checker.check_entry((*range)[k], start + k, "read_range");
      }
    }
    const std::uint64_t copy_ns = ns_between(begin, Clock::now());
    const std::uint64_t entries = params_.ranges * len;
    return with_memory({{"entries_per_s", per_second(entries, visit_ns)},
                        {"copy_entries_per_s", per_second(entries, copy_ns)}});
  }

  static std::string visited_count(std::uint64_t count) {
    return "gave " + std::to_string(count) + " entries";
  }

  [[noreturn]] void range_failed(const char* call, std::uint64_t start,
                                 const std::string& what) const {
    fail(std::string("read_range: ") + call + "(" + std::to_string(start) + ", " +
         std::to_string(start + params_.range_len) + "): " + what);
  }

  // Phase 6.
  json::object truncate_before() {
    Storage& storage = log();
    const std::uint64_t keep = params_.entries / 2;
    const std::uint64_t last = storage.last_index();
    const auto begin = Clock::now();
    check(storage.truncate_before(keep), "truncate_before(" + std::to_string(keep) + ")");
    const std::uint64_t ns = ns_between(begin, Clock::now());
    expect_bounds(keep, last, "truncate_before");
    EntryChecker checker(params_.payload);
    checker.check_view(storage.read_entry(keep), keep, "truncate_before");
    expect_error(keep - 1, errc::compacted, "truncate_before");
    return {{"ms", millis(ns)}};
  }

  // Phase 7.
  json::object truncate_after() {
    Storage& storage = log();
    const std::uint64_t keep = params_.entries - 1000;
    const std::uint64_t first = storage.first_index();
    const auto begin = Clock::now();
    check(storage.truncate_after(keep), "truncate_after(" + std::to_string(keep) + ")");
    const std::uint64_t ns = ns_between(begin, Clock::now());
    expect_bounds(first, keep, "truncate_after");
    EntryChecker checker(params_.payload);
    checker.check_view(storage.read_entry(keep), keep, "truncate_after");
    expect_error(keep + 1, errc::out_of_range, "truncate_after");
    return {{"ms", millis(ns)}};
  }

  // Phase 8: a Raft leader's pattern, append then sync, batch after batch.
  json::object append_sync() {
    fresh(sync_dir_, params_.sync_entries, "append_sync");
    Storage& storage = subject_.storage();
    const std::uint64_t n = params_.sync_entries;
    BatchMaker maker(params_);
    std::vector<std::uint64_t> latency;
    latency.reserve((n + params_.batch - 1) / params_.batch);
    std::uint64_t total_ns = 0;
    for (std::uint64_t done = 0; done < n;) {
      const std::uint64_t count = std::min(params_.batch, n - done);
      const auto batch = maker.make(1 + done, count);
      const auto begin = Clock::now();
      const Status appended = storage.append_entries(batch);
      const Status synced = appended ? storage.sync() : Status();
      const std::uint64_t ns = ns_between(begin, Clock::now());
      check(appended, "append_sync: append_entries(" + std::to_string(1 + done) + ")");
      check(synced, "append_sync: sync");
      latency.push_back(ns);
      total_ns += ns;
      done += count;
    }
    expect_bounds(1, n, "append_sync");
    check(subject_.close(), "append_sync: close");
    const std::uint64_t batches = latency.size();
    std::sort(latency.begin(), latency.end());
    return {{"batches_per_s", per_second(batches, total_ns)},
            {"p50_us", static_cast<double>(percentile(latency, 0.50)) / 1e3},
            {"p99_us", static_cast<double>(percentile(latency, 0.99)) / 1e3}};
  }

  const Params& params_;
  Subject& subject_;
  fs::path log_dir_;
  fs::path sync_dir_;
  std::ostream* progress_;
  bool log_open_ = false;
};

}  // namespace

const std::vector<std::string>& phase_names() {
  static const std::vector<std::string> names = {"append",         "read_hot",   "reopen",
                                                 "read_cold",      "read_range", "truncate_before",
                                                 "truncate_after", "append_sync"};
  return names;
}

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  if (rank < 1) rank = 1;
  if (rank > sorted.size()) rank = sorted.size();
  return sorted[rank - 1];
}

std::optional<std::uint64_t> status_kib(const char* field) {
  const std::string name(field);
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name, 0) == 0) {
      std::istringstream fields(line.substr(name.size()));
      std::uint64_t kib = 0;
      fields >> kib;  // "VmRSS:     1234 kB"
      return kib;
    }
  }
  return std::nullopt;
}

std::uint64_t rss_kib() { return status_kib("VmRSS:").value_or(0); }

json::object memory_figures() {
  std::ifstream maps("/proc/self/maps");
  std::uint64_t lines = 0;
  for (std::string line; std::getline(maps, line);) ++lines;
  // VmRSS counts the mapped file pages read (RssFile: page cache the
  // kernel reclaims at will) beside the process's own memory (RssAnon).
  return {{"rss_kib", rss_kib()},
          {"rss_anon_kib", status_kib("RssAnon:").value_or(0)},
          {"rss_file_kib", status_kib("RssFile:").value_or(0)},
          {"pte_kib", status_kib("VmPTE:").value_or(0)},
          {"maps", lines}};
}

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
          {"verify_checksums", p.verify_checksums},
          {"max_mapped_segments", p.max_mapped_segments.value_or(Options{}.max_mapped_segments)},
          {"max_mapped_bytes", p.max_mapped_bytes.value_or(Options{}.max_mapped_bytes)}};
}

std::string with_separators(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The mapping budget as given, "automatic" for what the library sizes
// from the machine (its Stats say what it chose).
std::string budget_text(const Params& p) {
  const std::string segments =
      p.max_mapped_segments ? std::to_string(*p.max_mapped_segments) + " segments" : "";
  const std::string bytes =
      p.max_mapped_bytes ? with_separators(*p.max_mapped_bytes >> 10) + " KiB" : "";
  if (segments.empty() && bytes.empty()) return "automatic";
  if (segments.empty() || bytes.empty()) return segments + bytes;
  return segments + ", " + bytes;
}

std::string params_line(const Params& p) {
  char line[320];
  std::snprintf(line, sizeof line,
                "%s entries of %" PRIu64 " B, batch %" PRIu64 ", segment %" PRIu64
                " KiB, mapping budget %s, seed %" PRIu64 "%s",
                with_separators(p.entries).c_str(), p.payload, p.batch, p.segment_size >> 10,
                budget_text(p).c_str(), p.seed,
                p.verify_checksums ? "" : ", seglog checksums not verified");
  return line;
}

json::object run_phases(const Params& params, Subject& subject, const fs::path& root,
                        const std::vector<std::string>& selected, std::ostream* progress) {
  Runner runner(params, subject, root, progress);
  return runner.run(selected);
}

}  // namespace seglog::workload

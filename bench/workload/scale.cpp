// scale.cpp — workload --scale: the sizes of issue 15, one after another,
// with the free-space check before each and the summary across sizes.
#include "scale.hpp"

#include "physical_storage.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace seglog::workload {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::uint64_t kMarginBytes = 256ull << 20;

// The ratios the summary shows, in its column order.
struct SummaryColumn {
  const char* title;
  const char* ratio;  // key in compare_ratios()
};

constexpr SummaryColumn kSummaryColumns[] = {
    {"read_cold p50", "read_cold_p50"},           {"read_cold p99", "read_cold_p99"},
    {"read_range", "read_range_entries_per_s"},   {"append MB/s", "append_mb_per_s"},
    {"append_sync", "append_sync_batches_per_s"},
};

constexpr const char* kMemoryPhases[] = {"read_cold", "read_range"};

std::uint64_t bytes_free(const fs::path& dir) {
  struct statvfs fs_stats {};
  if (::statvfs(dir.c_str(), &fs_stats) != 0) {
    throw std::system_error(errno, std::generic_category(), "statvfs " + dir.string());
  }
  // f_bavail, not f_bfree: what this (unprivileged) process may use.
  return static_cast<std::uint64_t>(fs_stats.f_bavail) * fs_stats.f_frsize;
}

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  return text;
}

std::string rounds_text(std::uint64_t repeat) {
  return repeat == 1 ? "one round" : "medians of " + std::to_string(repeat) + " rounds";
}

// The rounds of every size, for the summary: "medians of 3 rounds (9
// under 2 GiB of records)".
std::string repeat_text(const ScalePlan& plan) {
  std::string text = rounds_text(plan.rounds.repeat);
  if (plan.short_size_repeat == 0 || plan.short_size_repeat == plan.rounds.repeat) return text;
  return text + " (" + std::to_string(plan.short_size_repeat) + " under " + gib(kShortSizeBytes) +
         " of records)";
}

Params at_size(const Params& base, std::uint64_t entries) {
  Params p = base;
  p.entries = entries;
  return p;
}

// Says on stderr whether `entries` fit in the free space of root's file
// system now; returns the message that stops the run when they do not.
std::optional<std::string> space_problem(const Params& base, std::uint64_t entries,
                                         const fs::path& root, const char* label,
                                         const char* when) {
  const std::uint64_t needed = bytes_needed(at_size(base, entries));
  const std::uint64_t free_bytes = bytes_free(root);
  std::cerr << "workload --scale: " << label << with_separators(entries) << " entries need "
            << gib(needed) << " of free disk in " << root.string() << "; " << gib(free_bytes)
            << " free" << (needed <= free_bytes ? ": fits" : ": does NOT fit") << "\n";
  if (needed <= free_bytes) return std::nullopt;
  return "not enough free space for " + with_separators(entries) + " entries in " + root.string() +
         ": they need " + gib(needed) + ", " + gib(free_bytes) + " free; stopped " + when +
         " (pass --dir on a larger file system, or smaller --scale-sizes)";
}

bool all_goals_met(const json::object& ratios) {
  return std::all_of(ratios.begin(), ratios.end(), [](const json::key_value_pair& r) {
    const json::value* met = r.value().as_object().if_contains("met");
    return met == nullptr || met->as_bool();
  });
}

// Before a size's measured rounds: one untimed append of that size by the
// floor, its directory removed at once. On a VM whose host takes back the
// guest's free memory (virtio-balloon free page reporting, as on the
// machine of docs/performance.md), the first run to fill gigabytes of page
// cache pays the host's faults on every page it had taken back, and the
// next run reuses what the first one freed. At 60 M entries the floor
// appended at 348 MB/s run first and at 645 MB/s run right after seglog
// (seglog: 612 and 675 MB/s in the same alternation), which made the order
// of the implementations, not their code, decide the append ratio. After
// the warm-up every measured run starts on memory the guest has just used.
void warm_up(RoundsPlan rounds, const fs::path& root) {
  rounds.impls = {"physical"};
  rounds.phases = {"append"};
  rounds.repeat = 1;
  if (rounds.progress != nullptr) {
    *rounds.progress << "workload --scale: warm-up (an untimed append by physical)\n";
  }
  (void)run_rounds(rounds, root);
}

json::object run_size(const ScalePlan& plan, std::uint64_t entries, const fs::path& root) {
  RoundsPlan rounds = plan.rounds;
  rounds.params.entries = entries;
  rounds.repeat = repeat_at(plan, entries);
  const std::uint64_t needed = bytes_needed(rounds.params);
  const std::uint64_t free_bytes = bytes_free(root);
  warm_up(rounds, root);
  RoundsResult result = run_rounds(rounds, root);
  const bool met = all_goals_met(result.ratios);
  return {{"entries", entries},
          {"needs_bytes", needed},
          {"free_bytes", free_bytes},
          {"params", params_json(rounds.params)},
          {"warm_up", "physical, append, untimed"},
          {"repeat", rounds.repeat},
          {"runs", result.runs},
          {"ratios", result.ratios},
          {"goals_met", met},
          {"rounds", std::move(result.rounds)}};
}

void print_size_table(const ScalePlan& plan, const json::object& size) {
  const Params p = at_size(plan.rounds.params, size.at("entries").as_uint64());
  const std::string heading = "workload --scale, " + params_line(p) + " (" +
                              rounds_text(size.at("repeat").as_uint64()) + ", goals of issue 15)";
  print_comparison_table(heading, size.at("runs").as_object(), size.at("ratios").as_object());
  std::printf("\n");
}

const json::object* ratio_of(const json::object& size, const char* key) {
  const json::value* r = size.at("ratios").as_object().if_contains(key);
  return r == nullptr ? nullptr : &r->as_object();
}

std::string ratio_cell(const json::object* r) {
  if (r == nullptr) return "-";
  char cell[48];
  const json::value* met = r->if_contains("met");
  std::snprintf(cell, sizeof cell, "%.2f%s", r->at("value").as_double(),
                met == nullptr   ? ""
                : met->as_bool() ? " met"
                                 : " NOT met");
  return cell;
}

// Columns padded to their width, the line's trailing blanks cut: the
// tables are meant to be pasted into docs.
class Line {
 public:
  Line& cell(const std::string& text, int width) {
    char padded[96];
    std::snprintf(padded, sizeof padded, "%s%-*s", text_.empty() ? "" : "  ", width, text.c_str());
    text_ += padded;
    return *this;
  }
  void print() {
    text_.erase(text_.find_last_not_of(' ') + 1);
    std::printf("%s\n", text_.c_str());
    text_.clear();
  }

 private:
  std::string text_;
};

void print_ratio_summary(const json::array& sizes) {
  Line line;
  line.cell("entries", 12);
  for (const SummaryColumn& c : kSummaryColumns) line.cell(c.title, 15);
  line.print();
  line.cell("goal", 12);
  for (const SummaryColumn& c : kSummaryColumns) {
    std::string goal = "-";
    for (const json::value& size : sizes) {
      const json::object* r = ratio_of(size.as_object(), c.ratio);
      if (r != nullptr && r->if_contains("goal") != nullptr) {
        goal = std::string(r->at("goal").as_string());
        break;
      }
    }
    line.cell(goal, 15);
  }
  line.print();
  line.cell(std::string(12, '-'), 12);
  for (std::size_t i = 0; i < std::size(kSummaryColumns); ++i) line.cell(std::string(15, '-'), 15);
  line.print();
  for (const json::value& v : sizes) {
    const json::object& size = v.as_object();
    line.cell(with_separators(size.at("entries").as_uint64()), 12);
    for (const SummaryColumn& c : kSummaryColumns) {
      line.cell(ratio_cell(ratio_of(size, c.ratio)), 15);
    }
    line.print();
  }
}

// "rss_kib (rss_anon_kib) / pte_kib / maps" of one implementation after
// one phase.
std::string memory_cell(const json::object& phases, const char* phase) {
  const json::value* p = phases.if_contains(phase);
  if (p == nullptr) return "-";
  const json::object& figures = p->as_object();
  return format_metric(figures.if_contains("rss_kib")) + " (" +
         format_metric(figures.if_contains("rss_anon_kib")) + ") / " +
         format_metric(figures.if_contains("pte_kib")) + " / " +
         format_metric(figures.if_contains("maps"));
}

void print_memory_summary(const json::array& sizes) {
  Line line;
  line.cell("entries", 12).cell("impl", 15);
  for (const char* phase : kMemoryPhases) line.cell(phase, 36);
  line.print();
  line.cell(std::string(12, '-'), 12).cell(std::string(15, '-'), 15);
  for (std::size_t i = 0; i < std::size(kMemoryPhases); ++i) line.cell(std::string(36, '-'), 36);
  line.print();
  for (const json::value& v : sizes) {
    const json::object& size = v.as_object();
    bool first = true;
    for (const auto& run : size.at("runs").as_object()) {
      const json::object& phases = run.value().as_object();
      if (phases.if_contains(kMemoryPhases[0]) == nullptr) continue;  // physical-pwrite
      line.cell(first ? with_separators(size.at("entries").as_uint64()) : "", 12)
          .cell(std::string(run.key()), 15);
      for (const char* phase : kMemoryPhases) line.cell(memory_cell(phases, phase), 36);
      line.print();
      first = false;
    }
  }
}

// The goals not met, one "entries: ratio value (goal)" per line.
void print_goals_verdict(const json::array& sizes) {
  bool all_met = true;
  for (const json::value& v : sizes) {
    const json::object& size = v.as_object();
    for (const auto& ratio : size.at("ratios").as_object()) {
      const json::object& r = ratio.value().as_object();
      const json::value* met = r.if_contains("met");
      if (met == nullptr || met->as_bool()) continue;
      if (all_met) std::printf("\ngoals NOT met:\n");
      all_met = false;
      std::printf("  %s entries: %s %.2f (goal %s)\n",
                  with_separators(size.at("entries").as_uint64()).c_str(),
                  std::string(ratio.key()).c_str(), r.at("value").as_double(),
                  std::string(r.at("goal").as_string()).c_str());
    }
  }
  if (all_met && !sizes.empty()) std::printf("\nevery ratio goal met at every size\n");
}

void print_summary(const ScalePlan& plan, const json::array& sizes) {
  std::printf(
      "summary: seglog / physical at each size (%s; goals of issue 15, append_sync\n"
      "keeping issue 4's as issue 15 asks it unchanged)\n\n",
      repeat_text(plan).c_str());
  print_ratio_summary(sizes);
  std::printf(
      "\nmemory after the read phases, KiB: VmRSS (of it RssAnon) / VmPTE / mappings "
      "(medians)\n\n");
  print_memory_summary(sizes);
  print_goals_verdict(sizes);
}

json::object scale_json(const ScalePlan& plan, json::array sizes) {
  // Every parameter but entries, which is per size; in params_json's order
  // (object::erase would move the last one into its place).
  json::object params;
  for (const auto& p : params_json(plan.rounds.params)) {
    if (p.key() != "entries") params[p.key()] = p.value();
  }
  json::array impls(plan.rounds.impls.begin(), plan.rounds.impls.end());
  json::array phases(plan.rounds.phases.begin(), plan.rounds.phases.end());
  json::array scale_sizes(plan.sizes.begin(), plan.sizes.end());
  // Computed before `sizes` is moved into the object.
  const bool met = sizes.size() == plan.sizes.size() &&
                   std::all_of(sizes.begin(), sizes.end(), [](const json::value& s) {
                     return s.as_object().at("goals_met").as_bool();
                   });
  return {{"impl", "all"},
          {"scale", true},
          {"impls", std::move(impls)},
          {"phases", std::move(phases)},
          {"repeat", plan.rounds.repeat},
          {"params", std::move(params)},
          {"scale_sizes", std::move(scale_sizes)},
          {"sizes", std::move(sizes)},
          {"goals_met", met}};
}

}  // namespace

std::uint64_t repeat_at(const ScalePlan& plan, std::uint64_t entries) {
  if (plan.short_size_repeat == 0) return plan.rounds.repeat;
  const std::uint64_t record = PhysicalStorage::record_bytes(plan.rounds.params.payload);
  const bool short_size = entries < kShortSizeBytes / record;
  return short_size ? plan.short_size_repeat : plan.rounds.repeat;
}

std::uint64_t bytes_needed(const Params& p) {
  const double record = static_cast<double>(PhysicalStorage::record_bytes(p.payload));
  const double records = static_cast<double>(p.entries + p.sync_entries) * record * 1.15;
  return static_cast<std::uint64_t>(records) + 4 * p.segment_size + kMarginBytes;
}

int run_scale(const ScalePlan& plan, const fs::path& root) {
  const std::uint64_t biggest = *std::max_element(plan.sizes.begin(), plan.sizes.end());
  json::array sizes;
  int status = 0;
  // The biggest first: better to stop now than after hours of the smaller.
  std::optional<std::string> stop = space_problem(plan.rounds.params, biggest, root,
                                                  "the biggest size, ", "before the first size");
  if (stop) status = 2;
  for (std::size_t i = 0; i < plan.sizes.size() && status == 0; ++i) {
    const std::uint64_t entries = plan.sizes[i];
    // Again before each: the disk is shared, others may have filled it.
    stop = space_problem(plan.rounds.params, entries, root, "next, ", "before this size");
    if (stop) {
      status = 2;
      break;
    }
    try {
      sizes.push_back(run_size(plan, entries, root));
    } catch (const std::exception& e) {
      stop =
          "the run of " + with_separators(entries) + " entries failed: " + e.what() + "; stopped";
      status = 1;
      break;
    }
    if (plan.table) print_size_table(plan, sizes.back().as_object());
    std::fflush(stdout);
  }
  if (stop) std::cerr << "workload --scale: " << *stop << "\n";
  if (plan.table) {
    if (!sizes.empty()) print_summary(plan, sizes);
  } else {
    json::object out = scale_json(plan, std::move(sizes));
    if (stop) out[status == 2 ? "stopped" : "failed"] = *stop;
    std::cout << json::serialize(out) << "\n";
  }
  std::cout.flush();
  if (status == 0 && !std::cout) status = 1;
  return status;
}

}  // namespace seglog::workload

// compare.cpp — the side-by-side run of --impl all and its ratios (issue 4,
// "ratios taken in the same run").
#include "compare.hpp"

#include "phases.hpp"

#include <boost/json/serialize.hpp>

#include <boost/json/array.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::workload {
namespace {

namespace json = boost::json;

std::optional<double> metric(const json::object& runs, const char* impl, const char* phase,
                             const char* name) {
  const json::value* run = runs.if_contains(impl);
  if (run == nullptr) return std::nullopt;
  const json::value* p = run->as_object().if_contains(phase);
  if (p == nullptr) return std::nullopt;
  const json::value* m = p->as_object().if_contains(name);
  if (m == nullptr) return std::nullopt;
  if (m->is_double()) return m->get_double();
  if (m->is_uint64()) return static_cast<double>(m->get_uint64());
  if (m->is_int64()) return static_cast<double>(m->get_int64());
  return std::nullopt;
}

enum class Goal { none, at_least, at_most };

struct RatioSpec {
  const char* key;    // name in the output
  const char* floor;  // the denominator's implementation
  const char* phase;
  const char* metric;
  Goal goal;
  double bound;
};

// seglog's value over the floor's, for each figure the issue compares.
// Throughputs: higher is better (goal: at least); latencies: lower is
// better (goal: at most).
constexpr RatioSpec kRatios[] = {
    {"append_mb_per_s", "physical", "append", "mb_per_s", Goal::at_least, 0.60},
    {"read_hot_p50", "physical", "read_hot", "p50_ns", Goal::none, 0},
    {"read_hot_p99", "physical", "read_hot", "p99_ns", Goal::none, 0},
    {"read_cold_p50", "physical", "read_cold", "p50_ns", Goal::at_most, 1.3},
    {"read_cold_p99", "physical", "read_cold", "p99_ns", Goal::at_most, 2.0},
    {"read_range_entries_per_s", "physical", "read_range", "entries_per_s", Goal::none, 0},
    {"read_range_copy_entries_per_s", "physical", "read_range", "copy_entries_per_s", Goal::none,
     0},
    {"reopen_open_ms", "physical", "reopen", "open_ms", Goal::none, 0},
    {"append_sync_batches_per_s", "physical", "append_sync", "batches_per_s", Goal::at_least, 0.90},
    {"append_sync_batches_per_s_vs_pwrite", "physical-pwrite", "append_sync", "batches_per_s",
     Goal::at_least, 0.90},
};

// Where issue 15 (--scale) sets another goal than issue 4.
struct GoalOverride {
  const char* key;
  Goal goal;
  double bound;
};

constexpr GoalOverride kIssue15Goals[] = {
    {"append_mb_per_s", Goal::at_least, 0.90},
    {"read_range_entries_per_s", Goal::at_least, 0.70},
};

RatioSpec with_goals(RatioSpec spec, GoalSet goals) {
  if (goals != GoalSet::issue15) return spec;
  for (const GoalOverride& o : kIssue15Goals) {
    if (std::string_view(o.key) == spec.key) {
      spec.goal = o.goal;
      spec.bound = o.bound;
    }
  }
  return spec;
}

// The lower median of numbers of one kind (all uint64, int64 or double).
json::value median_of(std::vector<json::value> values) {
  auto as_double = [](const json::value& v) {
    return v.is_double()   ? v.get_double()
           : v.is_uint64() ? static_cast<double>(v.get_uint64())
                           : static_cast<double>(v.get_int64());
  };
  std::sort(values.begin(), values.end(), [&](const json::value& a, const json::value& b) {
    return as_double(a) < as_double(b);
  });
  return values[(values.size() - 1) / 2];
}

}  // namespace

json::object median_runs(const std::vector<json::object>& rounds) {
  json::object out;
  if (rounds.empty()) return out;
  for (const auto& impl : rounds.front()) {
    json::object phases;
    for (const auto& phase : impl.value().as_object()) {
      json::object metrics;
      for (const auto& metric : phase.value().as_object()) {
        std::vector<json::value> values;
        for (const json::object& round : rounds) {
          const json::value* v = round.if_contains(impl.key());
          if (v != nullptr) v = v->as_object().if_contains(phase.key());
          if (v != nullptr) v = v->as_object().if_contains(metric.key());
          if (v != nullptr && v->is_number()) values.push_back(*v);
        }
        if (!values.empty()) metrics[metric.key()] = median_of(std::move(values));
      }
      phases[phase.key()] = std::move(metrics);
    }
    out[impl.key()] = std::move(phases);
  }
  return out;
}

json::object median_ratios(const std::vector<json::object>& rounds) {
  json::object out;
  if (rounds.empty()) return out;
  for (const auto& ratio : rounds.front()) {
    std::vector<json::value> values;
    json::array each;
    for (const json::object& round : rounds) {
      if (const json::value* r = round.if_contains(ratio.key())) {
        values.push_back(r->as_object().at("value"));
        each.push_back(r->as_object().at("value"));
      }
    }
    json::object entry = ratio.value().as_object();
    const double median = median_of(values).as_double();
    entry["value"] = median;
    if (const json::value* goal = entry.if_contains("goal")) {
      const std::string text(goal->as_string());
      const double bound = std::stod(text.substr(3));
      entry["met"] = text.rfind(">=", 0) == 0 ? median >= bound : median <= bound;
    }
    entry["rounds"] = std::move(each);
    out[ratio.key()] = std::move(entry);
  }
  return out;
}

std::string format_metric(const json::value* value) {
  if (value == nullptr) return "-";
  char buf[64];
  if (value->is_double()) {
    const double d = value->get_double();
    std::snprintf(buf, sizeof buf, d >= 100 ? "%.1f" : d >= 1 ? "%.2f" : "%.3g", d);
    return buf;
  }
  std::uint64_t u = 0;
  if (value->is_uint64())
    u = value->get_uint64();
  else if (value->is_int64())
    u = static_cast<std::uint64_t>(value->get_int64());
  else
    return json::serialize(*value);
  return with_separators(u);
}

const std::vector<std::string>& compared_impls() {
  static const std::vector<std::string> impls = {"seglog", "physical", "physical-pwrite", "memory"};
  return impls;
}

std::vector<std::string> compared_phases(const std::string& impl,
                                         const std::vector<std::string>& selected) {
  if (impl != "physical-pwrite") return selected;
  std::vector<std::string> out;
  for (const std::string& phase : selected) {
    if (phase == "append" || phase == "append_sync") out.push_back(phase);
  }
  return out;
}

json::object compare_ratios(const json::object& runs, GoalSet goals) {
  json::object out;
  for (const RatioSpec& listed : kRatios) {
    const RatioSpec spec = with_goals(listed, goals);
    const auto mine = metric(runs, "seglog", spec.phase, spec.metric);
    const auto floor = metric(runs, spec.floor, spec.phase, spec.metric);
    if (!mine || !floor || *floor == 0) continue;
    const double ratio = *mine / *floor;
    json::object entry = {
        {"value", ratio},
        {"of", std::string("seglog / ") + spec.floor + " " + spec.phase + "." + spec.metric}};
    if (spec.goal != Goal::none) {
      char goal[32];
      std::snprintf(goal, sizeof goal, "%s %.2f",
                    spec.goal == Goal::at_least ? ">=" : "<=", spec.bound);
      entry["goal"] = goal;
      entry["met"] = spec.goal == Goal::at_least ? ratio >= spec.bound : ratio <= spec.bound;
    }
    out[spec.key] = std::move(entry);
  }
  return out;
}

void print_comparison_table(const std::string& heading, const json::object& runs,
                            const json::object& ratios) {
  std::printf("%s\n\n", heading.c_str());
  std::printf("%-16s %-18s", "phase", "metric");
  for (const auto& run : runs) std::printf(" %15s", std::string(run.key()).c_str());
  std::printf("\n%-16s %-18s", "----------------", "------------------");
  for (std::size_t i = 0; i < runs.size(); ++i) std::printf(" %15s", "---------------");
  std::printf("\n");
  for (const std::string& phase : phase_names()) {
    // The metrics of this phase, in the order the first run that has it
    // reports them.
    const json::object* names = nullptr;
    for (const auto& run : runs) {
      if (const json::value* p = run.value().as_object().if_contains(phase)) {
        names = &p->as_object();
        break;
      }
    }
    if (names == nullptr) continue;
    bool first = true;
    for (const auto& name : *names) {
      std::printf("%-16s %-18s", first ? phase.c_str() : "", std::string(name.key()).c_str());
      for (const auto& run : runs) {
        const json::value* p = run.value().as_object().if_contains(phase);
        const json::value* m = p == nullptr ? nullptr : p->as_object().if_contains(name.key());
        std::printf(" %15s", format_metric(m).c_str());
      }
      std::printf("\n");
      first = false;
    }
  }
  if (ratios.empty()) return;
  std::printf("\n%-38s %8s %9s %s\n", "ratio (seglog / floor, same run)", "value", "goal", "");
  std::printf("%-38s %8s %9s\n", "--------------------------------------", "--------", "---------");
  for (const auto& ratio : ratios) {
    const json::object& r = ratio.value().as_object();
    const json::value* goal = r.if_contains("goal");
    const json::value* met = r.if_contains("met");
    std::string each;
    if (const json::value* rounds = r.if_contains("rounds")) {
      for (const json::value& v : rounds->as_array()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%.2f", each.empty() ? "rounds: " : ", ", v.as_double());
        each += buf;
      }
    }
    std::printf("%-38s %8.3f %9s %-7s %s\n", std::string(ratio.key()).c_str(),
                r.at("value").as_double(),
                goal == nullptr ? "" : std::string(goal->as_string()).c_str(),
                met == nullptr   ? ""
                : met->as_bool() ? "met"
                                 : "NOT met",
                each.c_str());
  }
}

}  // namespace seglog::workload

// sweep/tally.cpp — counting and printing a family's outcomes.
#include "sweep/tally.hpp"

#include "sweep/regions.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace seglog::sweep {

namespace {
constexpr std::size_t kViolationsShown = 20;
}

Tally::Tally(std::string family) : family_(std::move(family)) {}

void Tally::violation(const std::string& what) {
  ++violation_count_;
  if (first_violations_.size() < kViolationsShown) first_violations_.push_back(what);
}

void Tally::add(const std::string& region, const ProbeResult& result, const std::string& what) {
  ++cases_;
  ++outcomes_[result.outcome];
  if (result.outcome == Outcome::violation) {
    violation(what + " [" + region + "]: " + result.detail);
    return;
  }
  if (result.outcome == Outcome::no_effect) {
    ++no_effect_by_region_[region];
    if (allowed_because(region) == nullptr) {
      violation(what + ": undetected (no effect) in " + region);
    }
  }
}

void Tally::add_expecting(const std::vector<Outcome>& allowed, const ProbeResult& result,
                          const std::string& what) {
  ++cases_;
  ++outcomes_[result.outcome];
  if (result.outcome == Outcome::violation) {
    violation(what + ": " + result.detail);
  } else if (std::find(allowed.begin(), allowed.end(), result.outcome) == allowed.end()) {
    violation(what + ": " + outcome_name(result.outcome) + ", which this case does not allow");
  }
}

std::uint64_t Tally::count(Outcome outcome) const {
  const auto it = outcomes_.find(outcome);
  return it == outcomes_.end() ? 0 : it->second;
}

std::string Tally::summary() const {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::ostringstream out;
  out << "sweep " << family_ << ": " << cases_ << " cases";
  char time[32];
  std::snprintf(time, sizeof time, " (%.1f s)", seconds);
  out << time << ":";
  const char* separator = " ";
  for (const auto& [outcome, n] : outcomes_) {
    out << separator << n << " " << outcome_name(outcome);
    separator = ", ";
  }
  out << "\n";
  for (const auto& [region, n] : no_effect_by_region_) {
    out << "    no effect in " << region << ": " << n
        << (allowed_because(region) ? " (allow-listed)" : " (NOT ALLOWED)") << "\n";
  }
  if (violation_count_ != 0) {
    out << "    " << violation_count_ << " violations; the first " << first_violations_.size()
        << ":\n";
    for (const std::string& v : first_violations_) out << "      " << v << "\n";
  }
  return out.str();
}

void Tally::print() const {
  std::fputs(summary().c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace seglog::sweep

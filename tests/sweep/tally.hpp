// sweep/tally.hpp — counts one family's cases by outcome, "no effect"
// cases by region, and keeps the violations; prints one summary per
// family to stdout (so it lands in the meson test log).
#pragma once

#include "sweep/probe.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace seglog::sweep {

class Tally {
 public:
  explicit Tally(std::string family);

  // Records one case. A "no effect" in a region off the allow-list, and an
  // outcome not in `allowed` (when given), become violations.
  void add(const std::string& region, const ProbeResult& result, const std::string& what);
  void add_expecting(const std::vector<Outcome>& allowed, const ProbeResult& result,
                     const std::string& what);
  // A violation found outside a probe (e.g. a read-only open changed a file).
  void violation(const std::string& what);

  std::uint64_t cases() const { return cases_; }
  std::uint64_t violations() const { return violation_count_; }
  std::uint64_t count(Outcome outcome) const;
  // The summary printed by print(); the first violations in full.
  std::string summary() const;
  void print() const;

 private:
  std::string family_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::uint64_t cases_ = 0;
  std::map<Outcome, std::uint64_t> outcomes_;
  std::map<std::string, std::uint64_t> no_effect_by_region_;
  std::uint64_t violation_count_ = 0;
  std::vector<std::string> first_violations_;
};

}  // namespace seglog::sweep

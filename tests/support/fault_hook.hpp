// support/fault_hook.hpp — installs a fault-injection hook for one test's
// scope (needs the library built with SEGLOG_FAULT_INJECTION).
#pragma once

#include "io/fault_injection.hpp"

#include <atomic>
#include <filesystem>
#include <string>
#include <utility>

namespace seglog::test {

class ScopedFault {
 public:
  using Op = seglog::detail::fault::Op;

  // Fails every `op` with `err` while armed, on paths that do not end with
  // `spare_suffix` (empty: every path).
  ScopedFault(Op op, int err, std::string spare_suffix = {})
      : op_(op), err_(err), spare_suffix_(std::move(spare_suffix)) {
    seglog::detail::fault::set_hook([this](Op op, const std::filesystem::path& path) {
      const bool spared =
          !spare_suffix_.empty() && path.string().ends_with(spare_suffix_);
      if (armed_.load() && op == op_ && !spared) {
        ++hits_;
        return err_;
      }
      return 0;
    });
  }
  ~ScopedFault() { seglog::detail::fault::set_hook({}); }
  ScopedFault(const ScopedFault&) = delete;
  ScopedFault& operator=(const ScopedFault&) = delete;

  void disarm() { armed_.store(false); }
  void arm() { armed_.store(true); }
  int hits() const { return hits_.load(); }

 private:
  Op op_;
  int err_;
  std::string spare_suffix_;
  std::atomic<bool> armed_{true};
  std::atomic<int> hits_{0};
};

}  // namespace seglog::test

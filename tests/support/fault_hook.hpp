// support/fault_hook.hpp — the tests' side of the fault-injection seam
// (src/io/fault_injection.hpp; needs the library built with
// SEGLOG_FAULT_INJECTION, i.e. seglog_fault_dep): ScopedFault fails chosen
// calls for one scope, FailNthCall fails one step of an operation,
// CallLog records every call in order. (The power-loss model is a hook
// too: tests/power_loss/durable_model.hpp.)
#pragma once

#include "io/fault_injection.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace seglog::test {

using FaultOp = seglog::detail::fault::Op;

// Which calls of the op a ScopedFault fails (default: every call), e.g.
// `FaultFilter().sparing(".tmp")` or `FaultFilter().named("state").nth(2)`.
struct FaultFilter {
  // Only files whose name contains this.
  std::string name_part;
  // Never paths that end with this (e.g. ".tmp": spare the files a roll
  // prepares and fail the active segment's).
  std::string spare_suffix;
  // Only the n-th matching call (1-based); 0: every matching call.
  int only_nth = 0;

  FaultFilter& named(std::string part) {
    name_part = std::move(part);
    return *this;
  }
  FaultFilter& sparing(std::string suffix) {
    spare_suffix = std::move(suffix);
    return *this;
  }
  FaultFilter& nth(int n) {
    only_nth = n;
    return *this;
  }
};

// While alive (and armed), fails the calls of `op` that match `filter` with
// `err`, without making them; counts the failures it caused.
class ScopedFault final : public seglog::detail::fault::Hook {
 public:
  ScopedFault(FaultOp op, int err, FaultFilter filter = {})
      : op_(op), err_(err), filter_(std::move(filter)) {
    seglog::detail::fault::set_hook(this);
  }
  ~ScopedFault() override { seglog::detail::fault::set_hook(nullptr); }
  ScopedFault(const ScopedFault&) = delete;
  ScopedFault& operator=(const ScopedFault&) = delete;

  void disarm() { armed_.store(false); }
  void arm() { armed_.store(true); }
  // How many calls this fault failed.
  int hits() const { return hits_.load(); }

  int before(const seglog::detail::fault::Call& call) override {
    if (!armed_.load() || call.op != op_) return 0;
    const std::string path = call.path.string();
    if (!filter_.name_part.empty() &&
        call.path.filename().string().find(filter_.name_part) == std::string::npos) {
      return 0;
    }
    if (!filter_.spare_suffix.empty() && path.ends_with(filter_.spare_suffix)) return 0;
    ++matched_;
    if (filter_.only_nth != 0 && matched_ != filter_.only_nth) return 0;
    ++hits_;
    return err_;
  }
  void after(const seglog::detail::fault::Call&, int) override {}

 private:
  FaultOp op_;
  int err_;
  FaultFilter filter_;
  int matched_ = 0;  // under the seam's mutex
  std::atomic<bool> armed_{true};
  std::atomic<int> hits_{0};
};

// While alive, fails the n-th disk-changing call (1-based, any op) with
// `err` and lets every other call run: sweeping n over 1, 2, ... fails
// each step of an operation in turn. With `and_every_later` it fails the
// later calls too: the process stops at step n as far as the disk can
// tell (a crash of the process, not of the machine).
class FailNthCall final : public seglog::detail::fault::Hook {
 public:
  FailNthCall(int n, int err, bool and_every_later = false)
      : n_(n), err_(err), and_every_later_(and_every_later) {
    seglog::detail::fault::set_hook(this);
  }
  ~FailNthCall() override { seglog::detail::fault::set_hook(nullptr); }
  FailNthCall(const FailNthCall&) = delete;
  FailNthCall& operator=(const FailNthCall&) = delete;

  // Stops failing (and counting); the hook stays until destruction.
  void disarm() { armed_.store(false); }
  bool hit() const { return hit_.load(); }
  // The call that was failed, as "<op> <file name>" (empty if none yet).
  std::string failed_call() const {
    std::lock_guard lock(mu_);
    return failed_;
  }
  FaultOp failed_op() const { return failed_op_.load(); }

  int before(const seglog::detail::fault::Call& call) override {
    if (!armed_.load()) return 0;
    ++seen_;
    if (and_every_later_ && seen_ > n_) return err_;
    if (seen_ != n_) return 0;
    std::lock_guard lock(mu_);
    failed_ =
        std::string(seglog::detail::fault::op_name(call.op)) + " " + call.path.filename().string();
    failed_op_.store(call.op);
    hit_.store(true);
    return err_;
  }
  void after(const seglog::detail::fault::Call&, int) override {}

 private:
  int n_;
  int err_;
  bool and_every_later_;
  int seen_ = 0;  // under the seam's mutex
  std::atomic<bool> armed_{true};
  std::atomic<bool> hit_{false};
  std::atomic<FaultOp> failed_op_{FaultOp::write};
  mutable std::mutex mu_;
  std::string failed_;
};

// While alive, fails the calls whose numbers (1-based, any op) are keys of
// `failures`, each with its errno, and lets every other call run: several
// failures in flight at once (a second one while the first's consequences
// are still queued).
class FailCalls final : public seglog::detail::fault::Hook {
 public:
  explicit FailCalls(std::map<int, int> failures) : failures_(std::move(failures)) {
    seglog::detail::fault::set_hook(this);
  }
  ~FailCalls() override { seglog::detail::fault::set_hook(nullptr); }
  FailCalls(const FailCalls&) = delete;
  FailCalls& operator=(const FailCalls&) = delete;

  void disarm() { armed_.store(false); }
  // The calls failed so far, as "<op> <file name>", in order.
  std::vector<std::string> failed_calls() const {
    std::lock_guard lock(mu_);
    return failed_;
  }

  int before(const seglog::detail::fault::Call& call) override {
    if (!armed_.load()) return 0;
    ++seen_;
    const auto it = failures_.find(seen_);
    if (it == failures_.end()) return 0;
    std::lock_guard lock(mu_);
    failed_.push_back(std::string(seglog::detail::fault::op_name(call.op)) + " " +
                      call.path.filename().string());
    return it->second;
  }
  void after(const seglog::detail::fault::Call&, int) override {}

 private:
  std::map<int, int> failures_;
  int seen_ = 0;  // under the seam's mutex
  std::atomic<bool> armed_{true};
  mutable std::mutex mu_;
  std::vector<std::string> failed_;
};

// One call as CallLog saw it: the op and the file's name (rename: the new
// name; sync_directory: the directory's name).
struct SeenCall {
  FaultOp op;
  std::string name;
  bool operator==(const SeenCall&) const = default;
};

// While alive, records every call that succeeded, in order.
class CallLog final : public seglog::detail::fault::Hook {
 public:
  CallLog() { seglog::detail::fault::set_hook(this); }
  ~CallLog() override { seglog::detail::fault::set_hook(nullptr); }
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  // Stops recording (removes the hook) and returns what was seen.
  std::vector<SeenCall> take() {
    seglog::detail::fault::set_hook(nullptr);
    std::lock_guard lock(mu_);
    return std::move(calls_);
  }
  // The ops seen, without names.
  std::vector<FaultOp> ops() {
    std::vector<FaultOp> out;
    for (const SeenCall& c : take()) out.push_back(c.op);
    return out;
  }

  int before(const seglog::detail::fault::Call&) override { return 0; }
  void after(const seglog::detail::fault::Call& call, int err) override {
    if (err != 0) return;
    std::lock_guard lock(mu_);
    calls_.push_back({call.op, call.path.filename().string()});
  }

 private:
  std::mutex mu_;
  std::vector<SeenCall> calls_;
};

}  // namespace seglog::test

namespace Catch {
template <>
struct StringMaker<seglog::test::SeenCall> {
  static std::string convert(const seglog::test::SeenCall& c) {
    return std::string("{") + seglog::detail::fault::op_name(c.op) + " " + c.name + "}";
  }
};
template <>
struct StringMaker<seglog::detail::fault::Op> {
  static std::string convert(seglog::detail::fault::Op op) {
    return seglog::detail::fault::op_name(op);
  }
};
}  // namespace Catch

// power_loss/scenario.hpp — runs public operations on a prepared log under
// the DurableModel, keeps the mirror of what each crash may open to, then
// opens every crash image and checks it (docs/reliability.md, "Simulated
// power loss").
#pragma once

#include <seglog/seglog.hpp>

#include "power_loss/crash_image.hpp"
#include "power_loss/durable_model.hpp"
#include "power_loss/expected_state.hpp"
#include "power_loss/scratch_dir.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seglog::test {

// Images per crash point: SEGLOG_POWER_LOSS_CASES, else `ci_default`.
std::uint64_t images_per_crash_point(std::uint64_t ci_default);

// Sees a scenario's disk-changing calls beside its DurableModel (the golden
// records of golden_ops_test.cpp). One per Scenario, made by the factory
// given to Scenario::observe_all; its before() may not fail a call.
class ScenarioObserver : public seglog::detail::fault::Hook {
 public:
  // Calls of `dir` from now on (the crashed directory after a crash).
  virtual void watch(const std::filesystem::path& dir) = 0;
  // A public operation starts (on the test's thread) / has returned.
  virtual void begin_operation(const std::string& label) = 0;
  virtual void end_operation() = 0;
  // A power loss now: calls are ignored until the next watch().
  virtual void crash(std::uint64_t pattern) = 0;
  // The operations are over (check_images). True: skip the crash images.
  virtual bool finish(const std::string& scenario) = 0;
};

using ObserverFactory = std::unique_ptr<ScenarioObserver> (*)();

class Scenario {
 public:
  // A fresh log in a temporary directory (64 KiB segments).
  explicit Scenario(std::string name);
  ~Scenario();

  SegmentedStorage& storage() { return *storage_; }
  const std::filesystem::path& dir() const {
    return crashed_dir_ ? crashed_dir_->path() : dir_.path();
  }

  // Every Scenario constructed from now on gets an observer from `factory`
  // (nullptr: none). An observed scenario waits for the log's background
  // work (flush) before a crash and at its end, so what its observer saw
  // does not depend on timing; without an observer nothing changes.
  static void observe_all(ObserverFactory factory);

  // Preparation, before recording: appends (term `term`) and syncs.
  void prepare(std::uint64_t count, std::uint64_t term = 1);

  // From here on every disk-changing call is a step with a crash point.
  void start_recording();

  // The public operations, each run as one named operation: a crash during
  // it may open to the state before or after it; after it returns, to what
  // it promised. Each REQUIREs that the call succeeded.
  void append(std::uint64_t count, std::uint64_t term);
  // Appends `entries` (consecutive from last_index() + 1), e.g. entries
  // larger than a segment, which get a segment of their own.
  void append_entries(const std::vector<LogEntry>& entries);
  void sync();
  void truncate_after(std::uint64_t index);
  void truncate_before(std::uint64_t index);
  void save_state(const PersistentState& state);
  void save_cluster_config(const ClusterConfig& config);
  void save_snapshot(std::uint64_t last_index, std::uint64_t last_term);
  // During: the old log or the restarted one (empty at `next_index`,
  // restart.json new), never a mix; after: the restarted one.
  void restart_log(std::uint64_t next_index, std::uint64_t prev_term);
  // Sets `key` to a value of its own of `value_bytes`. During: the key's
  // old or new value, every other key as it was; after: the new value.
  void set_value(const std::string& key, std::size_t value_bytes);
  // Sets eight small keys (values of 1 to 2 KiB), each as set_value does
  // but without crash points, until fewer than `room_bytes` are left
  // before stable.kv's capacity: the next sets reach its rewrite. Returns
  // how many it made.
  std::uint64_t fill_values(std::uint64_t room_bytes);
  // The bytes stable.kv can still take before a set must rewrite it (0:
  // no file yet), read from the live directory.
  std::uint64_t kv_room() const;
  void close();
  // A power loss now (loss pattern `pattern` of this instant), then open
  // the crashed directory as the operation "open after a crash" (a crash
  // during recovery: the torn tail's seal, leftovers removed) and go on
  // with it.
  void crash_and_reopen(std::uint64_t pattern);

  // Self-test: the model forgets the fsyncs of files named like this.
  void forget_syncs_of(std::string name_part) { model_->forget_syncs_of(std::move(name_part)); }

  // Opens `images` loss patterns of every crash point, checks each against
  // its expectation, prints the counts per operation and returns the
  // failures; CHECKs there were none when `expect_clean`.
  std::uint64_t check_images(std::uint64_t images, bool expect_clean = true);

 private:
  template <class Call>
  void run(const std::string& label, Expectation during, Expectation after, Call call);
  Expectation current() const;

  void stop_recording();
  // A new DurableModel of dir(), with the observer (if any) beside it.
  void install_model();

  class Tee;

  std::string name_;
  ScratchDir dir_;
  std::unique_ptr<ScratchDir> crashed_dir_;  // after crash_and_reopen
  std::vector<CrashPoint> points_;           // of every model so far
  std::vector<std::pair<std::string, int>> steps_;
  std::unique_ptr<SegmentedStorage> storage_;
  std::unique_ptr<DurableModel> model_;
  std::unique_ptr<ScenarioObserver> observer_;
  std::unique_ptr<Tee> tee_;
  // The mirror: what the log holds and what is durable.
  LogState log_;
  PersistentState state_;
  std::optional<ClusterConfig> cluster_;
  std::optional<SnapshotMeta> snapshot_;
  std::map<std::string, Value> values_;
  std::uint64_t sets_ = 0;  // set_value calls so far: the next value's seed
  std::vector<Expectation> expectations_;
};

}  // namespace seglog::test

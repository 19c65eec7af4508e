// power_loss/scenario.cpp — operations under the durable model and the
// check of every crash image, counted (scenario.hpp; image_check.cpp checks
// one image).
#include "power_loss/scenario.hpp"

#include "meta/kv_file.hpp"
#include "power_loss/image_check.hpp"
#include "support/results.hpp"
#include "support/small_options.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <span>
#include <sstream>

namespace seglog::test {
namespace {

// What an image held, for a failure message: its files (synced size /
// size in the image) and the namespace operations pending at the crash.
std::string describe_image(const CrashPoint& point, const ImageStats& stats,
                           const std::filesystem::path& dir) {
  std::string out = "image files:";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out += " " + e.path().filename().string() + " (" + std::to_string(e.file_size()) + ")";
  }
  out += "; pending namespace ops (" + std::to_string(stats.namespace_ops_kept) + " kept):";
  for (const NamespaceOp& op : point.pending) {
    out += op.kind == NamespaceOp::Kind::create   ? " create "
           : op.kind == NamespaceOp::Kind::rename ? " rename "
                                                  : " unlink ";
    out += op.name + (op.to.empty() ? "" : " -> " + op.to) + ";";
  }
  return out;
}

// SEGLOG_POWER_LOSS_KEEP=<dir>: a failing image is written again, as the
// crash left it (before the check's open recovered it), into
// <dir>/<scenario>-point<salt>-pattern<k>.
void keep_failed_image(const CrashPoint& point, const std::string& scenario, std::uint64_t salt,
                       std::uint64_t pattern) {
  const char* keep = std::getenv("SEGLOG_POWER_LOSS_KEEP");
  if (keep == nullptr) return;
  std::string name =
      scenario + "-point" + std::to_string(salt) + "-pattern" + std::to_string(pattern);
  for (char& c : name) {
    if (c == ' ' || c == ',' || c == '/') c = '_';
  }
  const std::filesystem::path dir = std::filesystem::path(keep) / name;
  std::filesystem::create_directories(dir);
  write_crash_image(point, pattern, salt, dir);
}

ObserverFactory& observer_factory() {
  static ObserverFactory factory = nullptr;
  return factory;
}

}  // namespace

// Hands each call to the model, then to the observer (the seam takes one
// hook).
class Scenario::Tee final : public seglog::detail::fault::Hook {
 public:
  Tee(DurableModel& model, ScenarioObserver& observer) : model_(model), observer_(observer) {}
  int before(const seglog::detail::fault::Call& call) override {
    const int err = model_.before(call);
    (void)observer_.before(call);
    return err;
  }
  void after(const seglog::detail::fault::Call& call, int err) override {
    model_.after(call, err);
    observer_.after(call, err);
  }

 private:
  DurableModel& model_;
  ScenarioObserver& observer_;
};

void Scenario::observe_all(ObserverFactory factory) { observer_factory() = factory; }

std::uint64_t images_per_crash_point(std::uint64_t ci_default) {
  if (const char* env = std::getenv("SEGLOG_POWER_LOSS_CASES")) {
    const std::uint64_t n = std::strtoull(env, nullptr, 10);
    if (n > 0) return n;
  }
  return ci_default;
}

Scenario::Scenario(std::string name) : name_(std::move(name)) {
  if (observer_factory() != nullptr) observer_ = observer_factory()();
  auto opened = SegmentedStorage::open(small_options(dir_.path()));
  REQUIRE(opened);
  storage_ = std::move(*opened);
}

Scenario::~Scenario() {
  if (model_) model_->uninstall();
  storage_.reset();  // before its directory goes
}

void Scenario::install_model() {
  model_ = std::make_unique<DurableModel>(dir());
  if (!observer_) return;
  observer_->watch(dir());
  tee_ = std::make_unique<Tee>(*model_, *observer_);
  seglog::detail::fault::set_hook(tee_.get());  // the model's uninstall() removes it
}

void Scenario::prepare(std::uint64_t count, std::uint64_t term) {
  REQUIRE(model_ == nullptr);
  auto entries = power_loss_entries(log_.last() + 1, count, term);
  REQUIRE(storage_->append_entries(entries));
  REQUIRE(storage_->sync());
  log_.entries.insert(log_.entries.end(), entries.begin(), entries.end());
  log_.synced_last = log_.last();
}

void Scenario::start_recording() {
  // The background work of the preparation (the next segment prepared
  // ahead, a seal) is done: the model starts from a quiet directory.
  REQUIRE(storage_->flush());
  install_model();
  expectations_.push_back(current());
}

void Scenario::stop_recording() {
  if (!model_) return;
  model_->uninstall();
  for (CrashPoint& point : model_->crash_points()) points_.push_back(std::move(point));
  for (const auto& counted : model_->steps_per_operation()) steps_.push_back(counted);
  model_.reset();
}

void Scenario::crash_and_reopen(std::uint64_t pattern) {
  REQUIRE(model_ != nullptr);
  if (observer_) {
    // The crash instant must not depend on how far the background got.
    REQUIRE(storage_->flush());
    observer_->crash(pattern);
  }
  const CrashPoint crash = model_->snapshot_now("crash");
  auto next_dir = std::make_unique<ScratchDir>();
  write_crash_image(crash, pattern, 99, next_dir->path());
  // The old handle and its directory are abandoned (closing it would
  // write to the old directory, which no longer matters).
  stop_recording();
  storage_.reset();
  crashed_dir_ = std::move(next_dir);
  install_model();
  // A crash during recovery opens to a prefix of the log that keeps every
  // synced entry, as the crash before it did.
  Expectation during = current();
  expectations_.push_back(during);
  model_->begin_operation("open after a crash", static_cast<int>(expectations_.size() - 1));
  if (observer_) observer_->begin_operation("open after a crash");
  auto opened = SegmentedStorage::open(small_options(dir()));
  REQUIRE(opened);
  storage_ = std::move(*opened);
  // What survived this crash is the log from now on; open sealed it.
  const std::uint64_t last = storage_->last_index();
  REQUIRE(storage_->first_index() == log_.first);
  REQUIRE(last >= log_.synced_last);
  REQUIRE(last <= log_.last());
  for (std::uint64_t i = log_.first; i <= last; ++i) {
    REQUIRE(storage_->get_entry(i).value() == log_.entries[i - log_.first]);
  }
  log_.entries.resize(static_cast<std::size_t>(last + 1 - log_.first));
  log_.synced_last = last;
  // Every set_value had returned: each value survived, nothing else did.
  for (const auto& [key, value] : values_) {
    REQUIRE(storage_->get_value(std::as_bytes(std::span(key))).value() == value);
  }
  if (observer_) observer_->end_operation();
  expectations_.push_back(current());
  model_->end_operation(static_cast<int>(expectations_.size() - 1));
}

Expectation Scenario::current() const {
  Expectation e;
  e.logs = {log_};
  e.logs.front().label = "old";
  e.states = {state_};
  e.clusters = {cluster_};
  e.snapshots = {snapshot_};
  for (const auto& [key, value] : values_) e.values[key] = {value};
  return e;
}

template <class Call>
void Scenario::run(const std::string& label, Expectation during, Expectation after, Call call) {
  REQUIRE(model_ != nullptr);
  expectations_.push_back(std::move(during));
  model_->begin_operation(label, static_cast<int>(expectations_.size() - 1));
  if (observer_) observer_->begin_operation(label);
  call();
  if (observer_) observer_->end_operation();
  expectations_.push_back(std::move(after));
  model_->end_operation(static_cast<int>(expectations_.size() - 1));
}

void Scenario::append(std::uint64_t count, std::uint64_t term) {
  append_entries(power_loss_entries(log_.last() + 1, count, term));
}

void Scenario::append_entries(const std::vector<LogEntry>& entries) {
  REQUIRE(!entries.empty());
  REQUIRE(entries.front().index == log_.last() + 1);
  const std::uint64_t count = entries.size();
  LogState next = log_;
  next.entries.insert(next.entries.end(), entries.begin(), entries.end());
  Expectation e = current();
  e.logs = {next};
  e.logs.front().label = "appended";
  run("append(" + std::to_string(count) + ")", e, e,
      [&] { REQUIRE(storage_->append_entries(entries)); });
  log_ = next;
}

void Scenario::sync() {
  Expectation during = current();
  LogState next = log_;
  next.synced_last = next.last();
  Expectation after = current();
  after.logs = {next};
  after.logs.front().label = "synced";
  run("sync", during, after, [&] { REQUIRE(storage_->sync()); });
  log_ = next;
}

void Scenario::close() {
  Expectation during = current();
  LogState next = log_;
  // A close seals the active segment: everything appended is durable.
  next.synced_last = next.last();
  Expectation after = current();
  after.logs = {next};
  after.logs.front().label = "closed";
  run("close", during, after, [&] { REQUIRE(storage_->close()); });
  log_ = next;
}

void Scenario::truncate_after(std::uint64_t index) {
  // During: a prefix of the old log that keeps at least [.., index]
  // where it was synced (design.md, "truncate_after" crash table).
  LogState old = log_;
  old.label = "old";
  old.synced_last = std::min(old.synced_last, index);
  Expectation during = current();
  during.logs = {old};
  LogState next = old;
  next.label = "cut";
  next.entries.resize(static_cast<std::size_t>(index + 1 - next.first));
  Expectation after = current();
  after.logs = {next};
  run("truncate_after(" + std::to_string(index) + ")", during, after,
      [&] { REQUIRE(storage_->truncate_after(index)); });
  log_ = next;
}

void Scenario::truncate_before(std::uint64_t index) {
  LogState next = log_;
  next.label = "compacted";
  if (index <= next.last()) {
    next.entries.erase(next.entries.begin(),
                       next.entries.begin() + static_cast<std::ptrdiff_t>(index - next.first));
  } else {
    next.entries.clear();  // a snapshot installed past the log
  }
  next.first = index;
  next.synced_last = std::max(next.synced_last, index - 1);
  Expectation during = current();
  during.logs = {log_, next};
  during.logs.front().label = "old";
  Expectation after = current();
  after.logs = {next};
  run("truncate_before(" + std::to_string(index) + ")", during, after,
      [&] { REQUIRE(storage_->truncate_before(index)); });
  log_ = next;
}

void Scenario::save_state(const PersistentState& state) {
  Expectation during = current();
  during.states = {state_, state};
  Expectation after = current();
  after.states = {state};
  run("save_state(term " + std::to_string(state.current_term) + ")", during, after,
      [&] { REQUIRE(storage_->save_state(state)); });
  state_ = state;
}

void Scenario::save_cluster_config(const ClusterConfig& config) {
  Expectation during = current();
  during.clusters = {cluster_, config};
  Expectation after = current();
  after.clusters = {config};
  run("save_cluster_config(index " + std::to_string(config.index) + ")", during, after,
      [&] { REQUIRE(storage_->save_cluster_config(config)); });
  cluster_ = config;
}

void Scenario::save_snapshot(std::uint64_t last_index, std::uint64_t last_term) {
  const std::vector<std::byte> data = snapshot_data(last_index);
  const SnapshotMeta meta{last_index, last_term, data.size()};
  Expectation during = current();
  during.snapshots = {snapshot_, meta};
  Expectation after = current();
  after.snapshots = {meta};
  run("save_snapshot(" + std::to_string(last_index) + ")", during, after,
      [&] { REQUIRE(storage_->save_snapshot(data, last_index, last_term)); });
  snapshot_ = meta;
}

void Scenario::restart_log(std::uint64_t next_index, std::uint64_t prev_term) {
  LogState next;
  next.label = "restarted";
  next.first = next_index;
  next.synced_last = next_index - 1;  // empty, and durable once returned
  next.restart = RestartRecord{next_index, prev_term};
  Expectation during = current();
  during.logs = {log_, next};
  during.logs.front().label = "old";
  Expectation after = current();
  after.logs = {next};
  run("restart_log(" + std::to_string(next_index) + ", term " + std::to_string(prev_term) + ")",
      during, after, [&] { REQUIRE(storage_->restart_log(next_index, prev_term)); });
  log_ = next;
}

void Scenario::set_value(const std::string& key, std::size_t value_bytes) {
  const Value value = kv_value(++sets_, value_bytes);
  Expectation during = current();
  std::vector<std::optional<Value>>& allowed = during.values[key];
  if (allowed.empty()) allowed.push_back(std::nullopt);  // a new key
  allowed.push_back(value);
  Expectation after = current();
  after.values[key] = {value};
  run("set_value(" + key_label(key) + ", " + std::to_string(value_bytes) + " bytes)", during, after,
      [&] { REQUIRE(storage_->set_value(std::as_bytes(std::span(key)), value)); });
  values_[key] = value;
}

std::uint64_t Scenario::fill_values(std::uint64_t room_bytes) {
  REQUIRE(model_ != nullptr);
  // Each of these is an append like the recorded sets around it; as crash
  // points they would only repeat those, hundreds of times.
  model_->set_capturing(false);
  std::uint64_t made = 0;
  while (kv_room() >= room_bytes) {
    REQUIRE(made < 10'000);
    // Records of at most 2 KiB: the fill stops with more than
    // room_bytes - 2 KiB left.
    set_value("fill-" + std::to_string(made % 8), 1000 + (made * 397) % 1000);
    ++made;
  }
  model_->set_capturing(true);
  return made;
}

std::uint64_t Scenario::kv_room() const {
  auto kv = seglog::detail::KvFile::open(dir(), false);
  REQUIRE(kv);
  return kv->capacity() - kv->end();
}

std::uint64_t Scenario::check_images(std::uint64_t images, bool expect_clean) {
  if (observer_) {
    // The background work the last operation queued is part of the record.
    if (model_) (void)storage_->flush();  // after close(): nothing queued
    stop_recording();
    if (observer_->finish(name_) && expect_clean) return 0;
  }
  stop_recording();
  const std::vector<CrashPoint>& points = points_;
  const auto start = std::chrono::steady_clock::now();
  struct Counts {
    std::uint64_t crash_points = 0;
    std::uint64_t images = 0;
    std::uint64_t failures = 0;
    std::map<std::string, std::uint64_t> outcomes;
  };
  std::vector<std::string> order;
  std::map<std::string, Counts> per_operation;
  ImageStats total;
  std::vector<std::string> failures;
  std::uint64_t salt = 0;
  const bool verbose = std::getenv("SEGLOG_POWER_LOSS_VERBOSE") != nullptr;
  for (const CrashPoint& point : points) {
    ++salt;
    if (verbose) std::cout << "  crash point " << salt << ": " << point.step << "\n";
    const std::string& operation = point.operation;
    if (!per_operation.count(operation)) order.push_back(operation);
    Counts& counts = per_operation[operation];
    ++counts.crash_points;
    const Expectation& expected = expectations_.at(static_cast<std::size_t>(point.expectation));
    for (std::uint64_t k = 0; k < images; ++k) {
      ScratchDir image;
      const ImageStats stats = write_crash_image(point, k, salt, image.path());
      total.namespace_ops_pending += stats.namespace_ops_pending;
      total.namespace_ops_kept += stats.namespace_ops_kept;
      total.pages_differing += stats.pages_differing;
      total.pages_kept += stats.pages_kept;
      total.pages_restored += stats.pages_restored;
      total.pages_torn += stats.pages_torn;
      const ImageVerdict verdict = check_image(image.path(), expected, k % 3 == 0);
      ++counts.images;
      if (verdict.failure.empty()) {
        ++counts.outcomes[verdict.outcome];
      } else {
        ++counts.failures;
        if (failures.size() < 10) {
          failures.push_back(name_ + ": " + point.step + ", loss pattern " + std::to_string(k) +
                             " (salt " + std::to_string(salt) + "): " + verdict.failure + "; " +
                             describe_image(point, stats, image.path()));
        }
        keep_failed_image(point, name_, salt, k);
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream out;
  std::uint64_t all_images = 0;
  std::uint64_t all_failures = 0;
  out << "power loss, " << name_ << ": " << points.size() << " crash points x " << images
      << " loss patterns\n";
  const auto& steps = steps_;
  for (const std::string& operation : order) {
    const Counts& c = per_operation[operation];
    int step_count = 0;
    for (const auto& [label, n] : steps) {
      if (label == operation) step_count += n;
    }
    out << "  " << operation << ": " << step_count << " steps, " << c.images << " images:";
    for (const auto& [what, n] : c.outcomes) out << " " << what << " " << n << ";";
    out << " failed " << c.failures << "\n";
    all_images += c.images;
    all_failures += c.failures;
  }
  std::uint64_t unrecorded = 0;
  std::uint64_t unrecorded_steps = 0;
  for (const auto& [label, n] : steps) {
    if (per_operation.count(label)) continue;
    ++unrecorded;
    unrecorded_steps += static_cast<std::uint64_t>(n);
  }
  if (unrecorded > 0) {
    out << "  without crash points (fill_values): " << unrecorded << " operations, "
        << unrecorded_steps << " steps\n";
  }
  out << "  total: " << all_images << " images, " << all_failures << " failed; pages differing "
      << total.pages_differing << " (kept " << total.pages_kept << ", restored "
      << total.pages_restored << ", torn " << total.pages_torn << "); namespace ops pending "
      << total.namespace_ops_pending << ", kept " << total.namespace_ops_kept << "; "
      << static_cast<int>(seconds * 1000) << " ms\n";
  std::cout << out.str() << std::flush;
  CHECK(all_images > 0);
  if (!expect_clean) return all_failures;
  for (const std::string& f : failures) {
    UNSCOPED_INFO(f);
  }
  CHECK(all_failures == 0);
  return all_failures;
}

}  // namespace seglog::test

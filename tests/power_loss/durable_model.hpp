// power_loss/durable_model.hpp — what survives a power loss, as seen
// through the fault-injection seam (docs/reliability.md, "Simulated power
// loss"). While installed, DurableModel names every disk-changing call of
// one directory as a step ("truncate_before#3 rename a.seg.tmp -> a.seg"),
// tracks each file's content as of its last fsync/fdatasync and the
// directory's entries as of its last directory fsync plus the namespace
// operations since, and freezes a CrashPoint right before each step. The
// process never stops: one run of an operation yields a crash point per step.
#pragma once

#include "io/fault_injection.hpp"

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace seglog::test {

using Bytes = std::vector<std::byte>;
using Content = std::shared_ptr<const Bytes>;

// One file (an inode) in a crash point: what its last sync made durable,
// and what the page cache held at the crash.
struct FileVersions {
  Content synced;  // empty when the file was never synced
  Content current;
};

// A create, rename or unlink made after the last directory fsync.
struct NamespaceOp {
  enum class Kind { create, rename, unlink } kind;
  std::string name;  // create/unlink: the name; rename: the old name
  std::string to;    // rename: the new name
  int file = -1;     // the file created or renamed
};

// The durable state and the volatile state at one instant, frozen.
struct CrashPoint {
  std::string operation;                     // the label of the operation it belongs to
  std::string step;                          // "before truncate_before#2 rename x -> y", or
                                             // "after truncate_before returned"
  int expectation = 0;                       // the test's tag: what an image may open to
  std::map<std::string, int> durable_names;  // as of the last directory fsync
  std::vector<NamespaceOp> pending;          // since then, in order
  std::map<int, FileVersions> files;         // every file an image may hold
};

class DurableModel final : public seglog::detail::fault::Hook {
 public:
  // Takes every file now in `dir` as durable (the prepared state; call it
  // after a sync) and installs itself as the seam's hook.
  explicit DurableModel(std::filesystem::path dir);
  ~DurableModel() override;
  DurableModel(const DurableModel&) = delete;
  DurableModel& operator=(const DurableModel&) = delete;

  // Names the steps that follow "<label>#<n>" ("<label>#<n> background"
  // when another thread makes them, such as the log's background work,
  // which may run on after the operation returned) and tags the crash points
  // with `expectation` (what a crash during the operation may open to).
  void begin_operation(std::string label, int expectation);
  // The operation returned: one more crash point, tagged `expectation`
  // (what it promised), named "after <label> returned".
  void end_operation(int expectation);

  // Every crash point so far, in order.
  std::vector<CrashPoint> crash_points() const {
    std::lock_guard lock(mu_);
    return points_;
  }
  // Steps per operation label, in order.
  std::vector<std::pair<std::string, int>> steps_per_operation() const {
    std::lock_guard lock(mu_);
    return step_counts_;
  }
  // false: the steps from now on are tracked (syncs, names) but make no
  // crash point; true: they do again. For sets that only fill stable.kv up
  // to its rewrite: each is the same append as the recorded sets around it.
  void set_capturing(bool capturing) {
    std::lock_guard lock(mu_);
    capturing_ = capturing;
  }
  // Removes the hook (the destructor does too).
  void uninstall();

  // The crash point "now" (not recorded), for a test that crashes here.
  CrashPoint snapshot_now(std::string step);

  // Self-test only: pretend the fsyncs of files whose name contains
  // `name_part` never happened, so the model drops data the library made
  // durable. The checks must then fail: proof that they can.
  void forget_syncs_of(std::string name_part) {
    std::lock_guard lock(mu_);
    forget_syncs_of_ = std::move(name_part);
  }

  int before(const seglog::detail::fault::Call& call) override;
  void after(const seglog::detail::fault::Call& call, int err) override;

 private:
  struct File {
    Content synced;
    Content last_seen;  // content read when it lost its last name
    bool named = false;
  };
  using Key = std::pair<dev_t, ino_t>;

  bool in_dir(const std::filesystem::path& path) const;
  int file_named(const std::string& name) const;  // -1: none
  int new_file(Content synced);
  Content read_current(int file);
  void capture(std::string step, int expectation);

  // The seam calls hooks one at a time; this also orders end_operation()
  // and readers on the test thread against them.
  mutable std::mutex mu_;
  std::filesystem::path dir_;
  bool installed_ = false;
  std::vector<File> files_;
  std::map<Key, int> by_key_;
  std::map<std::string, int> names_now_;
  std::map<std::string, int> durable_names_;
  std::vector<NamespaceOp> pending_;
  std::vector<CrashPoint> points_;
  std::map<int, Content> last_captured_;  // to share unchanged contents
  std::string forget_syncs_of_;
  bool capturing_ = true;
  std::string label_ = "setup";
  // Steps from another thread are the log's background work.
  std::thread::id operation_thread_ = std::this_thread::get_id();
  int expectation_ = 0;
  int step_ = 0;
  std::vector<std::pair<std::string, int>> step_counts_;
};

}  // namespace seglog::test

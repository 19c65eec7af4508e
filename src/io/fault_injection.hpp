// io/fault_injection.hpp — the seam where tests watch and fail every call
// that changes the disk (docs/reliability.md, "Simulated power loss" and
// "Disk full and I/O errors"). io/file.cpp wraps each such call in a Step.
// Compiled to nothing unless SEGLOG_FAULT_INJECTION is defined (the
// library copy tests/meson.build builds for the fault tests, or the meson
// option fault_injection): then Step is an empty inline type and no call
// pays for it.
#pragma once

#include <filesystem>

namespace seglog::detail::fault {

// Every kind of call that changes the disk. `sync` is fsync and fdatasync.
enum class Op { create, write, preallocate, truncate, sync, sync_directory, rename, unlink };

inline const char* op_name(Op op) {
  switch (op) {
    case Op::create:
      return "create";
    case Op::write:
      return "write";
    case Op::preallocate:
      return "preallocate";
    case Op::truncate:
      return "truncate";
    case Op::sync:
      return "sync";
    case Op::sync_directory:
      return "sync_directory";
    case Op::rename:
      return "rename";
    case Op::unlink:
      return "unlink";
  }
  return "?";
}

// One call, as a hook sees it.
struct Call {
  Op op;
  // The file; for rename its new name, for sync_directory the directory.
  const std::filesystem::path& path;
  // rename: the old name; otherwise null.
  const std::filesystem::path* from = nullptr;
  // The file's descriptor, or -1 (create: -1 in before(), the new one in
  // after() when it succeeded).
  int fd = -1;
};

#ifdef SEGLOG_FAULT_INJECTION

// What a test installs. Calls arrive one at a time (the seam holds a
// mutex from before() to after()), in the order the OS saw them, whichever
// thread makes them. A hook must not call into seglog's io/ itself.
class Hook {
 public:
  virtual ~Hook() = default;
  // Before the call: an errno to fail it with (the call is not made), or 0.
  virtual int before(const Call& call) = 0;
  // After the call: `err` is 0 on success, else the errno it failed with
  // (injected or real).
  virtual void after(const Call& call, int err) = 0;
};

// Installs `hook` (nullptr removes it); the caller keeps it alive until it
// is removed. Waits for a call in progress to finish.
void set_hook(Hook* hook);

// While alive, no hooked call runs (one in progress finishes first): lets
// a test look at the disk between calls from another thread than the ones
// making them (the log's background thread). Take it before any lock a
// hook takes.
class PauseCalls {
 public:
  PauseCalls();
  ~PauseCalls();
  PauseCalls(const PauseCalls&) = delete;
  PauseCalls& operator=(const PauseCalls&) = delete;
};

// One call through the seam: before() in the constructor, after() in
// done(). Holds the seam's mutex in between, so the call itself is made
// while no other seam call runs.
class Step {
 public:
  explicit Step(const Call& call);
  ~Step();
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;
  // The errno the hook asked for (then the call must not be made), or 0.
  int injected() const noexcept { return injected_; }
  // Reports the outcome (0 or an errno) and, for create, the new fd.
  void done(int err, int fd = -1);

 private:
  Call call_;
  Hook* hook_ = nullptr;
  int injected_ = 0;
  bool reported_ = false;
};

#else

class Step {
 public:
  explicit Step(const Call&) noexcept {}
  int injected() const noexcept { return 0; }
  void done(int, int = -1) noexcept {}
};

#endif

}  // namespace seglog::detail::fault

// io/directory_lock.hpp — the LOCK file that makes one writer per directory.
// An OFD lock (F_OFD_SETLK): unlike Boost's file_lock (a per-process fcntl
// lock), a second open in the same process is refused and closing an
// unrelated descriptor of the file does not drop it.
#pragma once

#include <seglog/error.hpp>

#include "io/file.hpp"

#include <filesystem>

namespace seglog::detail {

class DirectoryLock {
 public:
  // Creates <dir>/LOCK if needed and locks it exclusively without waiting.
  // Errors: locked (held by another open, in any process), io_error.
  [[nodiscard]] static Result<DirectoryLock> acquire(const std::filesystem::path& dir);

  // Releases the lock (closing the descriptor releases an OFD lock).
  void release() noexcept { file_.close(); }
  bool held() const noexcept { return file_.is_open(); }

 private:
  explicit DirectoryLock(File file) : file_(std::move(file)) {}
  File file_;
};

}  // namespace seglog::detail

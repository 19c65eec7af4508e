// tools/seglog/lock_probe.cpp — testing the writer's OFD lock, and finding
// its holder in /proc.
#include "lock_probe.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <system_error>

namespace seglog::tool {

namespace {

// The first other process with a descriptor open on the file (dev, ino).
std::optional<pid_t> process_with_open(dev_t dev, ino_t ino) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const pid_t self = ::getpid();
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string name = proc.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    if (pid == self) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      struct stat st {};
      if (::stat(fd.path().c_str(), &st) == 0 && st.st_dev == dev && st.st_ino == ino) return pid;
    }
  }
  return std::nullopt;
}

}  // namespace

LockInfo probe_lock(const std::filesystem::path& dir) {
  LockInfo info;
  const std::filesystem::path path = dir / "LOCK";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return info;
  info.file_exists = true;
  struct flock request {};
  request.l_type = F_WRLCK;
  request.l_whence = SEEK_SET;
  request.l_start = 0;
  request.l_len = 0;
  request.l_pid = 0;
  if (::fcntl(fd, F_OFD_GETLK, &request) == 0 && request.l_type != F_UNLCK) {
    info.held = true;
    if (request.l_pid > 0) {
      info.pid = request.l_pid;
    } else {
      struct stat st {};
      if (::fstat(fd, &st) == 0) info.pid = process_with_open(st.st_dev, st.st_ino);
    }
  }
  ::close(fd);
  return info;
}

}  // namespace seglog::tool

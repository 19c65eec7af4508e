// io/directory_lock.cpp — OFD lock on <dir>/LOCK.
#include "io/directory_lock.hpp"

#include "errors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace seglog::detail {

Result<DirectoryLock> DirectoryLock::acquire(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("open", path, errno);
  File file(fd, path);
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // the whole file
  if (::fcntl(fd, F_OFD_SETLK, &lock) != 0) {
    if (errno == EAGAIN || errno == EACCES) {
      return make_error(errc::locked, "lock " + path.string() + ": held by another writer");
    }
    return os_error("lock", path, errno);
  }
  return DirectoryLock(std::move(file));
}

}  // namespace seglog::detail

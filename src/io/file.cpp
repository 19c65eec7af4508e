// io/file.cpp — POSIX file calls with errors as values.
#include "io/file.hpp"

#include "errors.hpp"
#include "io/fault_injection.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace seglog::detail {

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() { close(); }

void File::close() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<File> File::open(const std::filesystem::path& path, Mode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case Mode::read_only: flags |= O_RDONLY; break;
    case Mode::read_write: flags |= O_RDWR; break;
    case Mode::create_new: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    case Mode::create_or_truncate: flags |= O_RDWR | O_CREAT | O_TRUNC; break;
  }
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) {
      return make_error(errc::not_found, "open " + path.string() + ": no such file");
    }
    return os_error("open", path, errno);
  }
  return File(fd, path);
}

Result<std::uint64_t> File::size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return os_error("fstat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Status File::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("read", path_, errno);
    }
    if (n == 0) {
      return make_error(errc::io_error,
                        "read " + path_.string() + ": unexpected end of file at offset " +
                            std::to_string(offset + done));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status File::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (int err = fault::inject(fault::Op::write, path_); err != 0) {
    return os_error("write", path_, err);
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("write", path_, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status File::preallocate(std::uint64_t size) {
  if (int err = fault::inject(fault::Op::preallocate, path_); err != 0) {
    return os_error("fallocate", path_, err);
  }
  // posix_fallocate returns the error instead of setting errno.
  const int err = ::posix_fallocate(fd_, 0, static_cast<off_t>(size));
  if (err != 0) return os_error("fallocate", path_, err);
  return {};
}

Status File::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return os_error("ftruncate", path_, errno);
  }
  return {};
}

Status File::sync() {
  if (int err = fault::inject(fault::Op::sync, path_); err != 0) {
    return os_error("fsync", path_, err);
  }
  if (::fsync(fd_) != 0) return os_error("fsync", path_, errno);
  return {};
}

Status File::data_sync() {
  if (int err = fault::inject(fault::Op::sync, path_); err != 0) {
    return os_error("fdatasync", path_, err);
  }
  if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
  return {};
}

Status sync_directory(const std::filesystem::path& dir) {
  if (int err = fault::inject(fault::Op::sync_directory, dir); err != 0) {
    return os_error("fsync directory", dir, err);
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return os_error("fsync directory", dir, err);
  return {};
}

Status rename_file(const std::filesystem::path& from,
                   const std::filesystem::path& to) {
  if (int err = fault::inject(fault::Op::rename, to); err != 0) {
    return os_error("rename to " + to.string() + " from", from, err);
  }
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return os_error("rename to " + to.string() + " from", from, errno);
  }
  return {};
}

Status remove_file(const std::filesystem::path& path) {
  if (int err = fault::inject(fault::Op::unlink, path); err != 0) {
    return os_error("unlink", path, err);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return os_error("unlink", path, errno);
  }
  return {};
}

}  // namespace seglog::detail

// io/file.cpp — POSIX file calls with errors as values.
#include "io/file.hpp"

#include "errors.hpp"
#include "io/fault_injection.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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

namespace {

int open_retrying(const std::filesystem::path& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

}  // namespace

Result<File> File::open(const std::filesystem::path& path, Mode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case Mode::read_only:
      flags |= O_RDONLY;
      break;
    case Mode::read_write:
      flags |= O_RDWR;
      break;
    case Mode::create_new:
      flags |= O_RDWR | O_CREAT | O_EXCL;
      break;
    case Mode::create_or_truncate:
      flags |= O_RDWR | O_CREAT | O_TRUNC;
      break;
  }
  int fd = -1;
  int err = 0;
  if ((flags & O_CREAT) != 0) {
    // Only an open that may create (or truncate) a file changes the disk.
    fault::Step step({fault::Op::create, path});
    if (step.injected() != 0) return os_error("open", path, step.injected());
    fd = open_retrying(path, flags);
    err = fd < 0 ? errno : 0;
    step.done(err, fd);
  } else {
    fd = open_retrying(path, flags);
    err = fd < 0 ? errno : 0;
  }
  if (fd < 0) {
    if (err == ENOENT) {
      return make_error(errc::not_found, "open " + path.string() + ": no such file");
    }
    return os_error("open", path, err);
  }
  return File(fd, path);
}

Result<std::uint64_t> File::size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return os_error("fstat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Status File::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  auto got = read_upto(offset, out);
  if (!got) return got.error();
  if (*got < out.size()) {
    return make_error(errc::io_error, "read " + path_.string() +
                                          ": unexpected end of file at offset " +
                                          std::to_string(offset + *got));
  }
  return {};
}

Result<std::uint64_t> File::read_upto(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("read", path_, errno);
    }
    if (n == 0) break;  // the end of the file
    done += static_cast<std::size_t>(n);
  }
  return std::uint64_t{done};
}

namespace {

// Calls `write_some(done)` (one pwrite or pwritev, `done` bytes in) until
// `length` bytes are written, retrying EINTR; tells `step` the outcome.
template <class WriteSome>
Status write_fully(fault::Step& step, const std::filesystem::path& path, std::uint64_t length,
                   WriteSome write_some) {
  std::uint64_t done = 0;
  while (done < length) {
    const ssize_t n = write_some(done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      step.done(err);
      return os_error("write", path, err);
    }
    done += static_cast<std::uint64_t>(n);
  }
  step.done(0);
  return {};
}

}  // namespace

Status File::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  fault::Step step({fault::Op::write, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("write", path_, step.injected());
  return write_fully(step, path_, bytes.size(), [&](std::uint64_t done) {
    return ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                    static_cast<off_t>(offset + done));
  });
}

Status File::write_zeros(std::uint64_t offset, std::uint64_t length, fault::Op op) {
  fault::Step step({op, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("write", path_, step.injected());
  // One zero page, named by every iovec: no buffer of `length` bytes.
  static constexpr std::array<std::byte, 4096> kZeroPage{};
  return write_fully(step, path_, length, [&](std::uint64_t done) {
    std::array<iovec, 64> iov;
    std::size_t count = 0;
    for (std::uint64_t covered = 0; count < iov.size() && done + covered < length; ++count) {
      const std::uint64_t part = std::min<std::uint64_t>(kZeroPage.size(), length - done - covered);
      iov[count] = {const_cast<std::byte*>(kZeroPage.data()), static_cast<std::size_t>(part)};
      covered += part;
    }
    return ::pwritev(fd_, iov.data(), static_cast<int>(count), static_cast<off_t>(offset + done));
  });
}

Status File::preallocate(std::uint64_t size) {
  fault::Step step({fault::Op::preallocate, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("fallocate", path_, step.injected());
  // posix_fallocate returns the error instead of setting errno.
  const int err = ::posix_fallocate(fd_, 0, static_cast<off_t>(size));
  step.done(err);
  if (err != 0) return os_error("fallocate", path_, err);
  return {};
}

Status File::truncate(std::uint64_t size) {
  fault::Step step({fault::Op::truncate, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("ftruncate", path_, step.injected());
  const int err = ::ftruncate(fd_, static_cast<off_t>(size)) != 0 ? errno : 0;
  step.done(err);
  if (err != 0) return os_error("ftruncate", path_, err);
  return {};
}

Status File::sync() {
  fault::Step step({fault::Op::sync, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("fsync", path_, step.injected());
  const int err = ::fsync(fd_) != 0 ? errno : 0;
  step.done(err);
  if (err != 0) return os_error("fsync", path_, err);
  return {};
}

Status File::data_sync() {
  fault::Step step({fault::Op::sync, path_, nullptr, fd_});
  if (step.injected() != 0) return os_error("fdatasync", path_, step.injected());
  const int err = ::fdatasync(fd_) != 0 ? errno : 0;
  step.done(err);
  if (err != 0) return os_error("fdatasync", path_, err);
  return {};
}

Status sync_directory(const std::filesystem::path& dir) {
  fault::Step step({fault::Op::sync_directory, dir});
  if (step.injected() != 0) return os_error("fsync directory", dir, step.injected());
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    step.done(err);
    return os_error("open directory", dir, err);
  }
  const int err = ::fsync(fd) != 0 ? errno : 0;
  ::close(fd);
  step.done(err);
  if (err != 0) return os_error("fsync directory", dir, err);
  return {};
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  fault::Step step({fault::Op::rename, to, &from});
  if (step.injected() != 0) {
    return os_error("rename to " + to.string() + " from", from, step.injected());
  }
  const int err = ::rename(from.c_str(), to.c_str()) != 0 ? errno : 0;
  step.done(err);
  if (err != 0) return os_error("rename to " + to.string() + " from", from, err);
  return {};
}

Status remove_file(const std::filesystem::path& path) {
  fault::Step step({fault::Op::unlink, path});
  if (step.injected() != 0) return os_error("unlink", path, step.injected());
  const int err = ::unlink(path.c_str()) != 0 ? errno : 0;
  step.done(err);
  if (err != 0 && err != ENOENT) return os_error("unlink", path, err);
  return {};
}

}  // namespace seglog::detail

// io/file.hpp — a POSIX file descriptor and the few file-system calls the
// library makes. Every call that changes the disk (create, write,
// preallocate, truncate, fsync, fdatasync, rename, unlink, directory fsync)
// goes through here, each wrapped in a fault::Step (io/fault_injection.hpp),
// so fault injection and the power-loss model have one seam. (Stores into a
// writable mapping make no call: they reach the disk at the next fdatasync.)
// Errors carry the path and errno text.
#pragma once

#include <seglog/error.hpp>

#include "io/fault_injection.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <utility>

namespace seglog::detail {

class File {
 public:
  File() = default;
  explicit File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  enum class Mode { read_only, read_write, create_new, create_or_truncate };

  // Opens with O_CLOEXEC. create_new fails if the file exists.
  // Errors: not_found (missing, for read_only/read_write), io_error,
  //         no_space.
  [[nodiscard]] static Result<File> open(const std::filesystem::path& path, Mode mode);

  bool is_open() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  // Records that the file was renamed (the descriptor still refers to it).
  void renamed(std::filesystem::path path) { path_ = std::move(path); }

  [[nodiscard]] Result<std::uint64_t> size() const;
  // Reads exactly out.size() bytes at offset; short files are io_error.
  [[nodiscard]] Status read_at(std::uint64_t offset, std::span<std::byte> out) const;
  // Reads up to out.size() bytes at offset, fewer only where the file ends
  // (a file another process may shrink meanwhile); returns how many.
  [[nodiscard]] Result<std::uint64_t> read_upto(std::uint64_t offset,
                                                std::span<std::byte> out) const;
  [[nodiscard]] Status write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  // Writes `length` zero bytes at offset (one write step, like write_at;
  // the fault seam sees it as `op`).
  [[nodiscard]] Status write_zeros(std::uint64_t offset, std::uint64_t length,
                                   fault::Op op = fault::Op::write);
  // Allocates [0, size) with fallocate (never a sparse hole).
  // Errors: no_space.
  [[nodiscard]] Status preallocate(std::uint64_t size);
  [[nodiscard]] Status truncate(std::uint64_t size);
  [[nodiscard]] Status sync();       // fsync
  [[nodiscard]] Status data_sync();  // fdatasync
  void close() noexcept;

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

// fsync of a directory: makes creates, renames and unlinks in it durable.
[[nodiscard]] Status sync_directory(const std::filesystem::path& dir);
// rename(2); the caller syncs the directory.
[[nodiscard]] Status rename_file(const std::filesystem::path& from,
                                 const std::filesystem::path& to);
// unlink(2); a missing file is not an error. The caller syncs the directory.
[[nodiscard]] Status remove_file(const std::filesystem::path& path);

}  // namespace seglog::detail

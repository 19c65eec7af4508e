// io/mapped_file.hpp — a file mapping (Boost.Interprocess file_mapping +
// mapped_region) with errors as values. The only place that maps files.
#pragma once

#include <seglog/error.hpp>

#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace seglog::detail {

class MappedFile {
 public:
  enum class Access { read_only, read_write };

  // Maps [0, size) of the file at `path`; size 0 maps the whole file.
  // The caller makes sure the file is at least `size` bytes long (touching
  // a page past the end of file is SIGBUS).
  // Errors: not_found, io_error.
  [[nodiscard]] static Result<std::shared_ptr<MappedFile>> map(
      const std::filesystem::path& path, Access access, std::uint64_t size);

  std::byte* data() const noexcept { return data_; }
  std::uint64_t size() const noexcept { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }

  // Hints that the range will be read soon (posix_madvise WILLNEED).
  void prefetch(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Faults in [offset, offset + length) read only the page they need
  // (madvise MADV_RANDOM): no read-ahead of pages around it.
  void no_read_ahead(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Faults [offset, offset + length) in, readable (madvise
  // MADV_POPULATE_READ; pages stay clean). Best effort: a kernel without it
  // leaves the faults for later.
  void populate_read(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Faults [offset, offset + length) in, writable (madvise
  // MADV_POPULATE_WRITE), so the writer's stores there take no page fault.
  // The pages become dirty with the bytes they hold. Best effort.
  void populate_write(std::uint64_t offset, std::uint64_t length) const noexcept;

 private:
  MappedFile() = default;
  // madvise over the pages that hold [offset, offset + length).
  void advise(std::uint64_t offset, std::uint64_t length, int advice) const noexcept;
  boost::interprocess::file_mapping mapping_;
  boost::interprocess::mapped_region region_;
  std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace seglog::detail

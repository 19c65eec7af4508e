// io/mapped_file.hpp — a file mapping (Boost.Interprocess file_mapping +
// mapped_region) with errors as values. The only place that maps files.
#pragma once

#include <seglog/error.hpp>

#include "io/file.hpp"

#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

namespace seglog::detail {

class MappedFile {
 public:
  enum class Access { read_only, read_write };

  // Maps [0, size) of the file at `path`; size 0 maps the whole file.
  // The caller makes sure the file is at least `size` bytes long (touching
  // a page past the end of file is SIGBUS).
  // Errors: not_found, io_error.
  [[nodiscard]] static Result<std::shared_ptr<MappedFile>> map(const std::filesystem::path& path,
                                                               Access access, std::uint64_t size);

  // What map_checked asks of a file before mapping it: given the file's
  // first bytes (up to head_bytes; fewer if it is shorter) and its size,
  // the number of bytes to map (> 0, at most the size), or an error.
  using Check = std::function<Result<std::uint64_t>(std::span<const std::byte> head,
                                                    std::uint64_t file_size)>;
  // Maps a file read-only once `check` accepted it. The head and the size
  // are read (pread, fstat) from the descriptor that is then mapped: a file
  // renamed over the path between the check and the map cannot slip in.
  // For a reader beside a writer that may unlink a file and create another
  // of the same name (design.md, "Read-only opens beside a live writer").
  // Errors: not_found (no such file), check's own, io_error.
  [[nodiscard]] static Result<std::shared_ptr<MappedFile>> map_checked(
      const std::filesystem::path& path, std::uint64_t head_bytes, const Check& check);

  // `size` bytes of private anonymous memory (MAP_PRIVATE | MAP_ANONYMOUS |
  // MAP_NORESERVE), reading as zeros until written, a page taking memory
  // only once written. It holds a copy of a file (PrivateCopy) that no
  // store, truncation or unlink by another process can change or fault.
  // `path` names the file copied, for messages. Errors: io_error (ENOMEM).
  [[nodiscard]] static Result<std::shared_ptr<MappedFile>> anonymous(
      const std::filesystem::path& path, std::uint64_t size);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::byte* data() const noexcept { return data_; }
  std::uint64_t size() const noexcept { return size_; }
  const std::filesystem::path& path() const noexcept { return path_; }

  // Hints that the range will be read soon (posix_madvise WILLNEED).
  void prefetch(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Asks for 2 MiB folios where faults in [offset, offset + length)
  // allocate page cache (madvise MADV_HUGEPAGE; whole 2 MiB ranges of the
  // mapping only). Best effort: a kernel without transparent huge pages
  // for files (or with them off) allocates smaller folios.
  void huge_folios(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Faults [offset, offset + length) in, readable (madvise
  // MADV_POPULATE_READ; pages stay clean). Best effort: a kernel without it
  // leaves the faults for later.
  void populate_read(std::uint64_t offset, std::uint64_t length) const noexcept;
  // Drops this mapping's page-table entries over [offset, offset + length)
  // (madvise MADV_DONTNEED on a shared file mapping): the bytes stay in
  // the page cache and in the file, dirty pages stay dirty, and a later
  // access maps them again. Before a seal writes a segment back, so that
  // the writeback finds no page mapped writable to write-protect, one TLB
  // shootdown per page (docs/performance.md, "At scale"). Does nothing on
  // an anonymous copy, whose bytes it would drop.
  void unmap_pages(std::uint64_t offset, std::uint64_t length) const noexcept;

 private:
  MappedFile() = default;
  // madvise over the pages that hold [offset, offset + length).
  void advise(std::uint64_t offset, std::uint64_t length, int advice) const noexcept;
  boost::interprocess::file_mapping mapping_;
  boost::interprocess::mapped_region region_;
  std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::filesystem::path path_;
  bool anonymous_ = false;  // data_ is ours to munmap (not region_'s)
};

// A file's bytes copied into anonymous memory (MappedFile::anonymous) with
// pread from one descriptor, lazily: ensure(end) copies the chunks below
// `end` not copied yet, so a scan that stops early reads no further. The
// pages of a chunk that read as all zeros are not stored (the memory reads
// as zeros already): the copy takes memory for the file's content, not its
// preallocated size. Bytes beyond the file's end, should another process
// trim it meanwhile, read as zeros. Not thread-safe (recovery uses it).
class PrivateCopy {
 public:
  // Errors: io_error (no memory for the reservation or the buffer).
  [[nodiscard]] static Result<PrivateCopy> create(File file, std::uint64_t size);

  const std::shared_ptr<MappedFile>& memory() const noexcept { return memory_; }
  // Copies [0, min(end, size)) if not done yet. Errors: io_error (pread).
  [[nodiscard]] Status ensure(std::uint64_t end) {
    return end <= copied_ ? Status{} : copy_to(end);
  }

 private:
  PrivateCopy() = default;
  [[nodiscard]] Status copy_to(std::uint64_t end);

  static constexpr std::uint64_t kChunk = 256ull << 10;
  File file_;
  std::shared_ptr<MappedFile> memory_;
  std::uint64_t copied_ = 0;
  std::unique_ptr<std::byte[]> buffer_;  // one chunk, read before it is stored
};

}  // namespace seglog::detail

// io/mapped_file.cpp — Boost.Interprocess mappings; its exceptions stop here.
#include "io/mapped_file.hpp"

#include "errors.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/exceptions.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

namespace seglog::detail {

namespace bip = boost::interprocess;

namespace {
// The error of a failed Boost.Interprocess map: not_found for a missing
// file, else errno's text (or Boost's when it gives no errno).
Error map_error(const std::filesystem::path& path, const bip::interprocess_exception& e) {
  const int err = e.get_native_error();
  if (err == ENOENT) return make_error(errc::not_found, "map " + path.string() + ": no such file");
  if (err != 0) return os_error("map", path, err);
  return make_error(errc::io_error, "map " + path.string() + ": " + e.what());
}
}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::map(const std::filesystem::path& path,
                                                    Access access, std::uint64_t size) {
  const bip::mode_t mode = access == Access::read_write ? bip::read_write : bip::read_only;
  std::shared_ptr<MappedFile> file(new MappedFile());
  try {
    file->mapping_ = bip::file_mapping(path.c_str(), mode);
    file->region_ = bip::mapped_region(file->mapping_, mode, 0, static_cast<std::size_t>(size));
  } catch (const bip::interprocess_exception& e) {
    return map_error(path, e);
  }
  file->data_ = static_cast<std::byte*>(file->region_.get_address());
  file->size_ = file->region_.get_size();
  file->path_ = path;
  return file;
}

Result<std::shared_ptr<MappedFile>> MappedFile::map_checked(const std::filesystem::path& path,
                                                            std::uint64_t head_bytes,
                                                            const Check& check) {
  std::shared_ptr<MappedFile> file(new MappedFile());
  try {
    file->mapping_ = bip::file_mapping(path.c_str(), bip::read_only);
  } catch (const bip::interprocess_exception& e) {
    return map_error(path, e);
  }
  // The descriptor the mapping will use: what is checked is what is mapped.
  const int fd = file->mapping_.get_mapping_handle().handle;
  struct stat st;
  if (::fstat(fd, &st) != 0) return os_error("fstat", path, errno);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::vector<std::byte> head(static_cast<std::size_t>(std::min(head_bytes, size)));
  for (std::size_t done = 0; done < head.size();) {
    const ssize_t n = ::pread(fd, head.data() + done, head.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read", path, errno);
    if (n == 0) {
      head.resize(done);  // shrunk meanwhile
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  auto length = check(head, size);
  if (!length) return length.error();
  if (*length == 0 || *length > size) {
    return make_error(errc::io_error, "map " + path.string() + ": " + std::to_string(*length) +
                                          " bytes of a file of " + std::to_string(size));
  }
  try {
    file->region_ =
        bip::mapped_region(file->mapping_, bip::read_only, 0, static_cast<std::size_t>(*length));
  } catch (const bip::interprocess_exception& e) {
    return map_error(path, e);
  }
  file->data_ = static_cast<std::byte*>(file->region_.get_address());
  file->size_ = file->region_.get_size();
  file->path_ = path;
  return file;
}

Result<std::shared_ptr<MappedFile>> MappedFile::anonymous(const std::filesystem::path& path,
                                                          std::uint64_t size) {
  void* memory = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return os_error("reserve memory for a copy of", path, errno);
  std::shared_ptr<MappedFile> file(new (std::nothrow) MappedFile());
  if (!file) {
    ::munmap(memory, static_cast<std::size_t>(size));
    return make_error(errc::io_error, "no memory for a copy of " + path.string());
  }
  file->data_ = static_cast<std::byte*>(memory);
  file->size_ = size;
  file->path_ = path;
  file->anonymous_ = true;
  return file;
}

MappedFile::~MappedFile() {
  if (anonymous_) ::munmap(data_, static_cast<std::size_t>(size_));
}

Result<PrivateCopy> PrivateCopy::create(File file, std::uint64_t size) {
  auto memory = MappedFile::anonymous(file.path(), size);
  if (!memory) return memory.error();
  PrivateCopy copy;
  copy.buffer_.reset(new (std::nothrow) std::byte[kChunk]);
  if (!copy.buffer_) {
    return make_error(errc::io_error, "no memory to copy " + file.path().string());
  }
  copy.file_ = std::move(file);
  copy.memory_ = std::move(*memory);
  return copy;
}

Status PrivateCopy::copy_to(std::uint64_t end) {
  const std::uint64_t size = memory_->size();
  const std::uint64_t page = bip::mapped_region::get_page_size();
  end = std::min(size, end);
  while (copied_ < end) {
    const std::uint64_t length = std::min(kChunk, size - copied_);
    auto got = file_.read_upto(copied_, {buffer_.get(), static_cast<std::size_t>(length)});
    if (!got) return got.error();
    // Stored page by page, skipping pages of zeros (and what lies past a
    // shrunk file's end): the anonymous memory reads as zeros already.
    for (std::uint64_t at = 0; at < *got; at += page) {
      const std::uint64_t n = std::min(page, *got - at);
      const std::byte* from = buffer_.get() + at;
      if (std::all_of(from, from + n, [](std::byte b) { return b == std::byte{0}; })) continue;
      std::memcpy(memory_->data() + copied_ + at, from, static_cast<std::size_t>(n));
    }
    copied_ += length;
  }
  return {};
}

void MappedFile::huge_folios(std::uint64_t offset, std::uint64_t length) const noexcept {
  advise(offset, length, MADV_HUGEPAGE);
}

void MappedFile::populate_read(std::uint64_t offset, std::uint64_t length) const noexcept {
  advise(offset, length, MADV_POPULATE_READ);
}

void MappedFile::unmap_pages(std::uint64_t offset, std::uint64_t length) const noexcept {
  if (!anonymous_) advise(offset, length, MADV_DONTNEED);
}

void MappedFile::advise(std::uint64_t offset, std::uint64_t length, int advice) const noexcept {
  const std::uint64_t page = bip::mapped_region::get_page_size();
  const std::uint64_t begin = offset / page * page;
  const std::uint64_t end = std::min(offset + length, size_);
  if (end > begin) (void)::madvise(data_ + begin, end - begin, advice);
}

void MappedFile::prefetch(std::uint64_t offset, std::uint64_t length) const noexcept {
  const std::uint64_t page = bip::mapped_region::get_page_size();
  const std::uint64_t begin = offset / page * page;
  const std::uint64_t end = std::min(offset + length, size_);
  if (end > begin) ::posix_madvise(data_ + begin, end - begin, POSIX_MADV_WILLNEED);
}

}  // namespace seglog::detail

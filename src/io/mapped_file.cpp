// io/mapped_file.cpp — Boost.Interprocess mappings; its exceptions stop here.
#include "io/mapped_file.hpp"

#include "errors.hpp"

#include <sys/mman.h>

#include <boost/interprocess/exceptions.hpp>

#include <cerrno>

namespace seglog::detail {

namespace bip = boost::interprocess;

Result<std::shared_ptr<MappedFile>> MappedFile::map(
    const std::filesystem::path& path, Access access, std::uint64_t size) {
  const bip::mode_t mode =
      access == Access::read_write ? bip::read_write : bip::read_only;
  std::shared_ptr<MappedFile> file(new MappedFile());
  try {
    file->mapping_ = bip::file_mapping(path.c_str(), mode);
    file->region_ = bip::mapped_region(file->mapping_, mode, 0,
                                       static_cast<std::size_t>(size));
  } catch (const bip::interprocess_exception& e) {
    const int err = e.get_native_error();
    if (err == ENOENT) {
      return make_error(errc::not_found, "map " + path.string() + ": no such file");
    }
    if (err != 0) return os_error("map", path, err);
    return make_error(errc::io_error, "map " + path.string() + ": " + e.what());
  }
  file->data_ = static_cast<std::byte*>(file->region_.get_address());
  file->size_ = file->region_.get_size();
  file->path_ = path;
  return file;
}

void MappedFile::no_read_ahead(std::uint64_t offset, std::uint64_t length) const noexcept {
  advise(offset, length, MADV_RANDOM);
}

void MappedFile::populate_read(std::uint64_t offset, std::uint64_t length) const noexcept {
  advise(offset, length, MADV_POPULATE_READ);
}

void MappedFile::populate_write(std::uint64_t offset, std::uint64_t length) const noexcept {
  advise(offset, length, MADV_POPULATE_WRITE);
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

// meta/small_file.cpp — reads a small file whole.
#include "meta/small_file.hpp"

#include "io/file.hpp"
#include "meta/corrupted.hpp"

#include <cstddef>
#include <span>

namespace seglog::detail {

Result<std::optional<std::string>> read_small_file(const std::filesystem::path& path,
                                                   std::uint64_t max_bytes) {
  auto file = File::open(path, File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) return std::optional<std::string>();
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  if (*size > max_bytes) {
    return corrupted_file(path, std::to_string(*size) + " bytes, more than the " +
                                    std::to_string(max_bytes) +
                                    " a seglog file of this kind can have");
  }
  std::string text(static_cast<std::size_t>(*size), '\0');
  auto read = file->read_at(0, std::as_writable_bytes(std::span(text)));
  if (!read) return read.error();
  return std::optional<std::string>(std::move(text));
}

}  // namespace seglog::detail

// errors.hpp — building seglog::Error values with messages that name what
// and where. Internal.
#pragma once

#include <seglog/error.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace seglog::detail {

// An OS failure: ENOSPC/EDQUOT become no_space, everything else io_error.
inline Error os_error(std::string_view what, const std::filesystem::path& path, int err) {
  const errc code = (err == ENOSPC || err == EDQUOT) ? errc::no_space : errc::io_error;
  std::string message(what);
  message += ' ';
  message += path.string();
  message += ": ";
  message += std::strerror(err);
  return Error(code, std::move(message));
}

inline Error make_error(errc code, std::string message) { return Error(code, std::move(message)); }

}  // namespace seglog::detail

// meta/corrupted.hpp — the errc::corrupted error of a meta file, naming it.
#pragma once

#include "errors.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace seglog::detail {

// errc::corrupted with the message "<path>: corrupted: <reason>".
inline Error corrupted_file(const std::filesystem::path& path, std::string_view reason) {
  std::string message = path.string();
  message += ": corrupted: ";
  message += reason;
  return make_error(errc::corrupted, std::move(message));
}

}  // namespace seglog::detail

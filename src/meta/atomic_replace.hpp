// meta/atomic_replace.hpp — replacing a small file whole and durably
// (docs/format-meta.md, "Replacing a file").
#pragma once

#include "format/file_names.hpp"

#include <seglog/error.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace seglog::detail {

// The temporary file atomic_replace() writes `name` through: `<name>.tmp`
// (kTempSuffix: the log's open removes leftovers of interrupted replaces).
std::filesystem::path temp_path_for(const std::filesystem::path& dir, std::string_view name);

// Makes `dir/name` hold exactly `bytes`, crash-safely: writes `<name>.tmp`,
// fsyncs it, renames it over `name`, fsyncs `dir`. A crash at any point
// leaves the old file or the new one, never a mix.
// On a failure before the rename the old file is untouched and the
// temporary file is removed. A failure of the final directory fsync is
// reported, but the new file is then already in place (visible, durability
// unknown): callers treat it like any failed fsync (sticky).
// Errors: no_space (ENOSPC/EDQUOT), io_error (any other OS failure; the
//         message names the path and the call), not_found (no such `dir`).
[[nodiscard]] Status atomic_replace(const std::filesystem::path& dir, std::string_view name,
                                    std::span<const std::byte> bytes);

}  // namespace seglog::detail

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
// unknown): that is io_error, whatever errno said (replaced_not_durable).
// Errors: no_space (ENOSPC/EDQUOT before the rename: nothing changed),
//         io_error (any other OS failure, or any failure after the rename;
//         the message names the path and the call), not_found (no such `dir`).
// The error of a directory fsync that failed after `file` was renamed into
// place: the new file is visible but may not survive a power loss, so the
// call did change something. no_space promises the opposite (nothing
// changed; try again when there is room), so ENOSPC here is io_error too,
// its message keeping the errno's text.
[[nodiscard]] Error replaced_not_durable(std::string_view file, const Error& error);

[[nodiscard]] Status atomic_replace(const std::filesystem::path& dir, std::string_view name,
                                    std::span<const std::byte> bytes);

}  // namespace seglog::detail

// meta/small_file.hpp — reading a small file (state.json, cluster.json)
// whole, through io/file.hpp.
#pragma once

#include <seglog/error.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace seglog::detail {

// The largest state or cluster file seglog writes or reads.
inline constexpr std::uint64_t kMaxMetaFileBytes = 16ull << 20;

// The whole content of `path`, or nullopt when it does not exist.
// Errors: corrupted (longer than max_bytes: not a file seglog wrote),
//         io_error.
[[nodiscard]] Result<std::optional<std::string>> read_small_file(const std::filesystem::path& path,
                                                                 std::uint64_t max_bytes);

}  // namespace seglog::detail

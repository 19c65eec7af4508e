// format/file_names.hpp — names of the files in a seglog directory
// (docs/format.md, "Directory").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::detail {

inline constexpr std::string_view kSegmentSuffix = ".seg";
inline constexpr std::string_view kTempSuffix = ".tmp";  // every temporary file
inline constexpr std::string_view kLockName = "LOCK";
// Segments prepared ahead of the roll that will use them (their identity
// says first index 0: not assigned yet), "<16 hex digits of the salt>.spare".
// Never part of the log.
inline constexpr std::string_view kSpareSuffix = ".spare";

// "00000000000000000042.seg": the first index, 20 digits, so names sort.
std::string segment_name(std::uint64_t first_index);
// The first index a segment file name encodes; nullopt for other names.
std::optional<std::uint64_t> parse_segment_name(std::string_view name);
bool is_temp_name(std::string_view name);

}  // namespace seglog::detail

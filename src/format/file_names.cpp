// format/file_names.cpp — segment file names.
#include "format/file_names.hpp"

#include <cstdio>

namespace seglog::detail {

std::string segment_name(std::uint64_t first_index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%020llu.seg", static_cast<unsigned long long>(first_index));
  return buffer;
}

std::optional<std::uint64_t> parse_segment_name(std::string_view name) {
  if (name.size() != 20 + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool is_temp_name(std::string_view name) { return name.ends_with(kTempSuffix); }

}  // namespace seglog::detail

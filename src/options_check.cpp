// options_check.cpp — the bounds of Options, and the mapping budget.
#include "options_check.hpp"

#include "errors.hpp"
#include "io/machine_limits.hpp"

#include <algorithm>
#include <string>

namespace seglog::detail {
namespace {

constexpr std::uint64_t kMinSegmentSize = 64 * 1024;
constexpr std::uint64_t kMaxSegmentSize = 4ull << 30;
constexpr std::uint64_t kMaxEntrySize = (4ull << 30) - 64 * 1024;

}  // namespace

Status validate_options(const Options& o) {
  auto bad = [](std::string what) { return make_error(errc::invalid_argument, std::move(what)); };
  if (o.dir.empty()) return bad("Options::dir is empty");
  if (o.segment_size < kMinSegmentSize || o.segment_size > kMaxSegmentSize) {
    return bad("Options::segment_size " + std::to_string(o.segment_size) +
               " is outside [64 KiB, 4 GiB]");
  }
  if (o.index_interval_bytes < 64 || o.index_interval_bytes > o.segment_size) {
    return bad("Options::index_interval_bytes " + std::to_string(o.index_interval_bytes) +
               " is outside [64, segment_size]");
  }
  if (o.max_entry_size > kMaxEntrySize) {
    return bad("Options::max_entry_size " + std::to_string(o.max_entry_size) +
               " is above 4 GiB - 64 KiB");
  }
  return {};
}

MappingBudget resolve_mapping_budget(const Options& o) {
  MappingBudget budget;
  budget.bytes = o.max_mapped_bytes != 0 ? o.max_mapped_bytes
                                         : machine_memory_bytes().value_or(std::uint64_t{4} << 30);
  budget.segments = o.max_mapped_segments != 0
                        ? o.max_mapped_segments
                        : std::max<std::uint64_t>(max_map_count().value_or(65530) / 4, 1);
  return budget;
}

}  // namespace seglog::detail

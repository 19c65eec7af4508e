// options_check.hpp — what SegmentedStorage::open makes of the Options it
// is given before it touches the disk: the checks of their bounds, and the
// mapping budget their automatic (0) fields resolve to on this machine
// (the README's Options table; docs/design.md, "Memory").
#pragma once

#include <seglog/error.hpp>
#include <seglog/options.hpp>

#include "log/segment_table.hpp"

namespace seglog::detail {

// Errors: invalid_argument (an empty dir, or segment_size,
// index_interval_bytes or max_entry_size outside its bounds, named in the
// message).
[[nodiscard]] Status validate_options(const Options& options);

// The mapping budget of `options`, its automatic (0) bounds taken from the
// machine (Options, "max_mapped_bytes"). Fallbacks, for a machine that
// tells nothing: 4 GiB and 16,382 mappings.
MappingBudget resolve_mapping_budget(const Options& options);

}  // namespace seglog::detail

// delete_range.hpp — what Storage::delete_range(first, last) maps onto, for
// a log holding [log_first, log_last] (docs/design.md, "delete_range").
#pragma once

#include <seglog/error.hpp>

#include <cstdint>

namespace seglog::detail {

struct DeleteRangePlan {
  enum class Kind { none, truncate_before, truncate_after };
  Kind kind = Kind::none;
  std::uint64_t index = 0;  // the truncation's argument
};

// Errors: invalid_argument (first > last; a range strictly inside the log).
[[nodiscard]] Result<DeleteRangePlan> plan_delete_range(std::uint64_t first, std::uint64_t last,
                                                        std::uint64_t log_first,
                                                        std::uint64_t log_last);

// Plans delete_range(first, last) on a log holding [log_first, log_last]
// and runs it: before(index) for truncate_before, after(index) for
// truncate_after. Errors: plan_delete_range's, then the truncation's.
template <class Before, class After>
[[nodiscard]] Status run_delete_range(std::uint64_t first, std::uint64_t last,
                                      std::uint64_t log_first, std::uint64_t log_last,
                                      Before&& before, After&& after) {
  auto plan = plan_delete_range(first, last, log_first, log_last);
  if (!plan) return plan.error();
  switch (plan->kind) {
    case DeleteRangePlan::Kind::truncate_before:
      return before(plan->index);
    case DeleteRangePlan::Kind::truncate_after:
      return after(plan->index);
    case DeleteRangePlan::Kind::none:
      break;
  }
  return {};
}

}  // namespace seglog::detail

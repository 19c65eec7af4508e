// storage.cpp — what Storage shares between its implementations: the plan
// of delete_range and its default (docs/design.md, "delete_range").
#include <seglog/storage.hpp>

#include "delete_range.hpp"
#include "errors.hpp"

#include <string>

namespace seglog {

namespace detail {

Result<DeleteRangePlan> plan_delete_range(std::uint64_t first, std::uint64_t last,
                                          std::uint64_t log_first, std::uint64_t log_last) {
  const auto range = [&] {
    return "delete_range(" + std::to_string(first) + ", " + std::to_string(last) + ")";
  };
  if (first > last) {
    return make_error(errc::invalid_argument, range() + ": first is after last");
  }
  // Nothing of the log in the range (an empty log included): no change.
  if (log_first > log_last || last < log_first || first > log_last) return DeleteRangePlan{};
  const bool prefix = first <= log_first;
  const bool suffix = last >= log_last;
  if (suffix) {
    // The whole log too: emptied at its first index (storage.hpp says why
    // never truncate_before here).
    return DeleteRangePlan{DeleteRangePlan::Kind::truncate_after,
                           prefix ? log_first - 1 : first - 1};
  }
  if (prefix) return DeleteRangePlan{DeleteRangePlan::Kind::truncate_before, last + 1};
  return make_error(errc::invalid_argument,
                    range() + ": the range is strictly inside the log [" +
                        std::to_string(log_first) + ", " + std::to_string(log_last) +
                        "], which cannot hold a hole: delete a prefix (first <= first_index()) "
                        "or a suffix (last >= last_index())");
}

}  // namespace detail

Status Storage::delete_range(std::uint64_t first, std::uint64_t last) {
  return detail::run_delete_range(
      first, last, first_index(), last_index(),
      [this](std::uint64_t index) { return truncate_before(index); },
      [this](std::uint64_t index) { return truncate_after(index); });
}

}  // namespace seglog

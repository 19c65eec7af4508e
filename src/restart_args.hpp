// restart_args.hpp — the arguments restart_log refuses, for both storages
// (storage.hpp, restart_log).
#pragma once

#include <seglog/error.hpp>

#include <cstdint>
#include <string>

namespace seglog::detail {

// Errors: invalid_argument (next_index 0 or above UINT64_MAX - 1, so that
//         the next append is an index the log accepts; next_index 1 with a
//         prev_term other than 0).
[[nodiscard]] inline Status check_restart_args(std::uint64_t next_index, std::uint64_t prev_term) {
  constexpr std::uint64_t kMaxIndex = UINT64_MAX - 1;
  if (next_index == 0 || next_index > kMaxIndex) {
    return Error(errc::invalid_argument, "restart_log: next index " + std::to_string(next_index) +
                                             " is outside [1, " + std::to_string(kMaxIndex) + "]");
  }
  if (next_index == 1 && prev_term != 0) {
    return Error(errc::invalid_argument, "restart_log: next index 1 with previous term " +
                                             std::to_string(prev_term) +
                                             " (the term of index 0 is always 0)");
  }
  return {};
}

}  // namespace seglog::detail

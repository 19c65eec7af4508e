// kv_args.hpp — the keys and values set_value refuses, for both storages
// (storage.hpp, set_value).
#pragma once

#include <seglog/storage.hpp>

#include <cstddef>
#include <span>
#include <string>

namespace seglog::detail {

// Errors: invalid_argument (key or value above its bound).
[[nodiscard]] inline Status check_kv_args(std::span<const std::byte> key,
                                          std::span<const std::byte> value) {
  if (key.size() > kMaxKvKeyBytes || value.size() > kMaxKvValueBytes) {
    return Error(errc::invalid_argument,
                 "set_value: a key of " + std::to_string(key.size()) + " bytes and a value of " +
                     std::to_string(value.size()) + " bytes; the largest are " +
                     std::to_string(kMaxKvKeyBytes) + " and " + std::to_string(kMaxKvValueBytes));
  }
  return {};
}

}  // namespace seglog::detail

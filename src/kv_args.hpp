// kv_args.hpp — the keys and values set_value refuses, for both storages
// (storage.hpp, set_value).
#pragma once

#include <seglog/storage.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <vector>

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

// The order of keys in both storages' maps. Not std::less<vector<byte>>:
// g++ 12 at -O3 inlines its memcmp with a length it cannot bound and
// fails the release build with -Werror=stringop-overread (a false
// positive).
struct KvKeyLess {
  bool operator()(const std::vector<std::byte>& a, const std::vector<std::byte>& b) const noexcept {
    const std::size_t common = std::min(a.size(), b.size());
    if (common != 0) {
      if (const int order = std::memcmp(a.data(), b.data(), common); order != 0) return order < 0;
    }
    return a.size() < b.size();
  }
};

}  // namespace seglog::detail

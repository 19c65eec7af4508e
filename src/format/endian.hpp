// format/endian.hpp — little-endian loads and stores at any alignment.
// Every on-disk integer in seglog is little-endian (docs/format.md).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace seglog::detail {

static_assert(std::endian::native == std::endian::little,
              "seglog's on-disk format is little-endian; add byte swaps for "
              "big-endian hosts");

template <class T>
inline T load_le(const std::byte* p) noexcept {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <class T>
inline void store_le(std::byte* p, T value) noexcept {
  std::memcpy(p, &value, sizeof(T));
}

inline constexpr std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) noexcept {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace seglog::detail

// format/checksum.hpp — XXH3-64, inlined so small records hash without a
// call (docs/format.md, "Checksums").
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstddef>
#include <cstdint>

namespace seglog::detail {

inline std::uint64_t checksum(const std::byte* data, std::size_t size,
                              std::uint64_t seed) noexcept {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace seglog::detail

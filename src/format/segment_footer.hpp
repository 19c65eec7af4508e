// format/segment_footer.hpp — the sparse index a sealed segment persists
// after its records (docs/format.md, "Footer"): point_count points of
// {u32 index - first_index, u32 offset}, then XXH3-64 of the points seeded
// with the salt. The count and the footer's offset live in the header's
// state slot, so open reads the header page only.
#pragma once

#include "format/checksum.hpp"
#include "format/endian.hpp"

#include <cstddef>
#include <cstdint>

namespace seglog::detail {

// One sparse-index point: the record of index first_index + index_delta
// starts at byte `offset` of the segment file.
struct SparsePoint {
  std::uint32_t index_delta = 0;
  std::uint32_t offset = 0;
};
static_assert(sizeof(SparsePoint) == 8);

inline constexpr std::uint64_t footer_bytes(std::uint64_t point_count) noexcept {
  return point_count * sizeof(SparsePoint) + 8;
}

inline void encode_footer(std::byte* out, const SparsePoint* points, std::uint64_t count,
                          std::uint64_t salt) noexcept {
  for (std::uint64_t i = 0; i < count; ++i) {
    store_le<std::uint32_t>(out + i * 8, points[i].index_delta);
    store_le<std::uint32_t>(out + i * 8 + 4, points[i].offset);
  }
  store_le<std::uint64_t>(out + count * 8, checksum(out, count * 8, salt));
}

inline bool footer_valid(const std::byte* in, std::uint64_t count, std::uint64_t salt) noexcept {
  return load_le<std::uint64_t>(in + count * 8) == checksum(in, count * 8, salt);
}

inline SparsePoint footer_point(const std::byte* in, std::uint64_t i) noexcept {
  return {load_le<std::uint32_t>(in + i * 8), load_le<std::uint32_t>(in + i * 8 + 4)};
}

}  // namespace seglog::detail

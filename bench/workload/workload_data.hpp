// workload_data.hpp — the exact bytes and read positions of the standard
// workload W (shared/WORKLOAD.md, "Exact data"), so every driver writes and
// reads the same entries. Pure functions, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace seglog::workload {

inline constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // G
inline constexpr std::uint64_t kTermSpan = 100000;               // entries per term

// The splitmix64 finaliser.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Entry i (1-based) has term 1 + i / 100000.
constexpr std::uint64_t term_of(std::uint64_t index) noexcept { return 1 + index / kTermSpan; }

// Fills `out` with the payload of entry `index`: word k = mix64(s + (k+1)G)
// with s = seed ^ mix64(index), words little-endian, the last one cut.
inline void fill_payload(std::uint64_t seed, std::uint64_t index,
                         std::span<std::byte> out) noexcept {
  const std::uint64_t s = seed ^ mix64(index);
  std::size_t pos = 0;
  for (std::uint64_t k = 0; pos < out.size(); ++k) {
    const std::uint64_t word = mix64(s + (k + 1) * kGolden);
    unsigned char bytes[8];
    for (int b = 0; b < 8; ++b) {
      bytes[b] = static_cast<unsigned char>(word >> (8 * b));
    }
    const std::size_t n = out.size() - pos < 8 ? out.size() - pos : 8;
    std::memcpy(out.data() + pos, bytes, n);
    pos += n;
  }
}

// The read-position stream of one phase (1 read_hot, 2 read_cold,
// 3 read_range).
class PositionStream {
 public:
  PositionStream(std::uint64_t seed, std::uint64_t stream) noexcept
      : r_(mix64(seed) ^ mix64(stream)) {}

  std::uint64_t next() noexcept {
    r_ += kGolden;
    return mix64(r_);
  }

  // Uniform over [lo, hi] (hi >= lo), as the spec defines it (modulo).
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) noexcept {
    return lo + next() % (hi - lo + 1);
  }

 private:
  std::uint64_t r_;
};

inline constexpr std::uint64_t kStreamHot = 1;
inline constexpr std::uint64_t kStreamCold = 2;
inline constexpr std::uint64_t kStreamRange = 3;

}  // namespace seglog::workload

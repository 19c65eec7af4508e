// format/checksum.hpp — XXH3-64, inlined so small records hash without a
// call (docs/format.md, "Checksums").
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/checksum_avx2.hpp"

#include <cstddef>
#include <cstdint>

namespace seglog::detail {

inline std::uint64_t checksum(const std::byte* data, std::size_t size,
                              std::uint64_t seed) noexcept {
  return XXH3_64bits_withSeed(data, size, seed);
}

// A seed with its XXH3 secret derived once. XXH3_64bits_withSeed derives
// that 192-byte secret again for every input of 240 bytes or more — a
// 256-byte record paid more for it than for hashing its payload. The
// result is bit for bit the seeded hash (xxhash.h, "_withSecretandSeed"),
// so the on-disk format does not change. On a CPU with AVX2 the hash runs
// the AVX2 build (checksum_avx2.cpp): chosen per key, no global state.
class ChecksumKey {
 public:
  explicit ChecksumKey(std::uint64_t seed) noexcept
      : seed_(seed), hash_(cpu_has_avx2() ? &xxh3_with_secret_avx2 : &xxh3_with_secret_sse2) {
    XXH3_generateSecret_fromSeed(secret_, seed);
  }

  std::uint64_t seed() const noexcept { return seed_; }

  std::uint64_t operator()(const std::byte* data, std::size_t size) const noexcept {
    return hash_(data, size, secret_, sizeof secret_, seed_);
  }

  // The builds side by side, for the test that they agree.
  static std::uint64_t xxh3_with_secret_sse2(const void* data, std::size_t size,
                                             const unsigned char* secret,
                                             std::size_t secret_size,
                                             std::uint64_t seed) noexcept {
    return XXH3_64bits_withSecretandSeed(data, size, secret, secret_size, seed);
  }
  static bool cpu_has_avx2() noexcept { return __builtin_cpu_supports("avx2"); }
  const unsigned char* secret() const noexcept { return secret_; }

 private:
  using Hash = std::uint64_t (*)(const void*, std::size_t, const unsigned char*, std::size_t,
                                 std::uint64_t) noexcept;
  std::uint64_t seed_;
  Hash hash_;
  alignas(64) unsigned char secret_[XXH3_SECRET_DEFAULT_SIZE];
};

}  // namespace seglog::detail

// format/checksum.hpp — XXH3-64, inlined so small records hash without a
// call (docs/format.md, "Checksums").
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

// SEGLOG_CHECKSUM_AVX2 is defined (to 1) by src/format/meson.build only
// where checksum_avx2.cpp is built: an x86 host, -Davx2=true.
#if SEGLOG_CHECKSUM_AVX2
#include "format/checksum_avx2.hpp"
#endif

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
// so the on-disk format does not change. On an x86 CPU with AVX2 the hash
// runs the AVX2 build (checksum_avx2.cpp): chosen per key, no global
// state. Everywhere else it runs xxhash.h's own code, whatever that
// compiler and target give (SSE2 on x86-64, NEON on aarch64, scalar
// elsewhere): the same hash, bit for bit (tests/format/checksum_test.cpp
// compares every build with xxHash's scalar code).
class ChecksumKey {
 public:
  explicit ChecksumKey(std::uint64_t seed) noexcept
#if SEGLOG_CHECKSUM_AVX2
      : seed_(seed), hash_(cpu_has_avx2() ? &xxh3_with_secret_avx2 : &xxh3_with_secret_portable) {
#else
      : seed_(seed), hash_(&xxh3_with_secret_portable) {
#endif
    XXH3_generateSecret_fromSeed(secret_, seed);
  }

  std::uint64_t seed() const noexcept { return seed_; }

  std::uint64_t operator()(const std::byte* data, std::size_t size) const noexcept {
    return hash_(data, size, secret_, sizeof secret_, seed_);
  }

  // The builds side by side, for the test that they agree.
  static std::uint64_t xxh3_with_secret_portable(const void* data, std::size_t size,
                                                 const unsigned char* secret,
                                                 std::size_t secret_size,
                                                 std::uint64_t seed) noexcept {
    return XXH3_64bits_withSecretandSeed(data, size, secret, secret_size, seed);
  }
  // True when keys run the AVX2 build (never off x86, where
  // __builtin_cpu_supports does not exist).
  static bool cpu_has_avx2() noexcept {
#if SEGLOG_CHECKSUM_AVX2
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
  }
  const unsigned char* secret() const noexcept { return secret_; }

 private:
  using Hash = std::uint64_t (*)(const void*, std::size_t, const unsigned char*, std::size_t,
                                 std::uint64_t) noexcept;
  std::uint64_t seed_;
  Hash hash_;
  alignas(64) unsigned char secret_[XXH3_SECRET_DEFAULT_SIZE];
};

}  // namespace seglog::detail

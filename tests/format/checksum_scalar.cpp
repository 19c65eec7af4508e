// format/checksum_scalar.cpp — xxHash's scalar XXH3 (XXH_VECTOR =
// XXH_SCALAR: no SSE2, AVX2 or NEON), compiled alone so that every
// function xxhash.h defines here is this build's; the checksum test
// compares the library's builds with it on every architecture CI runs.
#define XXH_INLINE_ALL
#define XXH_VECTOR 0  // XXH_SCALAR
#include <xxhash.h>

#include "format/checksum_scalar.hpp"

namespace seglog::test {

std::uint64_t xxh3_scalar_with_secret(const void* data, std::size_t size,
                                      const unsigned char* secret, std::size_t secret_size,
                                      std::uint64_t seed) noexcept {
  return XXH3_64bits_withSecretandSeed(data, size, secret, secret_size, seed);
}

std::uint64_t xxh3_scalar_with_seed(const void* data, std::size_t size,
                                    std::uint64_t seed) noexcept {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace seglog::test

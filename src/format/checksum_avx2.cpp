// format/checksum_avx2.cpp — XXH3-64 with its AVX2 loop. meson compiles
// this file alone with -mavx2 (src/format/meson.build); ChecksumKey calls
// it only on a CPU that has AVX2. Same hash, bit for bit, as the SSE2
// build; a 256-byte record hashes in about half the time (measured:
// docs/performance.md). Only xxhash.h is included: every function it
// defines is static here, so no AVX2 code can stand in for an inline
// function that other files compiled without it.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/checksum_avx2.hpp"

namespace seglog::detail {

std::uint64_t xxh3_with_secret_avx2(const void* data, std::size_t size,
                                    const unsigned char* secret, std::size_t secret_size,
                                    std::uint64_t seed) noexcept {
  return XXH3_64bits_withSecretandSeed(data, size, secret, secret_size, seed);
}

}  // namespace seglog::detail

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

#include <immintrin.h>

namespace seglog::detail {
namespace {

// One 64-byte stripe into one half of the accumulators (XXH3's
// accumulate_512, AVX2 form), the accumulators kept in registers.
inline __m256i accumulate_half(__m256i acc, const unsigned char* input,
                               const unsigned char* secret) noexcept {
  const __m256i data = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(input));
  const __m256i key = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(secret));
  const __m256i data_key = _mm256_xor_si256(data, key);
  const __m256i data_key_lo = _mm256_shuffle_epi32(data_key, _MM_SHUFFLE(0, 3, 0, 1));
  const __m256i product = _mm256_mul_epu32(data_key, data_key_lo);
  const __m256i swapped = _mm256_shuffle_epi32(data, _MM_SHUFFLE(1, 0, 3, 2));
  return _mm256_add_epi64(product, _mm256_add_epi64(acc, swapped));
}

inline std::uint64_t fold_lanes(__m256i lanes, int first) noexcept {
  const __m128i pair =
      first == 0 ? _mm256_castsi256_si128(lanes) : _mm256_extracti128_si256(lanes, 1);
  return XXH3_mul128_fold64(static_cast<std::uint64_t>(_mm_cvtsi128_si64(pair)),
                            static_cast<std::uint64_t>(_mm_extract_epi64(pair, 1)));
}

// XXH3-64's long hash of 241..1024 bytes (one block: no scramble) with the
// default-size secret. xxhash.h runs the general loop, its accumulators in
// memory and its block count divided out of the secret's size at run
// time; for a 272-byte record (256 B of payload) this form took 17 ns
// against 22 (11.4 against 14.7 in the VM's fast state). The checksum
// test compares both with XXH3_64bits_withSeed at every length.
std::uint64_t hash_one_block(const unsigned char* input, std::size_t size,
                             const unsigned char* secret) noexcept {
  __m256i low = _mm256_setr_epi64x(
      static_cast<long long>(XXH_PRIME32_3), static_cast<long long>(XXH_PRIME64_1),
      static_cast<long long>(XXH_PRIME64_2), static_cast<long long>(XXH_PRIME64_3));
  __m256i high = _mm256_setr_epi64x(
      static_cast<long long>(XXH_PRIME64_4), static_cast<long long>(XXH_PRIME32_2),
      static_cast<long long>(XXH_PRIME64_5), static_cast<long long>(XXH_PRIME32_1));
  const std::size_t stripes = (size - 1) / XXH_STRIPE_LEN;
  for (std::size_t s = 0; s < stripes; ++s) {
    const unsigned char* in = input + s * XXH_STRIPE_LEN;
    const unsigned char* key = secret + s * XXH_SECRET_CONSUME_RATE;
    low = accumulate_half(low, in, key);
    high = accumulate_half(high, in + 32, key + 32);
  }
  const unsigned char* last = input + size - XXH_STRIPE_LEN;
  const unsigned char* last_key =
      secret + XXH3_SECRET_DEFAULT_SIZE - XXH_STRIPE_LEN - XXH_SECRET_LASTACC_START;
  low = accumulate_half(low, last, last_key);
  high = accumulate_half(high, last + 32, last_key + 32);

  const unsigned char* merge_key = secret + XXH_SECRET_MERGEACCS_START;
  low = _mm256_xor_si256(low, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(merge_key)));
  high =
      _mm256_xor_si256(high, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(merge_key + 32)));
  std::uint64_t result = size * XXH_PRIME64_1;
  result += fold_lanes(low, 0);
  result += fold_lanes(low, 1);
  result += fold_lanes(high, 0);
  result += fold_lanes(high, 1);
  return XXH3_avalanche(result);
}

}  // namespace

std::uint64_t xxh3_with_secret_avx2(const void* data, std::size_t size, const unsigned char* secret,
                                    std::size_t secret_size, std::uint64_t seed) noexcept {
  const std::uint64_t hash =
      size > XXH3_MIDSIZE_MAX && size <= 1024 && secret_size == XXH3_SECRET_DEFAULT_SIZE
          ? hash_one_block(static_cast<const unsigned char*>(data), size, secret)
          : XXH3_64bits_withSecretandSeed(data, size, secret, secret_size, seed);
  // The callers are SSE code. At -O3 (the release build) GCC ended this
  // function with a jump into XXH3_avalanche and no vzeroupper, and every
  // SSE instruction after it paid for the dirty upper halves: a verified
  // hot read took 190 ns instead of 70, a range read 4 x longer.
  _mm256_zeroupper();
  return hash;
}

}  // namespace seglog::detail

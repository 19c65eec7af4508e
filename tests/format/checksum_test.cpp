// The record checksum (src/format/checksum.hpp): whichever build a key
// runs (AVX2 on x86 CPUs that have it, else xxHash's portable code: SSE2
// on x86-64, NEON on aarch64), it is XXH3-64 seeded with the segment's
// salt, the hash docs/format.md specifies, and equal to xxHash's scalar
// code (checksum_scalar.cpp) — for every length around XXH3's internal
// boundaries (16, 128, 240 bytes, whole 64-byte stripes, 1 KiB blocks).
#include "format/checksum.hpp"
#include "format/checksum_scalar.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

using seglog::detail::ChecksumKey;

TEST_CASE("ChecksumKey is XXH3-64 seeded with the salt, in every build", "[checksum]") {
  std::printf("checksum builds compared: portable (%s)%s, scalar reference\n",
#if defined(__aarch64__)
              "NEON",
#elif defined(__x86_64__)
              "SSE2",
#else
              "xxHash default",
#endif
              ChecksumKey::cpu_has_avx2() ? ", AVX2" : "");
  std::mt19937_64 rng(11);
  std::vector<std::byte> data(4200);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  for (std::uint64_t seed : {0ull, 1ull, 0x9E3779B97F4A7C15ull, 0xFFFFFFFFFFFFFFFFull}) {
    const ChecksumKey key(seed);
    for (std::size_t size = 0; size <= data.size(); size += size < 1100 ? 1 : 61) {
      // Unaligned starts too: records start at any 8-byte boundary + 8.
      for (std::size_t start : {0, 8, 3}) {
        if (start + size > data.size()) continue;
        const std::byte* p = data.data() + start;
        const std::uint64_t want = XXH3_64bits_withSeed(p, size, seed);
        INFO("seed " << seed << ", size " << size << ", start " << start);
        REQUIRE(key(p, size) == want);
        REQUIRE(seglog::test::xxh3_scalar_with_seed(p, size, seed) == want);
        REQUIRE(seglog::test::xxh3_scalar_with_secret(p, size, key.secret(),
                                                      XXH3_SECRET_DEFAULT_SIZE, seed) == want);
        REQUIRE(ChecksumKey::xxh3_with_secret_portable(p, size, key.secret(),
                                                       XXH3_SECRET_DEFAULT_SIZE, seed) == want);
#if SEGLOG_CHECKSUM_AVX2
        if (ChecksumKey::cpu_has_avx2()) {
          REQUIRE(seglog::detail::xxh3_with_secret_avx2(p, size, key.secret(),
                                                        XXH3_SECRET_DEFAULT_SIZE, seed) == want);
        }
#endif
      }
    }
  }
}

// Known values, computed once by xxHash 0.8.1 (the `xxh3sum`-equivalent
// XXH3_64bits_withSeed): a build whose hash drifted on some architecture
// would write segments no other architecture reads.
TEST_CASE("ChecksumKey gives the same values on every architecture", "[checksum]") {
  std::vector<std::byte> data(1500);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 7 + 3);
  const ChecksumKey key(0x0123456789ABCDEFull);
  std::uint64_t combined = 0;
  for (std::size_t size : {0, 1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 256, 1024, 1025, 1500}) {
    combined = combined * 31 + key(data.data(), size);
  }
  CHECK(combined == 0x67e57727d7778a58ull);
}

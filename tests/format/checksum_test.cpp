// The record checksum (src/format/checksum.hpp): whichever build a key
// runs (AVX2 or SSE2), it is XXH3-64 seeded with the segment's salt, the
// hash docs/format.md specifies — for every length around XXH3's internal
// boundaries (16, 128, 240 bytes, whole 64-byte stripes, 1 KiB blocks).
#include "format/checksum.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

using seglog::detail::ChecksumKey;

TEST_CASE("ChecksumKey is XXH3-64 seeded with the salt, in both builds", "[checksum]") {
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
        REQUIRE(ChecksumKey::xxh3_with_secret_sse2(p, size, key.secret(),
                                                   XXH3_SECRET_DEFAULT_SIZE, seed) == want);
        if (ChecksumKey::cpu_has_avx2()) {
          REQUIRE(seglog::detail::xxh3_with_secret_avx2(p, size, key.secret(),
                                                        XXH3_SECRET_DEFAULT_SIZE, seed) == want);
        }
      }
    }
  }
}

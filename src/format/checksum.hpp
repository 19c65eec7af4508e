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

// A seed with its XXH3 secret derived once. XXH3_64bits_withSeed derives
// that 192-byte secret again for every input of 240 bytes or more — a
// 256-byte record paid more for it than for hashing its payload. The
// result is bit for bit the seeded hash (xxhash.h, "_withSecretandSeed"),
// so the on-disk format does not change.
class ChecksumKey {
 public:
  explicit ChecksumKey(std::uint64_t seed) noexcept : seed_(seed) {
    XXH3_generateSecret_fromSeed(secret_, seed);
  }

  std::uint64_t seed() const noexcept { return seed_; }

  std::uint64_t operator()(const std::byte* data, std::size_t size) const noexcept {
    return XXH3_64bits_withSecretandSeed(data, size, secret_, sizeof secret_, seed_);
  }

 private:
  std::uint64_t seed_;
  alignas(64) unsigned char secret_[XXH3_SECRET_DEFAULT_SIZE];
};

}  // namespace seglog::detail

// format/checksum_scalar.hpp — xxHash's scalar XXH3 (checksum_scalar.cpp),
// the reference the checksum test holds every build to.
#pragma once

#include <cstddef>
#include <cstdint>

namespace seglog::test {

std::uint64_t xxh3_scalar_with_secret(const void* data, std::size_t size,
                                      const unsigned char* secret, std::size_t secret_size,
                                      std::uint64_t seed) noexcept;
std::uint64_t xxh3_scalar_with_seed(const void* data, std::size_t size,
                                    std::uint64_t seed) noexcept;

}  // namespace seglog::test

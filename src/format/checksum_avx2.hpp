// format/checksum_avx2.hpp — the AVX2 build of the record checksum
// (checksum_avx2.cpp); call it only where the CPU has AVX2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace seglog::detail {

std::uint64_t xxh3_with_secret_avx2(const void* data, std::size_t size, const unsigned char* secret,
                                    std::size_t secret_size, std::uint64_t seed) noexcept;

}  // namespace seglog::detail

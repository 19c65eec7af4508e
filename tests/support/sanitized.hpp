// support/sanitized.hpp — whether this test file is built with ASan or
// TSan: a few cases cannot run under a sanitizer's runtime (it needs file
// descriptors and address space of its own), and a few long random runs
// take fewer rounds there (each round spawns processes, which a sanitizer
// slows several times over; the release stage runs them all).
#pragma once

namespace seglog::test {

// g++ defines __SANITIZE_*; clang has __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace seglog::test

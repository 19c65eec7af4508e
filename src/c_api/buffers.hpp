// c_api/buffers.hpp — the C caller's buffers: a (pointer, length) pair as
// bytes, and memory the caller frees, malloc'ed, with a failed allocation
// thrown as std::bad_alloc so that guarded() reports SEGLOG_OUT_OF_MEMORY
// (docs/c-api.md, "Handles and ownership").
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <span>

namespace seglog::detail {

// The caller checked that data is not NULL when len > 0.
inline std::span<const std::byte> bytes_of(const void* data, std::size_t len) noexcept {
  return {static_cast<const std::byte*>(data), len};
}

inline void* c_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace seglog::detail

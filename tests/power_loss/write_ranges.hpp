// power_loss/write_ranges.hpp — where this thread's last write landed: the
// fault seam (io/fault_injection.hpp) names the file of a `write` but not
// its bytes, so the executable that links write_ranges.cpp wraps the two
// libc calls io/file.cpp writes with (pwrite64, pwritev64) and remembers,
// per thread, the offset and length since the last reset. For the golden
// records (golden_ops.hpp): reset in a hook's before(), read in its after().
#pragma once

#include <cstdint>

namespace seglog::test {

struct WriteRange {
  std::uint64_t offset = 0;  // of the first call since the reset
  std::uint64_t bytes = 0;   // written by every call since (short writes loop)
  int calls = 0;             // 0: no pwrite since the reset
};

void reset_write_range() noexcept;
WriteRange write_range() noexcept;

}  // namespace seglog::test

// power_loss/write_ranges.cpp — pwrite64 and pwritev64 wrapped for
// write_ranges.hpp. Defined in the executable, they take precedence over
// libc's for libseglog too (the dynamic linker looks in the executable
// first), and forward to the next definition (libc's, or a sanitizer's).
#include "power_loss/write_ranges.hpp"

#include <dlfcn.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdlib>

namespace seglog::test {
namespace {

thread_local WriteRange last;

void note(off_t offset, ssize_t written) noexcept {
  if (written < 0) return;
  if (last.calls == 0) last.offset = static_cast<std::uint64_t>(offset);
  last.bytes += static_cast<std::uint64_t>(written);
  ++last.calls;
}

template <class Fn>
Fn next(const char* name) noexcept {
  void* found = ::dlsym(RTLD_NEXT, name);
  if (found == nullptr) std::abort();  // no libc to forward to: nothing can be written
  return reinterpret_cast<Fn>(found);
}

}  // namespace

void reset_write_range() noexcept { last = WriteRange{}; }
WriteRange write_range() noexcept { return last; }

}  // namespace seglog::test

extern "C" ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  using Fn = ssize_t (*)(int, const void*, size_t, off_t);
  static const Fn real = seglog::test::next<Fn>("pwrite64");
  const ssize_t n = real(fd, buf, count, offset);
  seglog::test::note(offset, n);
  return n;
}

extern "C" ssize_t pwritev64(int fd, const struct iovec* iov, int count, off_t offset) {
  using Fn = ssize_t (*)(int, const struct iovec*, int, off_t);
  static const Fn real = seglog::test::next<Fn>("pwritev64");
  const ssize_t n = real(fd, iov, count, offset);
  seglog::test::note(offset, n);
  return n;
}

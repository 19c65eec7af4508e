// io/fault_injection.cpp — the test hook behind io/fault_injection.hpp.
#include "io/fault_injection.hpp"

#ifdef SEGLOG_FAULT_INJECTION
namespace seglog::detail::fault {
namespace {
Hook& hook() {
  static Hook installed;
  return installed;
}
}  // namespace

void set_hook(Hook h) { hook() = std::move(h); }

int inject(Op op, const std::filesystem::path& path) {
  const Hook& h = hook();
  return h ? h(op, path) : 0;
}
}  // namespace seglog::detail::fault
#endif

// io/fault_injection.hpp — the seam where tests make the OS fail. Compiled
// to nothing unless the meson option fault_injection is on (then
// SEGLOG_FAULT_INJECTION is defined and tests install a hook).
#pragma once

#include <filesystem>
#include <functional>

namespace seglog::detail::fault {

enum class Op { write, preallocate, sync, sync_directory, rename, unlink };

#ifdef SEGLOG_FAULT_INJECTION
// Returns an errno to fail `op` on `path` with, or 0 to let it run.
using Hook = std::function<int(Op op, const std::filesystem::path& path)>;
// Installs (or, with an empty hook, removes) the process-wide hook. Tests
// only; not thread-safe against concurrent I/O.
void set_hook(Hook hook);
int inject(Op op, const std::filesystem::path& path);
#else
inline int inject(Op, const std::filesystem::path&) { return 0; }
#endif

}  // namespace seglog::detail::fault

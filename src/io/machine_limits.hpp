// io/machine_limits.hpp — what the machine allows a process to map: its
// memory (physical, or the cgroup's limit when lower) and the kernel's
// bound on mappings. They size the mapping budget when Options leave it
// automatic (docs/design.md, "Memory").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace seglog::detail {

// The memory this process may count on: physical memory, or the limit of
// its memory cgroup (v2 memory.max, v1 memory.limit_in_bytes) when that
// is lower. nullopt when neither can be read.
std::optional<std::uint64_t> machine_memory_bytes();

// vm.max_map_count (Linux's default is 65530); nullopt when unreadable.
std::optional<std::uint64_t> max_map_count();

// A cgroup limit file's text ("max", or a byte count with a newline) as
// bytes; nullopt for "max", an unset v1 limit (near 2^63) or bad text.
std::optional<std::uint64_t> parse_cgroup_limit(std::string_view text);

// The memory cgroup of /proc/self/cgroup's text: the v2 path ("0::/a/b")
// when `v2`, else the v1 path of the "memory" controller; nullopt if none.
std::optional<std::string_view> cgroup_path(std::string_view proc_self_cgroup, bool v2);

}  // namespace seglog::detail

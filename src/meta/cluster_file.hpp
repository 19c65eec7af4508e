// meta/cluster_file.hpp — the cluster configuration in cluster.json
// (docs/format-meta.md, "cluster.json").
#pragma once

#include <seglog/error.hpp>
#include <seglog/raft_state.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::detail {

inline constexpr std::string_view kClusterFileName = "cluster.json";

// The canonical JSON of the "cluster" member (what its checksum covers):
// {"index":N,"term":N,"members":[{"id":"..","address":"..","voter":B},..]},
// members in the config's order.
std::string encode_cluster(const ClusterConfig& config);

// Reads dir/cluster.json; nullopt when it does not exist.
// Errors: corrupted (any byte that is not what store_cluster_config wrote: not
//         JSON, wrong or missing members, unknown version, checksum
//         mismatch, trailing bytes; the message names the file), io_error.
[[nodiscard]] Result<std::optional<ClusterConfig>> load_cluster_config(
    const std::filesystem::path& dir);

// Replaces dir/cluster.json durably (see atomic_replace).
// Errors: invalid_argument (an id or address is not valid UTF-8, or the
//         file would exceed 16 MiB), no_space, io_error (before the rename
//         the old file stays; after it, only the directory fsync failed),
//         not_found (no such `dir`).
[[nodiscard]] Status store_cluster_config(const std::filesystem::path& dir,
                                          const ClusterConfig& config);

}  // namespace seglog::detail

// tools/seglog/meta_files.hpp — state.json, cluster.json, snapshot.bin,
// restart.json and stable.kv read and checked as the library reads them
// (docs/format-meta.md); the snapshot's data checksum streamed with pread,
// in bounded memory.
#pragma once

#include <seglog/error.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include "findings.hpp"
#include "kv_check.hpp"
#include "meta/restart_file.hpp"
#include "segment_check.hpp"

#include <filesystem>
#include <optional>

namespace seglog::tool {

struct MetaFiles {
  std::optional<PersistentState> state;
  std::optional<ClusterConfig> cluster;
  std::optional<SnapshotMeta> snapshot;  // its header is valid
  bool state_damaged = false;
  bool cluster_damaged = false;
  bool snapshot_damaged = false;
  std::optional<KvReport> kv;  // stable.kv, damaged or not (absent: nullopt)
};

// restart.json, read first: it decides which segments are the log.
struct RestartFile {
  std::optional<detail::LogRestart> restart;
  bool damaged = false;  // every open (writable or read-only) fails on it
};

// Reads restart.json; damage goes to `findings` (restart_file).
// Errors: io_error only.
[[nodiscard]] Result<RestartFile> read_restart(const std::filesystem::path& dir,
                                               Findings& findings);

// Reads state, cluster, snapshot and stable.kv; damage goes to `findings`. Depth::full also reads
// the snapshot's data and checks its checksum.
// Errors: io_error only.
[[nodiscard]] Result<MetaFiles> read_meta(const std::filesystem::path& dir, Depth depth,
                                          Findings& findings, const ProgressHook& progress = {});

}  // namespace seglog::tool

// meta/snapshot_file.hpp — the snapshot of a directory, snapshot.bin: the
// calls the storage facade makes (docs/format-meta.md, "snapshot.bin").
#pragma once

#include <seglog/error.hpp>
#include <seglog/snapshot.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

namespace seglog::detail {

inline constexpr std::string_view kSnapshotFileName = "snapshot.bin";

// Called by a successful commit with the new snapshot's metadata, once
// snapshot.bin holds it. May be empty. Must not throw.
using SnapshotCommitHook = std::function<void(const SnapshotMeta&)>;

// Starts a snapshot in a new temporary file `snapshot.bin.<16 hex>.tmp` in
// `dir` (see SnapshotWriter). Arguments are not checked here: that is the
// facade's job.
// Errors: no_space, io_error (the temporary file cannot be created),
//         not_found (no such `dir`).
// `metadata` (at most kMaxSnapshotMetadataBytes, checked by the facade)
// goes into the file at commit.
[[nodiscard]] Result<SnapshotWriter> begin_snapshot(const std::filesystem::path& dir,
                                                    std::uint64_t last_index,
                                                    std::uint64_t last_term,
                                                    std::span<const std::byte> metadata,
                                                    SnapshotCommitHook on_commit);

// Maps dir/snapshot.bin read-only and verifies it whole: header checksum,
// metadata checksum, then data checksum (reads every data byte once).
// Errors: not_found (no snapshot.bin), corrupted (short file, bad magic,
//         unknown version, header or data checksum mismatch, data size
//         that does not match the file length; the message names the
//         file), io_error.
[[nodiscard]] Result<SnapshotReader> open_snapshot(const std::filesystem::path& dir);

// The metadata of dir/snapshot.bin from its header and metadata alone
// (header and metadata checksums and file length checked, data not read);
// nullopt when there is none.
// Errors: corrupted (as open_snapshot, except a data checksum mismatch,
//         which this call cannot see), io_error.
[[nodiscard]] Result<std::optional<SnapshotMeta>> read_snapshot_meta(
    const std::filesystem::path& dir);

// Writes `data` as the directory's snapshot in one call (begin, write,
// commit). on_commit as for begin_snapshot.
// Errors: no_space, io_error (before the rename the previous snapshot
//         stays; after it, only the directory fsync failed), not_found (no
//         such `dir`).
[[nodiscard]] Status store_snapshot(const std::filesystem::path& dir,
                                    std::span<const std::byte> data, std::uint64_t last_index,
                                    std::uint64_t last_term, std::span<const std::byte> metadata,
                                    SnapshotCommitHook on_commit);

// The directory's snapshot as an owning copy; nullopt when there is none.
// Errors: corrupted, io_error (as open_snapshot).
[[nodiscard]] Result<std::optional<Snapshot>> load_snapshot(const std::filesystem::path& dir);

}  // namespace seglog::detail

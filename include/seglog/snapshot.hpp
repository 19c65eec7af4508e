// seglog/snapshot.hpp — snapshots: metadata, an owning copy, and the
// streaming writer/reader for snapshots larger than memory.
// The file format (snapshot.bin) is in docs/format-meta.md.
#pragma once

#include <seglog/error.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace seglog {

// The largest SnapshotMeta::metadata: 16 MiB (a cluster configuration of
// thousands of members fits many times over).
inline constexpr std::uint64_t kMaxSnapshotMetadataBytes = 16u << 20;

struct SnapshotMeta {
  std::uint64_t last_index = 0;  // last log index the snapshot covers
  std::uint64_t last_term = 0;   // term of that index
  std::uint64_t size = 0;        // bytes of snapshot data
  // Opaque bytes the engine keeps with the snapshot (its configuration,
  // version, ID), at most kMaxSnapshotMetadataBytes; empty by default.
  std::vector<std::byte> metadata{};

  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

struct Snapshot {
  SnapshotMeta meta;
  std::vector<std::byte> data;
};

namespace detail {
struct SnapshotWriterState;
struct SnapshotReaderState;
}  // namespace detail

// Writes a snapshot in chunks into a temporary file; commit() makes it the
// directory's snapshot atomically (write, fsync file, rename, fsync
// directory). A writer destroyed or abandoned before commit() removes its
// temporary file: an abandoned writer leaves no trace. Move-only; not
// thread-safe (one thread writes a snapshot).
class SEGLOG_API SnapshotWriter {
 public:
  explicit SnapshotWriter(std::unique_ptr<detail::SnapshotWriterState> state);
  SnapshotWriter(SnapshotWriter&&) noexcept;
  SnapshotWriter& operator=(SnapshotWriter&&) noexcept;
  ~SnapshotWriter();

  // Appends `chunk` to the snapshot data.
  // Errors: no_space (file system full), io_error (write failed),
  //         invalid_argument (after commit() or abandon()).
  [[nodiscard]] Status write(std::span<const std::byte> chunk);

  // Makes the snapshot durable and current; returns its metadata.
  // Errors: no_space, io_error (a failed write or fsync before the rename:
  //         the previous snapshot stays current; a failed directory fsync
  //         after it: the new snapshot is current but may not survive a
  //         power loss), invalid_argument (already committed/abandoned).
  //         A failure is sticky: later calls return the same error.
  [[nodiscard]] Result<SnapshotMeta> commit();

  // Drops the snapshot being written and removes its temporary file.
  void abandon() noexcept;

  std::uint64_t bytes_written() const noexcept;

 private:
  std::unique_ptr<detail::SnapshotWriterState> state_;
};

// A committed snapshot, mapped read-only: data() is zero-copy and stays
// valid (and unchanged, even if a newer snapshot is committed) while the
// reader or a copy of it exists. Copyable; thread-safe for reads.
class SEGLOG_API SnapshotReader {
 public:
  explicit SnapshotReader(std::shared_ptr<const detail::SnapshotReaderState> s);

  const SnapshotMeta& meta() const noexcept;
  std::span<const std::byte> data() const noexcept;

 private:
  std::shared_ptr<const detail::SnapshotReaderState> state_;
};

}  // namespace seglog

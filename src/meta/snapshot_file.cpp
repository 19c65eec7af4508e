// meta/snapshot_file.cpp — whole-snapshot store and load, built on the
// streaming writer and the mapped reader.
#include "meta/snapshot_file.hpp"

namespace seglog::detail {

Status store_snapshot(const std::filesystem::path& dir, std::span<const std::byte> data,
                      std::uint64_t last_index, std::uint64_t last_term,
                      std::span<const std::byte> metadata, SnapshotCommitHook on_commit) {
  auto writer = begin_snapshot(dir, last_index, last_term, metadata, std::move(on_commit));
  if (!writer) return writer.error();
  if (auto written = writer->write(data); !written) return written.error();
  auto committed = writer->commit();
  if (!committed) return committed.error();
  return {};
}

Result<std::optional<Snapshot>> load_snapshot(const std::filesystem::path& dir) {
  auto reader = open_snapshot(dir);
  if (!reader) {
    if (reader.error() == errc::not_found) return std::optional<Snapshot>();
    return reader.error();
  }
  const std::span<const std::byte> data = reader->data();
  return std::optional<Snapshot>(
      Snapshot{reader->meta(), std::vector<std::byte>(data.begin(), data.end())});
}

}  // namespace seglog::detail

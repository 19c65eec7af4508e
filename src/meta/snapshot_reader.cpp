// meta/snapshot_reader.cpp — SnapshotReader: snapshot.bin mapped read-only
// and verified at open (docs/format-meta.md, "Reading a snapshot").
#include "io/file.hpp"
#include "io/mapped_file.hpp"
#include "meta/corrupted.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/snapshot_header.hpp"

#include <xxhash.h>

#include <algorithm>
#include <string>
#include <vector>

namespace seglog::detail {

// A verified snapshot. Invariant: `data` lies inside `file`'s mapping and
// its XXH3-64 equals the header's data_xxh3. The mapping keeps the file's
// inode alive, so a newer snapshot renamed over the name changes nothing.
struct SnapshotReaderState {
  SnapshotMeta meta;
  std::shared_ptr<MappedFile> file;
  std::span<const std::byte> data;
};

namespace {

// The header of a file of `file_length` bytes, its data size checked
// against that length.
Result<SnapshotHeader> checked_header(const std::filesystem::path& path,
                                      std::span<const std::byte> header_bytes,
                                      std::uint64_t file_length) {
  auto header = decode_snapshot_header(path, header_bytes);
  if (!header) return header.error();
  if (file_length < header->data_offset() ||
      header->data_size != file_length - header->data_offset()) {
    return corrupted_file(path, "data_size " + std::to_string(header->data_size) +
                                    " at offset 32 does not match the file length " +
                                    std::to_string(file_length));
  }
  return header;
}

// corrupted unless the file is long enough to hold a header.
Status check_length(const std::filesystem::path& path, std::uint64_t file_length) {
  if (file_length < kSnapshotHeaderBytes) {
    return corrupted_file(path, std::to_string(file_length) + " bytes, shorter than the " +
                                    std::to_string(kSnapshotHeaderBytes) + "-byte snapshot header");
  }
  return {};
}

}  // namespace

Result<SnapshotReader> open_snapshot(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kSnapshotFileName;
  // Refuse a short file before mapping: mapping an empty file fails, and a
  // short one would be a short header.
  {
    auto file = File::open(path, File::Mode::read_only);
    if (!file) return file.error();
    auto length = file->size();
    if (!length) return length.error();
    if (auto long_enough = check_length(path, *length); !long_enough) {
      return long_enough.error();
    }
  }
  // Size 0 maps the whole file: whatever file the name holds now, its own
  // length is what the checks below use.
  auto mapped = MappedFile::map(path, MappedFile::Access::read_only, 0);
  if (!mapped) return mapped.error();
  const std::shared_ptr<MappedFile>& file = *mapped;
  if (auto long_enough = check_length(path, file->size()); !long_enough) {
    return long_enough.error();
  }
  const std::span<const std::byte> bytes(file->data(), file->size());
  auto header = checked_header(path, bytes.first(kSnapshotHeaderBytes), file->size());
  if (!header) return header.error();

  // The metadata and the zeros after it, up to the data.
  const auto region =
      bytes.subspan(kSnapshotHeaderBytes, header->data_offset() - kSnapshotHeaderBytes);
  if (auto checked = check_snapshot_metadata(path, *header, region); !checked) {
    return checked.error();
  }
  const auto metadata = region.first(header->metadata_size);
  const std::span<const std::byte> data = bytes.subspan(header->data_offset());
  file->prefetch(header->data_offset(), data.size());
  if (XXH3_64bits(data.data(), data.size()) != header->data_xxh3) {
    return corrupted_file(path, "data checksum mismatch (data at offset " +
                                    std::to_string(header->data_offset()) + ", " +
                                    std::to_string(data.size()) + " bytes)");
  }
  auto state = std::make_shared<SnapshotReaderState>();
  state->meta = SnapshotMeta{header->last_index, header->last_term, header->data_size,
                             std::vector<std::byte>(metadata.begin(), metadata.end())};
  state->file = file;
  state->data = data;
  return SnapshotReader(std::move(state));
}

Result<std::optional<SnapshotMeta>> read_snapshot_meta(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kSnapshotFileName;
  auto file = File::open(path, File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) return std::optional<SnapshotMeta>();
    return file.error();
  }
  auto length = file->size();
  if (!length) return length.error();
  if (auto long_enough = check_length(path, *length); !long_enough) {
    return long_enough.error();
  }
  SnapshotHeaderBytes bytes;
  if (auto read = file->read_at(0, bytes); !read) return read.error();
  auto header = checked_header(path, bytes, *length);
  if (!header) return header.error();
  std::vector<std::byte> stored(header->metadata_size);
  if (auto read = file->read_at(kSnapshotHeaderBytes, stored); !read) return read.error();
  // Its padding is not read here (docs/format-meta.md, "Validation").
  if (auto checked = check_snapshot_metadata(path, *header, stored); !checked) {
    return checked.error();
  }
  return std::optional<SnapshotMeta>(
      SnapshotMeta{header->last_index, header->last_term, header->data_size, std::move(stored)});
}

}  // namespace seglog::detail

namespace seglog {

SnapshotReader::SnapshotReader(std::shared_ptr<const detail::SnapshotReaderState> s)
    : state_(std::move(s)) {}

const SnapshotMeta& SnapshotReader::meta() const noexcept {
  static const SnapshotMeta kNone{};
  return state_ ? state_->meta : kNone;
}

std::span<const std::byte> SnapshotReader::data() const noexcept {
  return state_ ? state_->data : std::span<const std::byte>();
}

}  // namespace seglog

// meta/snapshot_header.cpp — encodes and validates the snapshot.bin header.
#include "meta/snapshot_header.hpp"

#include "meta/corrupted.hpp"

#include <xxhash.h>

#include <algorithm>
#include <string>

namespace seglog::detail {

namespace {

void put_u32(SnapshotHeaderBytes& out, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) {
    out[offset + i] = static_cast<std::byte>(value >> (8 * i));
  }
}

void put_u64(SnapshotHeaderBytes& out, std::size_t offset, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i) {
    out[offset + i] = static_cast<std::byte>(value >> (8 * i));
  }
}

std::uint64_t get_le(std::span<const std::byte> bytes, std::size_t offset, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = size; i-- > 0;) {
    value = value << 8 | std::to_integer<std::uint64_t>(bytes[offset + i]);
  }
  return value;
}

std::uint64_t header_checksum(std::span<const std::byte> bytes, std::size_t checked) {
  return XXH3_64bits(bytes.data(), checked);
}

}  // namespace

SnapshotHeaderBytes encode_snapshot_header(const SnapshotHeader& header) {
  SnapshotHeaderBytes out{};  // zero padding
  const bool v2 = header.metadata_size != 0;
  std::copy(kSnapshotMagic.begin(), kSnapshotMagic.end(), out.begin());
  put_u32(out, 8, v2 ? kSnapshotMetadataVersion : kSnapshotFormatVersion);
  put_u32(out, 12, static_cast<std::uint32_t>(header.data_offset()));
  put_u64(out, 16, header.last_index);
  put_u64(out, 24, header.last_term);
  put_u64(out, 32, header.data_size);
  put_u64(out, 40, header.data_xxh3);
  if (!v2) {
    put_u64(out, 48, header_checksum(out, kSnapshotHeaderChecked));
    return out;
  }
  put_u64(out, 48, header.metadata_size);
  put_u64(out, 56, header.metadata_xxh3);
  put_u64(out, 64, header_checksum(out, kSnapshotV2HeaderChecked));
  return out;
}

Result<SnapshotHeader> decode_snapshot_header(const std::filesystem::path& path,
                                              std::span<const std::byte> bytes) {
  if (bytes.size() < kSnapshotHeaderBytes) {
    return corrupted_file(
        path, "shorter than the " + std::to_string(kSnapshotHeaderBytes) + "-byte snapshot header");
  }
  if (!std::equal(kSnapshotMagic.begin(), kSnapshotMagic.end(), bytes.begin())) {
    return corrupted_file(path, "bad magic at offset 0 (not a seglog snapshot)");
  }
  const std::uint64_t version = get_le(bytes, 8, 4);
  if (version != kSnapshotFormatVersion && version != kSnapshotMetadataVersion) {
    return corrupted_file(
        path, "unknown snapshot format version " + std::to_string(version) + " at offset 8");
  }
  const bool v2 = version == kSnapshotMetadataVersion;
  const std::size_t checked = v2 ? kSnapshotV2HeaderChecked : kSnapshotHeaderChecked;
  const std::uint64_t stored = get_le(bytes, checked, 8);
  if (const std::uint64_t computed = header_checksum(bytes, checked); stored != computed) {
    return corrupted_file(path, "header checksum mismatch at offset " + std::to_string(checked));
  }
  const std::uint64_t metadata_size = v2 ? get_le(bytes, 48, 8) : 0;
  if (v2 && (metadata_size == 0 || metadata_size > kMaxSnapshotMetadataBytes)) {
    return corrupted_file(path, "metadata_size " + std::to_string(metadata_size) +
                                    " at offset 48 is outside [1, " +
                                    std::to_string(kMaxSnapshotMetadataBytes) + "]");
  }
  if (const std::uint64_t header_bytes = get_le(bytes, 12, 4);
      header_bytes != snapshot_data_offset(metadata_size)) {
    return corrupted_file(path, "header_bytes " + std::to_string(header_bytes) +
                                    " at offset 12, expected " +
                                    std::to_string(snapshot_data_offset(metadata_size)));
  }
  const std::size_t padding_offset = v2 ? kSnapshotV2PaddingOffset : kSnapshotPaddingOffset;
  const auto padding = bytes.subspan(padding_offset, kSnapshotHeaderBytes - padding_offset);
  if (auto nonzero = std::find_if(padding.begin(), padding.end(),
                                  [](std::byte b) { return b != std::byte{0}; });
      nonzero != padding.end()) {
    return corrupted_file(path, "nonzero header padding at offset " +
                                    std::to_string(padding_offset + (nonzero - padding.begin())));
  }
  SnapshotHeader header;
  header.last_index = get_le(bytes, 16, 8);
  header.last_term = get_le(bytes, 24, 8);
  header.data_size = get_le(bytes, 32, 8);
  header.data_xxh3 = get_le(bytes, 40, 8);
  header.metadata_size = metadata_size;
  header.metadata_xxh3 = v2 ? get_le(bytes, 56, 8) : 0;
  return header;
}

Status check_snapshot_metadata(const std::filesystem::path& path, const SnapshotHeader& header,
                               std::span<const std::byte> region) {
  // A version 1 header has no metadata, and no checksum of it.
  if (header.metadata_size == 0) return {};
  if (region.size() < header.metadata_size) {
    return corrupted_file(path, "metadata of " + std::to_string(header.metadata_size) +
                                    " bytes at offset " + std::to_string(kSnapshotHeaderBytes) +
                                    ", only " + std::to_string(region.size()) + " read");
  }
  const auto metadata = region.first(header.metadata_size);
  if (XXH3_64bits(metadata.data(), metadata.size()) != header.metadata_xxh3) {
    return corrupted_file(path, "metadata checksum mismatch (metadata at offset " +
                                    std::to_string(kSnapshotHeaderBytes) + ", " +
                                    std::to_string(metadata.size()) + " bytes)");
  }
  // The bytes between the metadata and the data are zero: every byte of the
  // file is covered by a check.
  const auto gap = region.subspan(header.metadata_size);
  if (auto nonzero =
          std::find_if(gap.begin(), gap.end(), [](std::byte b) { return b != std::byte{0}; });
      nonzero != gap.end()) {
    return corrupted_file(path, "nonzero metadata padding at offset " +
                                    std::to_string(kSnapshotHeaderBytes + header.metadata_size +
                                                   (nonzero - gap.begin())));
  }
  return {};
}

}  // namespace seglog::detail

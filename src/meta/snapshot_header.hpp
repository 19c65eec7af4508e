// meta/snapshot_header.hpp — the 4096-byte header of snapshot.bin: layout,
// encoding and validation; pure functions, no I/O
// (docs/format-meta.md, "snapshot.bin").
#pragma once

#include <seglog/error.hpp>
#include <seglog/snapshot.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace seglog::detail {

// Version 1 (no metadata; still written when the metadata is empty, so
// files of earlier releases and of today are the same bytes):
//   offset size field
//        0    8 magic          "SEGLSNAP"
//        8    4 format_version 1 (u32 LE)
//       12    4 header_bytes   4096 (u32 LE): where the data starts
//       16    8 last_index     (u64 LE)
//       24    8 last_term      (u64 LE)
//       32    8 data_size      (u64 LE): file length - header_bytes
//       40    8 data_xxh3      XXH3-64, seed 0, of the data (u64 LE)
//       48    8 header_xxh3    XXH3-64, seed 0, of bytes [0, 48) (u64 LE)
//       56 4040 zero padding   must be zero
// Version 2 (non-empty metadata): fields 0-47 as version 1, then
//       48    8 metadata_size  (u64 LE), 1..kMaxSnapshotMetadataBytes
//       56    8 metadata_xxh3  XXH3-64, seed 0, of the metadata (u64 LE)
//       64    8 header_xxh3    XXH3-64, seed 0, of bytes [0, 64) (u64 LE)
//       72 4024 zero padding   must be zero
//     4096    m metadata       then zeros up to header_bytes =
//                              4096 + metadata_size rounded up to 4096
inline constexpr std::size_t kSnapshotHeaderBytes = 4096;
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;
inline constexpr std::uint32_t kSnapshotMetadataVersion = 2;
inline constexpr std::array<std::byte, 8> kSnapshotMagic{
    std::byte{'S'}, std::byte{'E'}, std::byte{'G'}, std::byte{'L'},
    std::byte{'S'}, std::byte{'N'}, std::byte{'A'}, std::byte{'P'}};
inline constexpr std::size_t kSnapshotHeaderChecked = 48;  // bytes the v1 header checksum covers
inline constexpr std::size_t kSnapshotPaddingOffset = 56;  // v1
inline constexpr std::size_t kSnapshotV2HeaderChecked = 64;
inline constexpr std::size_t kSnapshotV2PaddingOffset = 72;

// Where the data starts in a file with `metadata_size` bytes of metadata.
constexpr std::uint64_t snapshot_data_offset(std::uint64_t metadata_size) {
  return kSnapshotHeaderBytes +
         (metadata_size + kSnapshotHeaderBytes - 1) / kSnapshotHeaderBytes * kSnapshotHeaderBytes;
}

struct SnapshotHeader {
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::uint64_t data_size = 0;
  std::uint64_t data_xxh3 = 0;
  std::uint64_t metadata_size = 0;  // 0: a version 1 header
  std::uint64_t metadata_xxh3 = 0;

  std::uint64_t data_offset() const { return snapshot_data_offset(metadata_size); }
};

using SnapshotHeaderBytes = std::array<std::byte, kSnapshotHeaderBytes>;

// The header's bytes, header checksum and padding included.
SnapshotHeaderBytes encode_snapshot_header(const SnapshotHeader& header);

// Validates `bytes` (the file's first 4096 bytes) in this order: magic,
// format version (1 or 2), header checksum, metadata_size (v2),
// header_bytes, zero padding. The metadata itself is checked by the reader
// (its checksum), not here.
// Errors: corrupted (naming `path` and what failed), including for fewer
//         than 4096 bytes.
[[nodiscard]] Result<SnapshotHeader> decode_snapshot_header(const std::filesystem::path& path,
                                                            std::span<const std::byte> bytes);

// Checks what follows the header page of a file whose decoded header is
// `header` (step 9 of docs/format-meta.md, "Validation"): `region` holds
// the file's bytes from offset 4096, the metadata_size bytes of metadata
// and then as many of the zeros up to data_offset() as the caller read
// (open_snapshot and the seglog tool: all of them; read_snapshot_meta:
// none). Version 2: metadata_xxh3 must match the metadata, and those zeros
// must be zero; a version 1 header has nothing here to check.
// Errors: corrupted (naming `path` and the offset), also when `region` is
//         shorter than the metadata.
[[nodiscard]] Status check_snapshot_metadata(const std::filesystem::path& path,
                                             const SnapshotHeader& header,
                                             std::span<const std::byte> region);

}  // namespace seglog::detail

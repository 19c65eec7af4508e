// meta/snapshot_header.hpp — the 4096-byte header of snapshot.bin: layout,
// encoding and validation; pure functions, no I/O
// (docs/format-meta.md, "snapshot.bin").
#pragma once

#include <seglog/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace seglog::detail {

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
inline constexpr std::size_t kSnapshotHeaderBytes = 4096;
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;
inline constexpr std::array<std::byte, 8> kSnapshotMagic{
    std::byte{'S'}, std::byte{'E'}, std::byte{'G'}, std::byte{'L'},
    std::byte{'S'}, std::byte{'N'}, std::byte{'A'}, std::byte{'P'}};
inline constexpr std::size_t kSnapshotHeaderChecked = 48;  // bytes the header checksum covers
inline constexpr std::size_t kSnapshotPaddingOffset = 56;

struct SnapshotHeader {
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::uint64_t data_size = 0;
  std::uint64_t data_xxh3 = 0;
};

using SnapshotHeaderBytes = std::array<std::byte, kSnapshotHeaderBytes>;

// The header's bytes, header checksum and padding included.
SnapshotHeaderBytes encode_snapshot_header(const SnapshotHeader& header);

// Validates `bytes` (the file's first 4096 bytes) in this order: magic,
// format version, header checksum, header_bytes, zero padding.
// Errors: corrupted (naming `path` and what failed), including for fewer
//         than 4096 bytes.
[[nodiscard]] Result<SnapshotHeader> decode_snapshot_header(const std::filesystem::path& path,
                                                            std::span<const std::byte> bytes);

}  // namespace seglog::detail

// meta/kv_format.hpp — the bytes of stable.kv, pure functions, no I/O: the
// header, a record, and the reading of a whole image as KvFile::open judges
// it (docs/format-meta.md, "stable.kv"). KvFile (kv_file.hpp) and the
// seglog tool both read through here, so they cannot disagree.
#pragma once

#include <seglog/error.hpp>

#include "kv_args.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace seglog::detail {

inline constexpr std::string_view kKvFileName = "stable.kv";
inline constexpr std::size_t kKvHeaderBytes = 32;
inline constexpr std::size_t kKvRecordHeaderBytes = 16;
// The smallest preallocated file; a rewrite sizes the next one at four
// times its live records, so rewrites stay rare whatever the churn.
inline constexpr std::uint64_t kKvMinCapacity = 64 * 1024;

using KvBytes = std::vector<std::byte>;
using KvMap = std::map<KvBytes, KvBytes, KvKeyLess>;

// The record of (key, value) at `offset` of a file with `salt`, padded to
// 8 bytes (docs/format-meta.md, "stable.kv").
std::vector<std::byte> encode_kv_record(std::uint64_t salt, std::uint64_t offset,
                                        std::span<const std::byte> key,
                                        std::span<const std::byte> value);
std::uint64_t kv_record_bytes(std::size_t key_size, std::size_t value_size);
// How far past the last valid record a torn record can reach: one record
// of the largest key and value.
std::uint64_t kv_torn_reach();

// A whole file holding `values` (in key order) after a header with
// `salt`, zero-padded to its preallocated capacity (four times the live
// bytes, at least kKvMinCapacity): what a rewrite renames into place.
// `end` gets the offset after the last record.
std::vector<std::byte> encode_kv_file(const KvMap& values, std::uint64_t salt, std::uint64_t& end);

// A valid record inside an image (spans into it).
struct KvRecordView {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;  // padded size
  std::span<const std::byte> key;
  std::span<const std::byte> value;
};

// The valid record at `offset` of `file`, if one is there (sizes within
// bounds, inside the file, checksum seeded with salt XOR offset).
std::optional<KvRecordView> parse_kv_record(std::span<const std::byte> file, std::uint64_t salt,
                                            std::uint64_t offset);

// The salt of a header that checks out (magic, checksum, version, size).
std::optional<std::uint64_t> parse_kv_header(std::span<const std::byte> file);

// What KvFile::open finds after the valid records.
enum class KvTail {
  zeros,    // records, then zeros: a clean file
  torn,     // an interrupted set's torn record: open cuts it (zeroes `reach`)
  damaged,  // durable data after a damaged record: open fails (corrupted)
};

// A whole image read as KvFile::open reads it.
struct KvImage {
  std::uint64_t salt = 0;
  std::vector<KvRecordView> records;   // the valid records from offset 32, in order
  std::uint64_t end = kKvHeaderBytes;  // where they end
  KvTail tail = KvTail::zeros;
  std::uint64_t reach = 0;  // torn: the bytes from `end` that open zeroes
  // damaged: where durable data was found after the damage (a valid
  // record's offset, or the first non-zero byte beyond a torn record's
  // reach).
  std::uint64_t durable_at = 0;

  // The value of each key: the last record of a key wins.
  KvMap values() const;
};

// Reads `file`, an image of dir/stable.kv at `path` (for messages).
// Errors: corrupted (the header does not check out).
[[nodiscard]] Result<KvImage> read_kv_image(std::span<const std::byte> file,
                                            const std::filesystem::path& path);

}  // namespace seglog::detail

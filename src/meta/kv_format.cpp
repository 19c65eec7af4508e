// meta/kv_format.cpp — stable.kv's header and records, and the verdict on
// what follows the records (docs/format-meta.md, "stable.kv", Reading).
#include "meta/kv_format.hpp"

#include "meta/corrupted.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <string>

namespace seglog::detail {

namespace {

constexpr std::array<std::byte, 8> kKvMagic{std::byte{'S'}, std::byte{'E'}, std::byte{'G'},
                                            std::byte{'L'}, std::byte{'S'}, std::byte{'K'},
                                            std::byte{'V'}, std::byte{'1'}};
constexpr std::uint32_t kKvFormatVersion = 1;

void put_le(std::byte* out, std::uint64_t value, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(value >> (8 * i));
}

std::uint64_t get_le(const std::byte* in, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = size; i-- > 0;) value = value << 8 | std::to_integer<std::uint64_t>(in[i]);
  return value;
}

// Seeded with the salt and the record's own offset: a record is valid only
// where it was written, in the file it was written to (a remnant of an
// older, longer record under a newer one never reads as a record).
std::uint64_t record_checksum(std::uint64_t salt, std::uint64_t offset, const std::byte* from,
                              std::size_t size) {
  return XXH3_64bits_withSeed(from, size, salt ^ offset);
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

std::uint64_t kv_record_bytes(std::size_t key_size, std::size_t value_size) {
  return (kKvRecordHeaderBytes + key_size + value_size + 7) / 8 * 8;
}

std::uint64_t kv_torn_reach() { return kv_record_bytes(kMaxKvKeyBytes, kMaxKvValueBytes); }

std::vector<std::byte> encode_kv_record(std::uint64_t salt, std::uint64_t offset,
                                        std::span<const std::byte> key,
                                        std::span<const std::byte> value) {
  std::vector<std::byte> out(kv_record_bytes(key.size(), value.size()));
  put_le(out.data() + 8, key.size(), 4);
  put_le(out.data() + 12, value.size(), 4);
  std::copy(key.begin(), key.end(), out.begin() + kKvRecordHeaderBytes);
  std::copy(value.begin(), value.end(),
            out.begin() + static_cast<std::ptrdiff_t>(kKvRecordHeaderBytes + key.size()));
  put_le(out.data(), record_checksum(salt, offset, out.data() + 8, out.size() - 8), 8);
  return out;
}

std::vector<std::byte> encode_kv_file(const KvMap& values, std::uint64_t salt, std::uint64_t& end) {
  std::uint64_t live = 0;
  for (const auto& [key, value] : values) live += kv_record_bytes(key.size(), value.size());
  const std::uint64_t capacity =
      std::max<std::uint64_t>(kKvMinCapacity, (4 * (kKvHeaderBytes + live) + 4095) / 4096 * 4096);
  std::vector<std::byte> file(capacity);  // the zeros after the records included
  std::copy(kKvMagic.begin(), kKvMagic.end(), file.begin());
  put_le(file.data() + 8, kKvFormatVersion, 4);
  put_le(file.data() + 12, kKvHeaderBytes, 4);
  put_le(file.data() + 16, salt, 8);
  put_le(file.data() + 24, XXH3_64bits(file.data(), 24), 8);
  std::uint64_t offset = kKvHeaderBytes;
  for (const auto& [key, value] : values) {
    const auto record = encode_kv_record(salt, offset, key, value);
    std::copy(record.begin(), record.end(), file.begin() + static_cast<std::ptrdiff_t>(offset));
    offset += record.size();
  }
  end = offset;
  return file;
}

std::optional<KvRecordView> parse_kv_record(std::span<const std::byte> file, std::uint64_t salt,
                                            std::uint64_t offset) {
  if (offset + kKvRecordHeaderBytes > file.size()) return std::nullopt;
  const std::byte* at = file.data() + offset;
  const std::uint64_t key_size = get_le(at + 8, 4);
  const std::uint64_t value_size = get_le(at + 12, 4);
  if (key_size > kMaxKvKeyBytes || value_size > kMaxKvValueBytes) return std::nullopt;
  const std::uint64_t bytes = kv_record_bytes(key_size, value_size);
  if (bytes > file.size() - offset) return std::nullopt;
  if (get_le(at, 8) != record_checksum(salt, offset, at + 8, bytes - 8)) return std::nullopt;
  return KvRecordView{offset, bytes, file.subspan(offset + kKvRecordHeaderBytes, key_size),
                      file.subspan(offset + kKvRecordHeaderBytes + key_size, value_size)};
}

std::optional<std::uint64_t> parse_kv_header(std::span<const std::byte> file) {
  if (file.size() < kKvHeaderBytes || !std::equal(kKvMagic.begin(), kKvMagic.end(), file.begin()) ||
      get_le(file.data() + 24, 8) != XXH3_64bits(file.data(), 24) ||
      get_le(file.data() + 8, 4) != kKvFormatVersion ||
      get_le(file.data() + 12, 4) != kKvHeaderBytes) {
    return std::nullopt;
  }
  return get_le(file.data() + 16, 8);
}

KvMap KvImage::values() const {
  KvMap out;
  for (const KvRecordView& r : records) {
    out[KvBytes(r.key.begin(), r.key.end())].assign(r.value.begin(), r.value.end());
  }
  return out;
}

Result<KvImage> read_kv_image(std::span<const std::byte> file, const std::filesystem::path& path) {
  const auto salt = parse_kv_header(file);
  if (!salt) {
    return corrupted_file(path, "bad header (magic, checksum, version or size) at offset 0");
  }
  KvImage image;
  image.salt = *salt;
  std::uint64_t offset = kKvHeaderBytes;
  while (auto record = parse_kv_record(file, image.salt, offset)) {
    image.records.push_back(*record);
    offset += record->bytes;
  }
  image.end = offset;
  const std::span<const std::byte> tail = file.subspan(offset);
  if (all_zero(tail)) return image;
  // Every set syncs its record before the next one starts, so only the
  // last record can be torn, and nothing lies beyond one record's reach
  // of it. Anything else is damage in durable data.
  const std::uint64_t reach = std::min<std::uint64_t>(tail.size(), kv_torn_reach());
  const auto beyond = tail.subspan(reach);
  if (const auto nonzero =
          std::find_if(beyond.begin(), beyond.end(), [](std::byte b) { return b != std::byte{0}; });
      nonzero != beyond.end()) {
    image.tail = KvTail::damaged;
    image.durable_at = offset + reach + static_cast<std::uint64_t>(nonzero - beyond.begin());
  }
  for (std::uint64_t at = offset + 8; at < offset + reach; at += 8) {
    if (parse_kv_record(file, image.salt, at)) {
      image.tail = KvTail::damaged;
      image.durable_at = at;
      break;
    }
  }
  if (image.tail != KvTail::damaged) {
    image.tail = KvTail::torn;
    image.reach = reach;
  }
  return image;
}

}  // namespace seglog::detail

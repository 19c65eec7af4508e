// meta/kv_file.cpp — stable.kv: records, the open (last record wins, a torn
// tail cut), appends and rewrites (docs/format-meta.md, "stable.kv").
#include "meta/kv_file.hpp"

#include <seglog/storage.hpp>

#include "errors.hpp"
#include "io/file.hpp"
#include "meta/atomic_replace.hpp"
#include "meta/corrupted.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <random>
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

std::uint64_t random_salt() {
  std::random_device device;
  std::uint64_t salt = 0;
  while (salt == 0) salt = (std::uint64_t{device()} << 32) ^ device();
  return salt;
}

std::array<std::byte, kKvHeaderBytes> encode_header(std::uint64_t salt) {
  std::array<std::byte, kKvHeaderBytes> out{};
  std::copy(kKvMagic.begin(), kKvMagic.end(), out.begin());
  put_le(out.data() + 8, kKvFormatVersion, 4);
  put_le(out.data() + 12, kKvHeaderBytes, 4);
  put_le(out.data() + 16, salt, 8);
  put_le(out.data() + 24, XXH3_64bits(out.data(), 24), 8);
  return out;
}

// The record at `offset` of `file` if it is whole and valid: its key,
// value and size.
struct Parsed {
  std::span<const std::byte> key;
  std::span<const std::byte> value;
  std::uint64_t bytes = 0;
};
std::optional<Parsed> parse_record(std::span<const std::byte> file, std::uint64_t salt,
                                   std::uint64_t offset) {
  if (offset + kKvRecordHeaderBytes > file.size()) return std::nullopt;
  const std::byte* at = file.data() + offset;
  const std::uint64_t key_size = get_le(at + 8, 4);
  const std::uint64_t value_size = get_le(at + 12, 4);
  if (key_size > kMaxKvKeyBytes || value_size > kMaxKvValueBytes) return std::nullopt;
  const std::uint64_t bytes = kv_record_bytes(key_size, value_size);
  if (bytes > file.size() - offset) return std::nullopt;
  if (get_le(at, 8) != record_checksum(salt, offset, at + 8, bytes - 8)) return std::nullopt;
  return Parsed{file.subspan(offset + kKvRecordHeaderBytes, key_size),
                file.subspan(offset + kKvRecordHeaderBytes + key_size, value_size), bytes};
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

std::uint64_t kv_record_bytes(std::size_t key_size, std::size_t value_size) {
  return (kKvRecordHeaderBytes + key_size + value_size + 7) / 8 * 8;
}

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

Result<KvFile> KvFile::open(const std::filesystem::path& dir, bool writable) {
  KvFile kv;
  kv.dir_ = dir;
  const std::filesystem::path path = dir / kKvFileName;
  auto file = File::open(path, writable ? File::Mode::read_write : File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) return kv;
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  std::vector<std::byte> bytes(*size);
  if (auto read = file->read_at(0, bytes); !read) return read.error();
  if (bytes.size() < kKvHeaderBytes ||
      !std::equal(kKvMagic.begin(), kKvMagic.end(), bytes.begin()) ||
      get_le(bytes.data() + 24, 8) != XXH3_64bits(bytes.data(), 24) ||
      get_le(bytes.data() + 8, 4) != kKvFormatVersion ||
      get_le(bytes.data() + 12, 4) != kKvHeaderBytes) {
    return corrupted_file(path, "bad header (magic, checksum, version or size) at offset 0");
  }
  kv.salt_ = get_le(bytes.data() + 16, 8);
  std::uint64_t offset = kKvHeaderBytes;
  std::map<Bytes, std::uint64_t, KvKeyLess> record_size;  // of each key's live record
  while (auto record = parse_record(bytes, kv.salt_, offset)) {
    Bytes key(record->key.begin(), record->key.end());
    kv.values_[key].assign(record->value.begin(), record->value.end());
    record_size[std::move(key)] = record->bytes;
    offset += record->bytes;
  }
  const std::span<const std::byte> tail = std::span<const std::byte>(bytes).subspan(offset);
  if (!all_zero(tail)) {
    // Every set syncs its record before the next one starts, so only the
    // last record can be torn, and nothing lies beyond one record's reach
    // of it. Anything else is damage in durable data.
    const std::uint64_t reach =
        std::min<std::uint64_t>(tail.size(), kv_record_bytes(kMaxKvKeyBytes, kMaxKvValueBytes));
    bool durable_after = !all_zero(tail.subspan(reach));
    for (std::uint64_t at = offset + 8; !durable_after && at < offset + reach; at += 8) {
      durable_after = parse_record(bytes, kv.salt_, at).has_value();
    }
    if (durable_after) {
      return corrupted_file(path, "damaged record at offset " + std::to_string(offset) +
                                      " with records or data after it");
    }
    kv.torn_tail_cut_ = true;
    if (writable) {
      if (auto s = file->write_zeros(offset, reach); !s) return s.error();
      if (auto s = file->data_sync(); !s) return s.error();
    }
  }
  for (const auto& [key, size_bytes] : record_size) kv.live_bytes_ += size_bytes;
  kv.end_ = offset;
  kv.capacity_ = bytes.size();
  return kv;
}

std::optional<KvFile::Bytes> KvFile::get(std::span<const std::byte> key) const {
  const auto found = values_.find(Bytes(key.begin(), key.end()));
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

Status KvFile::set(std::span<const std::byte> key, std::span<const std::byte> value) {
  Bytes k(key.begin(), key.end());
  const std::uint64_t bytes = kv_record_bytes(key.size(), value.size());
  const auto old = values_.find(k);
  const std::uint64_t old_bytes =
      old == values_.end() ? 0 : kv_record_bytes(k.size(), old->second.size());
  if (end_ == 0 || must_rewrite_ || end_ + bytes > capacity_) {
    auto next = values_;
    next[k].assign(value.begin(), value.end());
    if (auto s = rewrite(next); !s) return s;
    values_ = std::move(next);
    return {};
  }
  // The append: one pwrite into zeroed, allocated space and one fdatasync,
  // which then has no metadata to write.
  const std::filesystem::path path = dir_ / kKvFileName;
  auto file = File::open(path, File::Mode::read_write);
  if (!file) return file.error();
  const auto record = encode_kv_record(salt_, end_, key, value);
  if (auto s = file->write_at(end_, record); !s) {
    must_rewrite_ = true;
    return s;
  }
  if (auto s = file->data_sync(); !s) {
    // The record may be on disk or not: never no_space (that says nothing
    // changed), and the next set starts a fresh file.
    must_rewrite_ = true;
    return replaced_not_durable(kKvFileName, s.error());
  }
  values_[std::move(k)].assign(value.begin(), value.end());
  end_ += bytes;
  live_bytes_ += bytes - old_bytes;
  return {};
}

Status KvFile::rewrite(const std::map<Bytes, Bytes, KvKeyLess>& values) {
  std::uint64_t live = 0;
  for (const auto& [key, value] : values) live += kv_record_bytes(key.size(), value.size());
  const std::uint64_t capacity =
      std::max<std::uint64_t>(kKvMinCapacity, (4 * (kKvHeaderBytes + live) + 4095) / 4096 * 4096);
  const std::uint64_t salt = random_salt();
  std::vector<std::byte> file(capacity);  // the zeros after the records included
  const auto header = encode_header(salt);
  std::copy(header.begin(), header.end(), file.begin());
  std::uint64_t offset = kKvHeaderBytes;
  for (const auto& [key, value] : values) {
    const auto record = encode_kv_record(salt, offset, key, value);
    std::copy(record.begin(), record.end(), file.begin() + static_cast<std::ptrdiff_t>(offset));
    offset += record.size();
  }
  // The whole file, written, synced and renamed over the old one.
  if (auto s = atomic_replace(dir_, kKvFileName, file); !s) {
    must_rewrite_ = true;
    return s;
  }
  salt_ = salt;
  end_ = offset;
  capacity_ = capacity;
  live_bytes_ = live;
  must_rewrite_ = false;
  ++rewrites_;
  return {};
}

}  // namespace seglog::detail

// meta/kv_file.cpp — stable.kv as a store: the open (last record wins, a
// torn tail cut; the reading itself is kv_format's), appends and rewrites
// (docs/format-meta.md, "stable.kv").
#include "meta/kv_file.hpp"

#include <seglog/storage.hpp>

#include "errors.hpp"
#include "io/file.hpp"
#include "meta/atomic_replace.hpp"
#include "meta/corrupted.hpp"

#include <random>
#include <string>

namespace seglog::detail {

std::uint64_t random_kv_salt() {
  std::random_device device;
  std::uint64_t salt = 0;
  while (salt == 0) salt = (std::uint64_t{device()} << 32) ^ device();
  return salt;
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
  auto image = read_kv_image(bytes, path);
  if (!image) return image.error();
  if (image->tail == KvTail::damaged) {
    return corrupted_file(path, "damaged record at offset " + std::to_string(image->end) +
                                    " with records or data after it (at offset " +
                                    std::to_string(image->durable_at) + ")");
  }
  kv.salt_ = image->salt;
  std::map<Bytes, std::uint64_t, KvKeyLess> record_size;  // of each key's live record
  for (const KvRecordView& record : image->records) {
    Bytes key(record.key.begin(), record.key.end());
    kv.values_[key].assign(record.value.begin(), record.value.end());
    record_size[std::move(key)] = record.bytes;
  }
  if (image->tail == KvTail::torn) {
    kv.torn_tail_cut_ = true;
    if (writable) {
      if (auto s = file->write_zeros(image->end, image->reach); !s) return s.error();
      if (auto s = file->data_sync(); !s) return s.error();
    }
  }
  for (const auto& [key, size_bytes] : record_size) kv.live_bytes_ += size_bytes;
  kv.end_ = image->end;
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

Status KvFile::rewrite(const KvMap& values) {
  const std::uint64_t salt = random_kv_salt();
  std::uint64_t offset = 0;
  const std::vector<std::byte> file = encode_kv_file(values, salt, offset);
  // The whole file, written, synced and renamed over the old one.
  if (auto s = atomic_replace(dir_, kKvFileName, file); !s) {
    must_rewrite_ = true;
    return s;
  }
  salt_ = salt;
  end_ = offset;
  capacity_ = file.size();
  live_bytes_ = offset - kKvHeaderBytes;
  must_rewrite_ = false;
  ++rewrites_;
  return {};
}

}  // namespace seglog::detail

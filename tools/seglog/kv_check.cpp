// tools/seglog/kv_check.cpp — stable.kv through src/meta/kv_format (the
// reading KvFile::open makes), and the salvage of a damaged one.
#include "kv_check.hpp"

#include "human_format.hpp"
#include "io/file.hpp"

#include <algorithm>

namespace seglog::tool {

namespace {

using detail::KvBytes;

std::uint64_t le_at(std::span<const std::byte> bytes, std::uint64_t at, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = size; i-- > 0;) {
    value = value << 8 | std::to_integer<std::uint64_t>(bytes[at + i]);
  }
  return value;
}

bool zero_from(std::span<const std::byte> bytes, std::uint64_t from, std::uint64_t to) {
  return std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                     bytes.begin() + static_cast<std::ptrdiff_t>(to),
                     [](std::byte b) { return b == std::byte{0}; });
}

// The end of the non-zero bytes in [from, to), rounded up to 8.
std::uint64_t data_end_in(std::span<const std::byte> bytes, std::uint64_t from, std::uint64_t to) {
  std::uint64_t end = to;
  while (end > from && bytes[end - 1] == std::byte{0}) --end;
  return std::min(to, (end + 7) / 8 * 8);
}

// The key a damaged record at `offset` seems to hold: its sizes within
// bounds and its key inside the gap up to `next`.
std::optional<KvBytes> key_in(std::span<const std::byte> bytes, std::uint64_t offset,
                              std::uint64_t next) {
  if (offset + detail::kKvRecordHeaderBytes > next) return std::nullopt;
  const std::uint64_t key_size = le_at(bytes, offset + 8, 4);
  const std::uint64_t value_size = le_at(bytes, offset + 12, 4);
  if (key_size > kMaxKvKeyBytes || value_size > kMaxKvValueBytes ||
      offset + detail::kKvRecordHeaderBytes + key_size > next) {
    return std::nullopt;
  }
  const auto key = bytes.subspan(offset + detail::kKvRecordHeaderBytes, key_size);
  return KvBytes(key.begin(), key.end());
}

// Every record that checks out with `salt`, at any 8-aligned offset, in
// file order (later records win, as in the file), and the stretches of
// non-zero bytes between them. A record is valid only at the offset it was
// written for (the checksum is seeded with it), so a record found past
// damage is a record that was written there, never a remnant.
void salvage(std::span<const std::byte> bytes, std::uint64_t salt, KvReport& out) {
  std::vector<std::pair<std::uint64_t, KvBytes>> last_at;  // key's last kept record
  std::uint64_t pos = detail::kKvHeaderBytes;
  while (pos + detail::kKvRecordHeaderBytes <= bytes.size()) {
    if (const auto record = detail::parse_kv_record(bytes, salt, pos)) {
      out.values[KvBytes(record->key.begin(), record->key.end())].assign(record->value.begin(),
                                                                         record->value.end());
      last_at.emplace_back(pos, KvBytes(record->key.begin(), record->key.end()));
      ++out.records;
      pos += record->bytes;
      continue;
    }
    if (zero_from(bytes, pos, bytes.size())) break;
    std::uint64_t next = pos + 8;
    while (next + detail::kKvRecordHeaderBytes <= bytes.size() &&
           !detail::parse_kv_record(bytes, salt, next)) {
      next += 8;
    }
    if (next + detail::kKvRecordHeaderBytes > bytes.size()) next = bytes.size();
    // The lost bytes: from the first non-zero one (a record begins at an
    // 8-aligned offset) to the last. Only a record that begins right where
    // the previous one ends can be a damaged set's, with its key readable.
    std::uint64_t from = pos;
    while (from < next && bytes[from] == std::byte{0}) ++from;
    from = from / 8 * 8;
    const std::uint64_t end = data_end_in(bytes, from, next);
    if (end > from) {
      out.lost.push_back({from, end, from == pos ? key_in(bytes, pos, next) : std::nullopt,
                          KvLoss::Kept::unknown});
    }
    pos = next;
  }
  for (KvLoss& loss : out.lost) {
    if (!loss.key) continue;
    loss.kept = out.values.contains(*loss.key) ? KvLoss::Kept::older : KvLoss::Kept::none;
    for (const auto& [at, key] : last_at) {
      if (at > loss.offset && key == *loss.key) loss.kept = KvLoss::Kept::newer;
    }
  }
}

}  // namespace

std::string describe(const KvLoss& loss) {
  std::string out = "bytes " + std::to_string(loss.offset) + ".." + std::to_string(loss.end);
  if (!loss.key) return out + ": a record of an unknown key (any key's value may be older)";
  out += ": a record of key \"" + escaped_text(*loss.key) + "\" (read from the damaged bytes)";
  switch (loss.kept) {
    case KvLoss::Kept::newer:
      return out + ", superseded by a newer intact record: nothing lost";
    case KvLoss::Kept::older:
      return out + ": its newest value is lost, an older one is kept";
    case KvLoss::Kept::none:
      return out + ": the key is lost (no intact record of it)";
    case KvLoss::Kept::unknown:
      break;
  }
  return out;
}

Result<std::optional<KvReport>> check_kv(const std::filesystem::path& dir, Findings& findings) {
  const std::string name(detail::kKvFileName);
  const std::filesystem::path path = dir / name;
  auto file = detail::File::open(path, detail::File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) return std::optional<KvReport>();
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  std::vector<std::byte> bytes(*size);
  auto got = file->read_upto(0, bytes);
  if (!got) return got.error();
  bytes.resize(*got);  // a rewrite renamed a shorter file in meanwhile: this one is read whole
  KvReport out;
  out.file_bytes = bytes.size();
  auto image = detail::read_kv_image(bytes, path);
  if (image && image->tail != detail::KvTail::damaged) {
    out.values = image->values();
    out.records = image->records.size();
    out.used_bytes = image->end;
    out.tail = image->tail;
    if (image->tail == detail::KvTail::torn) {
      findings.warning("kv_torn_tail", name,
                       "a torn record after the last valid one (an interrupted set_value); the "
                       "store's next writable open zeroes it (" +
                           std::to_string(image->reach) + " bytes)",
                       image->end);
    }
    return std::optional<KvReport>(std::move(out));
  }
  // Damaged: open fails on it. The header's salt field seeds every record's
  // checksum; records that check out with it prove it right even when
  // another header field is damaged.
  out.header_damaged = !image;
  out.tail = image ? detail::KvTail::damaged : detail::KvTail::zeros;
  out.used_bytes = image ? image->end : 0;
  if (image) {
    findings.damage("kv_file", name,
                    "a damaged record with durable data after it (at offset " +
                        std::to_string(image->durable_at) +
                        "): every get_value and set_value fails (corrupted)",
                    image->end);
  } else {
    findings.damage("kv_file", name,
                    "bad header (magic, checksum, version or size): every get_value and "
                    "set_value fails (corrupted)",
                    0);
  }
  if (bytes.size() >= 24) {
    const std::uint64_t salt = le_at(bytes, 16, 8);
    salvage(bytes, salt, out);
    if (out.records > 0 || !out.header_damaged) out.salt = salt;
  }
  if (!out.salt) {
    out.values.clear();
    out.lost.assign(1, KvLoss{0, bytes.size(), std::nullopt, KvLoss::Kept::unknown});
  }
  return std::optional<KvReport>(std::move(out));
}

}  // namespace seglog::tool

// format/segment_header.cpp — encoding of the segment header page.
#include "format/segment_header.hpp"

#include "format/checksum.hpp"
#include "format/endian.hpp"

#include <cstring>

namespace seglog::detail {
namespace {

constexpr char kMagic[8] = {'S', 'E', 'G', 'L', 'O', 'G', 'S', '1'};

}  // namespace

void encode_identity(std::byte* out, const SegmentIdentity& id) noexcept {
  std::memset(out, 0, kIdentityBytes);
  std::memcpy(out, kMagic, 8);
  store_le<std::uint32_t>(out + 8, kSegmentFormatVersion);
  store_le<std::uint32_t>(out + 12, static_cast<std::uint32_t>(kSegmentHeaderBytes));
  store_le<std::uint64_t>(out + 16, id.first_index);
  store_le<std::uint64_t>(out + 24, id.salt);
  store_le<std::uint64_t>(out + 32, id.capacity);
  store_le<std::uint32_t>(out + 40, id.index_interval_bytes);
  store_le<std::uint64_t>(out + 56, checksum(out, 56, 0));
}

std::optional<SegmentIdentity> decode_identity(const std::byte* in) noexcept {
  if (std::memcmp(in, kMagic, 8) != 0) return std::nullopt;
  if (load_le<std::uint64_t>(in + 56) != checksum(in, 56, 0)) return std::nullopt;
  if (load_le<std::uint32_t>(in + 8) != kSegmentFormatVersion) return std::nullopt;
  if (load_le<std::uint32_t>(in + 12) != kSegmentHeaderBytes) return std::nullopt;
  SegmentIdentity id;
  id.first_index = load_le<std::uint64_t>(in + 16);
  id.salt = load_le<std::uint64_t>(in + 24);
  id.capacity = load_le<std::uint64_t>(in + 32);
  id.index_interval_bytes = load_le<std::uint32_t>(in + 40);
  // Sizes a reader will allocate by must be sane even under a valid
  // checksum (a crafted file): capacity within [header, 8 GiB], a nonzero
  // interval.
  if (id.capacity < kSegmentHeaderBytes || id.capacity > (8ull << 30) ||
      id.index_interval_bytes == 0) {
    return std::nullopt;
  }
  return id;
}

void encode_state(std::byte* out, const SegmentState& s, std::uint64_t salt) noexcept {
  store_le<std::uint64_t>(out + 0, s.sequence);
  store_le<std::uint64_t>(out + 8, s.synced_end);
  store_le<std::uint64_t>(out + 16, s.start_index);
  store_le<std::uint64_t>(out + 24, s.end_offset);
  store_le<std::uint64_t>(out + 32, s.last_index);
  store_le<std::uint64_t>(out + 40, s.footer_offset);
  store_le<std::uint32_t>(out + 48, s.point_count);
  store_le<std::uint32_t>(out + 52, s.sealed ? 1u : 0u);
  store_le<std::uint64_t>(out + 56, checksum(out, 56, salt));
}

std::optional<SegmentState> decode_state(const std::byte* in, std::uint64_t salt) noexcept {
  SegmentState s;
  s.sequence = load_le<std::uint64_t>(in + 0);
  if (s.sequence == 0) return std::nullopt;  // never written
  if (load_le<std::uint64_t>(in + 56) != checksum(in, 56, salt)) return std::nullopt;
  const auto flags = load_le<std::uint32_t>(in + 52);
  if ((flags & ~1u) != 0) return std::nullopt;
  s.synced_end = load_le<std::uint64_t>(in + 8);
  s.start_index = load_le<std::uint64_t>(in + 16);
  s.end_offset = load_le<std::uint64_t>(in + 24);
  s.last_index = load_le<std::uint64_t>(in + 32);
  s.footer_offset = load_le<std::uint64_t>(in + 40);
  s.point_count = load_le<std::uint32_t>(in + 48);
  s.sealed = (flags & 1u) != 0;
  return s;
}

std::optional<SegmentState> current_state(const std::byte* page, std::uint64_t salt) noexcept {
  std::optional<SegmentState> best;
  for (std::uint64_t offset : kSlotOffsets) {
    auto s = decode_state(page + offset, salt);
    if (s && (!best || s->sequence > best->sequence)) best = s;
  }
  return best;
}

namespace {

// The first non-zero byte of [begin, end), or end. Eight bytes at a time:
// open checks the header page of every segment, and a byte loop over it
// cost more than the rest of opening a sealed segment.
std::uint64_t first_nonzero(const std::byte* page, std::uint64_t begin,
                            std::uint64_t end) noexcept {
  std::uint64_t pos = begin;
  for (; pos + 8 <= end; pos += 8) {
    std::uint64_t word;
    std::memcpy(&word, page + pos, sizeof word);
    if (word != 0) break;
  }
  for (; pos < end; ++pos) {
    if (page[pos] != std::byte{0}) return pos;
  }
  return end;
}

}  // namespace

std::optional<std::uint64_t> reserved_byte_set(const std::byte* page) noexcept {
  // The bytes outside the identity and the two slots.
  const std::uint64_t reserved[3][2] = {{kIdentityBytes, kSlotOffsets[0]},
                                        {kSlotOffsets[0] + kSlotBytes, kSlotOffsets[1]},
                                        {kSlotOffsets[1] + kSlotBytes, kSegmentHeaderBytes}};
  for (const auto& [begin, end] : reserved) {
    if (const std::uint64_t at = first_nonzero(page, begin, end); at != end) return at;
  }
  return std::nullopt;
}

std::uint64_t next_slot_offset(std::uint64_t sequence) noexcept {
  return kSlotOffsets[sequence % 2];
}

}  // namespace seglog::detail

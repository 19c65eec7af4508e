// fuzz/segment_checksums.hpp — recomputes every checksum of a segment file
// in place, so a fuzzer can reach the checks that lie behind them.
//
// Random bytes almost never carry a valid XXH3, so on raw input a fuzzer
// only ever meets the checksum checks. Crafted files (valid checksums over
// nonsense: huge offsets, wrapping counts, overlapping footers) are what
// the structural checks exist for, and this is how a target makes them.
#pragma once

#include "format/checksum.hpp"
#include "format/endian.hpp"
#include "format/record.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace seglog::fuzz {

// Fixes, in this order (later checksums depend on the salt only): the
// identity block, both state slots, every record walked from the header
// page while its size field is in bounds, and the footer that each sealed
// slot points at when it lies inside the file.
inline void fix_segment_checksums(std::span<std::byte> file) {
  using namespace seglog::detail;
  const std::uint64_t size = file.size();
  std::byte* bytes = file.data();
  if (size < kIdentityBytes) return;
  store_le<std::uint64_t>(bytes + 56, checksum(bytes, 56, 0));
  const auto salt = load_le<std::uint64_t>(bytes + 24);

  for (const std::uint64_t slot : kSlotOffsets) {
    if (slot + kSlotBytes > size) continue;
    store_le<std::uint64_t>(bytes + slot + 56, checksum(bytes + slot, 56, salt));
  }

  std::uint64_t offset = kSegmentHeaderBytes;
  while (offset + kRecordHeaderBytes <= size) {
    const auto record_size = load_le<std::uint32_t>(bytes + offset + 8);
    const std::uint64_t padded = align_up(record_size, kRecordAlignment);
    if (record_size < kRecordHeaderBytes || padded > size - offset) break;
    store_le<std::uint64_t>(bytes + offset, checksum(bytes + offset + 8, record_size - 8, salt));
    offset += padded;
  }

  for (const std::uint64_t slot : kSlotOffsets) {
    if (slot + kSlotBytes > size) continue;
    auto state = decode_state(bytes + slot, salt);
    if (!state || !state->sealed || state->footer_offset > size) continue;
    const std::uint64_t room = size - state->footer_offset;
    if (room < 8 || state->point_count > (room - 8) / 8) continue;
    std::byte* footer = bytes + state->footer_offset;
    store_le<std::uint64_t>(footer + state->point_count * 8,
                            checksum(footer, state->point_count * 8, salt));
  }
}

}  // namespace seglog::fuzz

// fuzz/fuzz_segment_header.cpp — libFuzzer target: the decoders of a
// segment's header page (identity block, two state slots, current state)
// and of its footer (format/segment_header.hpp, format/segment_footer.hpp;
// docs/reliability.md, "Fuzzing").
//
// Input: the start of a segment file. Its first 4096 bytes (zero-padded
// when shorter) are the header page; a sealed current state's footer is
// looked up where the state says, and the bytes after the page are also
// tried as a footer whole. Invariants: no read outside the input (ASan);
// what decodes encodes back to the same bytes (a state slot is canonical
// in all 64 bytes, an identity in all but its reserved bytes); the current
// state is the valid slot with the higher sequence; a valid footer's
// points encode back to the same bytes. Each input is tried as is and with
// every checksum recomputed (segment_checksums.hpp).
#include "format/endian.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"
#include "fuzz_support.hpp"
#include "segment_checksums.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

using namespace seglog::detail;

namespace {

// Checks the footer of `count` points at `in` (footer_bytes(count) bytes,
// all inside the input) against `salt`.
void check_footer(const std::byte* in, std::uint64_t count, std::uint64_t salt) {
  if (!footer_valid(in, count, salt)) return;
  std::vector<SparsePoint> points(count);
  for (std::uint64_t i = 0; i < count; ++i) points[i] = footer_point(in, i);
  std::vector<std::byte> again(footer_bytes(count));
  encode_footer(again.data(), points.data(), count, salt);
  SEGLOG_FUZZ_CHECK(std::memcmp(again.data(), in, again.size()) == 0);
}

std::optional<SegmentIdentity> check_identity(const std::byte* page) {
  auto identity = decode_identity(page);
  if (!identity) return std::nullopt;
  std::array<std::byte, kIdentityBytes> again{};
  encode_identity(again.data(), *identity);
  SEGLOG_FUZZ_CHECK(std::memcmp(again.data(), page, 44) == 0);  // up to the reserved bytes
  auto decoded_again = decode_identity(again.data());
  SEGLOG_FUZZ_CHECK(decoded_again);
  SEGLOG_FUZZ_CHECK(decoded_again->first_index == identity->first_index &&
                    decoded_again->salt == identity->salt &&
                    decoded_again->capacity == identity->capacity &&
                    decoded_again->index_interval_bytes == identity->index_interval_bytes);
  return identity;
}

std::optional<SegmentState> check_slots(const std::byte* page, std::uint64_t salt) {
  std::optional<SegmentState> best;
  for (const std::uint64_t offset : kSlotOffsets) {
    auto state = decode_state(page + offset, salt);
    if (!state) continue;
    std::array<std::byte, kSlotBytes> again{};
    encode_state(again.data(), *state, salt);
    SEGLOG_FUZZ_CHECK(std::memcmp(again.data(), page + offset, kSlotBytes) == 0);
    SEGLOG_FUZZ_CHECK(next_slot_offset(state->sequence) != next_slot_offset(state->sequence + 1));
    if (!best || state->sequence > best->sequence) best = state;
  }
  auto current = current_state(page, salt);
  SEGLOG_FUZZ_CHECK(current.has_value() == best.has_value());
  if (current) SEGLOG_FUZZ_CHECK(*current == *best);
  return current;
}

void check_file(const std::vector<std::byte>& file) {
  const std::byte* page = file.data();
  auto identity = check_identity(page);
  // Without a valid identity, the raw salt field still lets the slots and
  // the footer be exercised.
  const std::uint64_t salt = identity ? identity->salt : load_le<std::uint64_t>(page + 24);
  auto state = check_slots(page, salt);

  const std::uint64_t length = file.size();
  if (state && state->sealed && state->footer_offset <= length &&
      state->point_count <= (length - state->footer_offset) / 8 &&
      footer_bytes(state->point_count) <= length - state->footer_offset) {
    check_footer(page + state->footer_offset, state->point_count, salt);
  }
  if (length >= kSegmentHeaderBytes + 8) {
    check_footer(page + kSegmentHeaderBytes, (length - kSegmentHeaderBytes - 8) / 8, salt);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Exactly the input's bytes (or one zero-padded page): ASan catches any
  // decoder reading past them.
  std::vector<std::byte> file(std::max<std::size_t>(size, kSegmentHeaderBytes));
  if (size > 0) std::memcpy(file.data(), data, size);
  check_file(file);
  // Again with valid checksums, to reach the checks behind them.
  seglog::fuzz::fix_segment_checksums(file);
  check_file(file);
  return 0;
}

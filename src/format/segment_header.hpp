// format/segment_header.hpp — the first page of a segment file: an
// immutable identity block and two alternating state slots
// (docs/format.md, "Segment header"). Pure functions, no I/O.
//
//   offset 0     identity: magic, version, first index, salt, capacity
//   offset 512   state slot A  } the valid slot with the higher sequence
//   offset 1024  state slot B  } number wins; a torn write spoils one only
//   offset 4096  first record
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace seglog::detail {

inline constexpr std::uint64_t kSegmentHeaderBytes = 4096;
inline constexpr std::uint64_t kIdentityBytes = 64;
inline constexpr std::uint64_t kSlotBytes = 64;
inline constexpr std::uint64_t kSlotOffsets[2] = {512, 1024};
inline constexpr std::uint32_t kSegmentFormatVersion = 1;

struct SegmentIdentity {
  std::uint64_t first_index = 0;  // index of the first record (= file name)
  std::uint64_t salt = 0;         // random; seeds every checksum in the file
  std::uint64_t capacity = 0;     // file size when created
  std::uint32_t index_interval_bytes = 0;
};

// What a segment durably says about its records. Written in place (only
// the header page: never over record bytes a reader may hold).
struct SegmentState {
  std::uint64_t sequence = 0;       // higher wins
  std::uint64_t synced_end = 0;     // records below this offset were synced
  std::uint64_t start_index = 0;    // truncate_before: first kept index (0: none)
  std::uint64_t end_offset = 0;     // truncate_after / seal: end of kept records (0: none)
  std::uint64_t last_index = 0;     // sealed: last kept index
  std::uint64_t footer_offset = 0;  // sealed: offset of the sparse-index footer
  std::uint32_t point_count = 0;    // sealed: sparse points in the footer
  bool sealed = false;

  friend bool operator==(const SegmentState&, const SegmentState&) = default;
};

void encode_identity(std::byte* out, const SegmentIdentity& identity) noexcept;
// nullopt when magic, version or checksum do not match.
std::optional<SegmentIdentity> decode_identity(const std::byte* in) noexcept;

void encode_state(std::byte* out, const SegmentState& state, std::uint64_t salt) noexcept;
std::optional<SegmentState> decode_state(const std::byte* in, std::uint64_t salt) noexcept;

// The current state of a header page: the valid slot with the higher
// sequence; nullopt when neither slot is valid (never written, or both torn).
std::optional<SegmentState> current_state(const std::byte* header_page,
                                          std::uint64_t salt) noexcept;
// Where the next state must be written: over the older (or invalid) slot.
std::uint64_t next_slot_offset(std::uint64_t sequence) noexcept;

// The offset of the first non-zero byte of the header page outside the
// identity block and the two slots (bytes no writer ever sets), or
// nullopt when they are all zero: a flipped bit there is damage too.
std::optional<std::uint64_t> reserved_byte_set(const std::byte* page) noexcept;

}  // namespace seglog::detail

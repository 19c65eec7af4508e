// entry_payload.hpp — the payload of an entry to append, of either kind
// (LogEntry, EntryRef): what lets the two append_entries overloads share one
// code path in each storage (docs/design.md, "Append and roll").
#pragma once

#include <seglog/entry.hpp>

#include <cstddef>
#include <span>

namespace seglog::detail {

inline std::span<const std::byte> payload_of(const LogEntry& e) noexcept { return e.data; }
inline std::span<const std::byte> payload_of(const EntryRef& e) noexcept { return e.data; }

// The entry as a view of its caller's bytes (no copy).
inline EntryRef ref_of(const LogEntry& e) noexcept { return {e.index, e.term, e.type, e.data}; }
inline EntryRef ref_of(const EntryRef& e) noexcept { return e; }

}  // namespace seglog::detail

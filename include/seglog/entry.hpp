// seglog/entry.hpp — a log entry (owning), an entry to append from memory
// the caller owns (EntryRef), and a zero-copy view of a stored entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace seglog {

namespace detail {
struct EntryViewCursor;  // re-points a view for Storage::visit_entries
}

// One Raft log entry. `type` is opaque to seglog.
struct LogEntry {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint8_t type = 0;
  std::vector<std::byte> data;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

// One Raft log entry to append, its payload in memory the caller owns
// (an engine's buffer, a cgo pointer): Storage::append_entries copies it
// once, straight into the log. `data` must stay valid during the call only.
struct EntryRef {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint8_t type = 0;
  std::span<const std::byte> data;
};

// A zero-copy view of a stored entry. It keeps the bytes it points into
// mapped and unchanged for as long as it (or a copy of it) exists, whatever
// the writer does meanwhile (truncations and compaction included).
// Copyable and movable; cheap to copy (one reference count). The view
// Storage::visit_entries passes is valid during the visitor's call only
// (it is re-pointed at the next entry afterwards); a copy of it is a view
// like any other.
class EntryView {
 public:
  EntryView() = default;
  EntryView(std::uint64_t index, std::uint64_t term, std::uint8_t type,
            std::span<const std::byte> data, std::shared_ptr<const void> pin)
      : index_(index), term_(term), type_(type), data_(data), pin_(std::move(pin)) {}

  std::uint64_t index() const noexcept { return index_; }
  std::uint64_t term() const noexcept { return term_; }
  std::uint8_t type() const noexcept { return type_; }
  std::span<const std::byte> data() const noexcept { return data_; }

  // An owning copy of the entry.
  LogEntry to_entry() const {
    // Assigned, not constructed in the aggregate: g++ 12 at -O3 reported
    // the temporary's vector freed "with nonzero offset"
    // (-Wfree-nonheap-object) in every caller that compares the copy in a
    // visit_entries lambda: a g++ 12 false positive.
    LogEntry entry{index_, term_, type_, {}};
    entry.data.assign(data_.begin(), data_.end());
    return entry;
  }

 private:
  // Only visit_entries re-points a view, so that a range shares one pin
  // (one reference count per segment, none per entry).
  friend struct detail::EntryViewCursor;

  std::uint64_t index_ = 0;
  std::uint64_t term_ = 0;
  std::uint8_t type_ = 0;
  std::span<const std::byte> data_;
  std::shared_ptr<const void> pin_;  // owner of the memory data_ points into
};

}  // namespace seglog

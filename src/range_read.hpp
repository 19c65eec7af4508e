// range_read.hpp — what the facades' range reads (get_entries,
// visit_entries) share: the byte budget, and the cursor that hands one
// EntryView to the visitor for entry after entry (storage.hpp).
#pragma once

#include <seglog/entry.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>

namespace seglog::detail {

// max_bytes of a range read: entries are taken while their payload total
// stays within it, and the first one always.
class ByteBudget {
 public:
  explicit ByteBudget(std::uint64_t max_bytes) noexcept : max_(max_bytes) {}

  // True when an entry of `bytes` is taken (and counted).
  bool admit(std::uint64_t bytes) noexcept {
    if (taken_ && (total_ > max_ || bytes > max_ - total_)) return false;
    taken_ = true;
    total_ += bytes;
    return true;
  }

 private:
  std::uint64_t max_;
  std::uint64_t total_ = 0;
  bool taken_ = false;
};

// The view stays one object: it keeps its pin (set once per segment or
// chunk) and only its fields are re-pointed, so a range costs no reference
// count per entry. A copy the visitor makes is an ordinary view sharing
// that pin (include/seglog/entry.hpp).
struct EntryViewCursor {
  // Makes `view` keep `owner` alive; a no-op when it already pins it.
  template <class Owner>
  static void pin(EntryView& view, const std::shared_ptr<Owner>& owner) {
    if (view.pin_.get() != static_cast<const void*>(owner.get())) view.pin_ = owner;
  }

  // Points `view` at one entry whose bytes its pin keeps alive.
  static void point(EntryView& view, std::uint64_t index, std::uint64_t term, std::uint8_t type,
                    std::span<const std::byte> data) noexcept {
    view.index_ = index;
    view.term_ = term;
    view.type_ = type;
    view.data_ = data;
  }
};

}  // namespace seglog::detail

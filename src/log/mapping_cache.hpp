// log/mapping_cache.hpp — the bound on mapped sealed segments
// (Options::max_mapped_segments): the oldest mapping is dropped when a new
// one would exceed it. Views that pin a dropped mapping keep it alive until
// they go (design.md, "Memory"). A mapping is dropped only with the log's
// table lock held exclusively, so readers copy one without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace seglog::detail {

class Segment;

class MappedFile;

class MappingCache {
 public:
  explicit MappingCache(std::uint32_t max_mapped) : max_mapped_(max_mapped) {}

  // Records that `segment` was just mapped; the oldest others beyond the
  // bound become victims. Thread-safe. Must not be called with the
  // segment's mapping lock held.
  void note_mapped(const std::shared_ptr<Segment>& segment);
  // True when victims wait for drop_victims (one load: readers check it).
  bool has_victims() const noexcept { return has_victims_.load(std::memory_order_acquire); }
  // Drops the victims' mappings and hands them back, to be released
  // (unmapped) by the caller after it lets go of the lock. Call with the
  // log's table lock held exclusively: readers copy a segment's mapping
  // without a lock while they hold it shared (Segment::pin_shared).
  [[nodiscard]] std::vector<std::shared_ptr<const MappedFile>> drop_victims();
  // Makes every mapping a victim (close); drop_victims drops them.
  void evict_all();
  std::uint64_t size() const;

 private:
  const std::uint32_t max_mapped_;
  mutable std::mutex mu_;
  std::deque<std::weak_ptr<Segment>> order_;  // oldest first
  std::vector<std::weak_ptr<Segment>> victims_;
  std::atomic<bool> has_victims_{false};
};

}  // namespace seglog::detail

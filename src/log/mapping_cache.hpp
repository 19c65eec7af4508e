// log/mapping_cache.hpp — the bound on mapped sealed segments
// (Options::max_mapped_segments): the oldest mapping is dropped when a new
// one would exceed it. Views that pin a dropped mapping keep it alive until
// they go (design.md, "Memory").
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace seglog::detail {

class Segment;

class MappingCache {
 public:
  explicit MappingCache(std::uint32_t max_mapped) : max_mapped_(max_mapped) {}

  // Records that `segment` was just mapped; drops the oldest others beyond
  // the bound. Thread-safe. Must not be called with the segment's mapping
  // lock held.
  void note_mapped(const std::shared_ptr<Segment>& segment);
  // Forgets every mapping (close).
  void clear();
  std::uint64_t size() const;

 private:
  const std::uint32_t max_mapped_;
  mutable std::mutex mu_;
  std::deque<std::weak_ptr<Segment>> order_;  // oldest first
};

}  // namespace seglog::detail

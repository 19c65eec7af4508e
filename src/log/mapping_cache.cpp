// log/mapping_cache.cpp — FIFO eviction of sealed segments' mappings.
#include "log/mapping_cache.hpp"

#include "log/segment.hpp"

#include <vector>

namespace seglog::detail {

void MappingCache::note_mapped(const std::shared_ptr<Segment>& segment) {
  std::lock_guard lock(mu_);
  order_.push_back(segment);
  while (order_.size() > max_mapped_) {
    std::weak_ptr<Segment> victim = std::move(order_.front());
    order_.pop_front();
    if (victim.lock() != segment) victims_.push_back(std::move(victim));
  }
  if (!victims_.empty()) has_victims_.store(true, std::memory_order_release);
}

std::vector<std::shared_ptr<const MappedFile>> MappingCache::drop_victims() {
  std::vector<std::weak_ptr<Segment>> victims;
  {
    std::lock_guard lock(mu_);
    victims.swap(victims_);
    has_victims_.store(false, std::memory_order_release);
  }
  std::vector<std::shared_ptr<const MappedFile>> dropped;
  for (auto& weak : victims) {
    if (auto victim = weak.lock()) {
      if (auto map = victim->drop_mapping()) dropped.push_back(std::move(map));
    }
  }
  return dropped;
}

void MappingCache::evict_all() {
  std::lock_guard lock(mu_);
  for (auto& weak : order_) victims_.push_back(std::move(weak));
  order_.clear();
  if (!victims_.empty()) has_victims_.store(true, std::memory_order_release);
}

std::uint64_t MappingCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace seglog::detail

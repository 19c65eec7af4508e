// log/mapping_cache.cpp — FIFO eviction of sealed segments' mappings.
#include "log/mapping_cache.hpp"

#include "log/segment.hpp"

#include <vector>

namespace seglog::detail {

void MappingCache::note_mapped(const std::shared_ptr<Segment>& segment) {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    std::lock_guard lock(mu_);
    order_.push_back(segment);
    while (order_.size() > max_mapped_) {
      auto victim = order_.front().lock();
      order_.pop_front();
      if (victim && victim != segment) victims.push_back(std::move(victim));
    }
  }
  // Outside the cache lock: a victim's drop takes its own mapping lock.
  for (auto& victim : victims) victim->drop_mapping();
}

void MappingCache::clear() {
  std::deque<std::weak_ptr<Segment>> order;
  {
    std::lock_guard lock(mu_);
    order.swap(order_);
  }
  for (auto& weak : order) {
    if (auto segment = weak.lock()) segment->drop_mapping();
  }
}

std::uint64_t MappingCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace seglog::detail

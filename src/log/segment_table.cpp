// log/segment_table.cpp — the segment list's changes under its lock, the
// routing of range reads, and the mapping cache's eviction (docs/design.md,
// "Concurrency", "Memory").
#include "log/segment_table.hpp"

#include "errors.hpp"

#include <algorithm>
#include <utility>

namespace seglog::detail {

// ---- the mapping cache ----------------------------------------------------

void MappingCache::note_mapped(const std::shared_ptr<Segment>& segment, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  order_.push_back({segment, bytes});
  bytes_ += bytes;
  // The segment just mapped stays: its reader is about to use it.
  while (order_.size() > 1 && (order_.size() > budget_.segments || bytes_ > budget_.bytes)) {
    Mapped victim = std::move(order_.front());
    order_.pop_front();
    bytes_ -= victim.bytes;
    if (victim.segment.lock() != segment) victims_.push_back(std::move(victim.segment));
  }
  if (!victims_.empty()) has_victims_.store(true, std::memory_order_release);
}

void MappingCache::forget(std::vector<const Segment*> gone) {
  // One pass over the cache per change of the table that removes segments
  // (as rare as rolls); reads never pay for it.
  std::sort(gone.begin(), gone.end());
  std::lock_guard lock(mu_);
  for (auto it = order_.begin(); it != order_.end();) {
    const auto held = it->segment.lock();
    if (held == nullptr || std::binary_search(gone.begin(), gone.end(), held.get())) {
      bytes_ -= it->bytes;
      it = order_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<std::weak_ptr<Segment>> MappingCache::take_victims() {
  std::vector<std::weak_ptr<Segment>> victims;
  std::lock_guard lock(mu_);
  victims.swap(victims_);
  has_victims_.store(false, std::memory_order_release);
  return victims;
}

void MappingCache::evict_all() {
  std::lock_guard lock(mu_);
  for (auto& mapped : order_) victims_.push_back(std::move(mapped.segment));
  order_.clear();
  bytes_ = 0;
  if (!victims_.empty()) has_victims_.store(true, std::memory_order_release);
}

std::uint64_t MappingCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

std::uint64_t MappingCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

// ---- reads -----------------------------------------------------------------

Error SegmentTable::below_first(std::uint64_t index) const {
  return make_error(errc::compacted, "index " + std::to_string(index) +
                                         " is below the first index " +
                                         std::to_string(first_index()));
}

Error SegmentTable::above_last(std::uint64_t index) const {
  return make_error(errc::out_of_range, "index " + std::to_string(index) +
                                            " is above the last index " +
                                            std::to_string(last_index()));
}

Result<Segment::VisitStart> SegmentTable::start_visit(std::uint64_t index, std::uint64_t to,
                                                      std::shared_ptr<Segment>& segment) const {
  auto started = [&]() -> Result<Segment::VisitStart> {
    SharedTableLock lock(mu_);
    // A truncation may run between two segments' walks: compacted or
    // out_of_range then, after the entries before were visited.
    auto found = find_readable(index, lock);
    if (!found) return found.error();
    segment = **found;
    auto start = segment->start_visit(index, to, lock);
    if (segment->take_new_mapping()) cache_.note_mapped(segment, segment->file_size());
    return start;
  }();
  drop_evicted_mappings();
  return started;
}

// ---- changes -----------------------------------------------------------------

std::shared_ptr<Segment> SegmentTable::newest() const {
  SharedTableLock lock(mu_);
  return segments_.empty() ? nullptr : segments_.back();
}

void SegmentTable::assign(std::vector<std::shared_ptr<Segment>> segments) {
  ExclusiveTableLock lock(mu_);
  segments_ = std::move(segments);
}

void SegmentTable::push_back(std::shared_ptr<Segment> segment) {
  ExclusiveTableLock lock(mu_);
  segments_.push_back(std::move(segment));
}

void SegmentTable::replace_back(std::shared_ptr<Segment> segment) {
  std::shared_ptr<Segment> old;
  {
    ExclusiveTableLock lock(mu_);
    old = std::exchange(segments_.back(), std::move(segment));
  }
  cache_.forget({old.get()});
}

void SegmentTable::pop_back() {
  std::shared_ptr<Segment> old;
  {
    ExclusiveTableLock lock(mu_);
    old = std::move(segments_.back());
    segments_.pop_back();
  }
  cache_.forget({old.get()});
}

std::vector<std::shared_ptr<Segment>> SegmentTable::erase_front(std::size_t count) {
  std::vector<std::shared_ptr<Segment>> removed(
      segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
  if (count > 0) {
    ExclusiveTableLock lock(mu_);
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
  }
  std::vector<const Segment*> gone;
  gone.reserve(removed.size());
  for (const auto& segment : removed) gone.push_back(segment.get());
  cache_.forget(std::move(gone));
  return removed;
}

void SegmentTable::replace(const std::shared_ptr<Segment>& old,
                           const std::shared_ptr<Segment>& replacement) {
  {
    ExclusiveTableLock lock(mu_);
    replacement->release_memory_points(lock);
    for (auto& segment : segments_) {
      if (segment == old) segment = replacement;
    }
  }
  cache_.forget({old.get()});
}

void SegmentTable::release_memory_points(const std::shared_ptr<Segment>& segment) {
  ExclusiveTableLock lock(mu_);
  segment->release_memory_points(lock);
}

// ---- mappings ----------------------------------------------------------------

void SegmentTable::remember_mapping(const std::shared_ptr<Segment>& segment) {
  cache_.note_mapped(segment, segment->file_size());
  drop_evicted_mappings();
}

void SegmentTable::drop_evicted_mappings() const {
  if (!cache_.has_victims()) return;
  std::vector<std::shared_ptr<const MappedFile>> dropped;
  {
    ExclusiveTableLock lock(mu_);
    for (auto& weak : cache_.take_victims()) {
      if (auto victim = weak.lock()) {
        if (auto map = victim->drop_mapping(lock)) dropped.push_back(std::move(map));
      }
    }
  }
  // Unmapped here, with no lock held (unless a view still pins one).
}

void SegmentTable::evict_all() {
  cache_.evict_all();
  drop_evicted_mappings();
}

SegmentTable::Census SegmentTable::census() const {
  SharedTableLock lock(mu_);
  Census census;
  census.segments = segments_.size();
  for (const auto& segment : segments_) {
    if (segment->sealed()) ++census.sealed;
    if (segment->mapped()) {
      ++census.mapped;
      census.mapped_bytes += segment->file_size();
    }
    census.bytes += segment->file_size();
  }
  return census;
}

}  // namespace seglog::detail

// log/active_writer.cpp — where an active segment's bytes go, and the
// runway and prefault ahead of them (docs/design.md, "Append and roll",
// "sync").
#include "log/active_writer.hpp"

#include "format/record.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <span>

namespace seglog::detail {

bool ActiveWriter::allocate_staging() noexcept {
  if (!staging_) staging_.reset(new (std::nothrow) std::byte[kStagingBytes]);
  return staging_ != nullptr;
}

void ActiveWriter::write_staged(File* file) {
  if (staged_bytes_ == 0) return;
  const std::span<const std::byte> bytes(staging_.get(), staged_bytes_);
  staged_bytes_ = 0;
  await_prefault(staged_from_, staged_from_ + bytes.size());
  if (file != nullptr && file->write_at(staged_from_, bytes)) return;
  std::memcpy(map_->data() + staged_from_, bytes.data(), bytes.size());
}

std::shared_ptr<Prefault> ActiveWriter::claim_prefault_window() {
  if (!map_ || !streaming()) return nullptr;
  const std::uint64_t limit = map_->size();
  const std::uint64_t from = std::max(prefault_ ? prefault_->claimed_end() : 0, cursor_.end);
  // Whole chunks (Prefault::kChunk), or up to the end of the file.
  const std::uint64_t ahead = cursor_.end + kPrefaultAhead;
  const std::uint64_t to = std::min(ahead / kPrefaultStep * kPrefaultStep, limit);
  if (to <= from || (to - from < kPrefaultStep && to < limit)) return nullptr;
  if (!prefault_) prefault_ = std::make_shared<Prefault>(map_, from);
  prefault_->extend(from, to);
  return prefault_;
}

void ActiveWriter::stop_prefault() noexcept {
  if (!prefault_) return;
  prefault_->stop();
  prefault_.reset();
}

void ActiveWriter::extend_runway(File& file, std::uint64_t batch_bytes) {
  if (batch_bytes > kRunwayMaxBatch || !map_) return;
  // Never over a byte written before: every byte ever written lies below
  // the high water (records cut by truncate_after included).
  if (runway_end_ >= high_water_ + 2 * batch_bytes) return;
  const std::uint64_t from = std::max(runway_end_, align_up(high_water_, 4096));
  const std::uint64_t to =
      std::min(align_up(from + kRunwaySyncs * batch_bytes, 4096), map_->size());
  if (to <= from) return;
  // A failure costs only the speed-up: the sync after it reports a disk
  // that fails.
  if (file.write_zeros(from, to - from)) runway_end_ = to;
}

}  // namespace seglog::detail

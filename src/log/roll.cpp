// log/roll.cpp — the roll (docs/design.md, "Roll"; steps as in roll.hpp):
// the spare pool, the writer's half and the background half.
#include "log/roll.hpp"

#include "errors.hpp"
#include "log/segment_log.hpp"

#include <utility>

namespace seglog::detail {
namespace {
constexpr unsigned kSpareWork = static_cast<unsigned>(BackgroundWorker::Kind::spare);
}  // namespace

// ---- the spare pool (step 1) -------------------------------------------------

std::shared_ptr<Segment> SparePool::take(BackgroundWorker& worker) {
  if (requested_ == 0) return nullptr;
  bool ready = false;
  {
    std::lock_guard lock(mu_);
    ready = !spares_.empty();
  }
  if (!ready) worker.wait(kSpareWork);  // one is queued or being prepared
  std::lock_guard lock(mu_);
  if (spares_.empty()) {
    requested_ = 0;  // preparing failed (logged): the roll prepares inline
    return nullptr;
  }
  std::shared_ptr<Segment> spare = std::move(spares_.front());
  spares_.erase(spares_.begin());
  --requested_;
  return spare;
}

void SparePool::request(BackgroundWorker& worker, const Segment::Config& cfg,
                        std::uint64_t capacity, std::function<void(const std::string&)> warn) {
  while (requested_ < kSpares) {
    ++requested_;
    worker.post(BackgroundWorker::Kind::spare, [this, cfg, capacity, warn] {
      auto spare = Segment::prepare_spare(cfg, capacity);
      if (!spare) {
        warn("preparing the next segment failed (the roll will try again): " +
             spare.error().message());
        return;
      }
      std::lock_guard lock(mu_);
      spares_.push_back(std::move(*spare));
    });
  }
}

void SparePool::remove(BackgroundWorker& worker) {
  worker.wait(kSpareWork);
  std::lock_guard lock(mu_);
  for (auto& spare : spares_) (void)spare->remove_file();
  spares_.clear();
  requested_ = 0;
}

void SegmentLog::request_spares() {
  // Called by every append in a segment's second half: when the pool is
  // full (nearly always), building the config (a path) and the callback
  // cost a single-entry append a quarter of its time (p50 91 -> 120 ns).
  if (!spares_.wants_more()) return;
  spares_.request(spare_worker_, segment_config(), cfg_.segment_size,
                  [this](const std::string& message) { log(Logger::Level::warn, message); });
}

// ---- the writer's half (steps 3–4) ---------------------------------------------

Status SegmentLog::roll_to(std::shared_ptr<Segment> next) {
  // Step 3 (assign) was done by the append that prepared `next`, or
  // `next` was prepared inline with its first index (Segment::prepare).
  if (auto s = check_writable(); !s) {
    (void)next->remove_file();
    return s;
  }
  std::shared_ptr<Segment> previous = table_.newest();
  // Replacing an empty segment that marks the log's start: the new one
  // carries the mark on (older leftovers stay leftovers).
  const bool replaces = previous && previous->first_index() == next->first_index();
  if (replaces) {
    if (const auto& state = previous->state(); state && state->start_index != 0) {
      if (auto s = next->set_start_index(state->start_index); !s) {
        (void)next->remove_file();
        return fail_sticky(s);
      }
    }
  }
  if (active_) active_->publish();
  // Step 4: the rename, then the table.
  if (auto s = next->install(); !s) {
    (void)next->remove_file();
    return fail_sticky(s);
  }
  // An empty segment of the same name was just replaced by the rename.
  if (replaces) {
    table_.replace_back(next);
  } else {
    table_.push_back(next);
  }
  std::shared_ptr<Segment> sealing = std::move(active_);
  active_ = std::move(next);
  seals_queued_.fetch_add(1, std::memory_order_acq_rel);
  worker_.post(BackgroundWorker::Kind::seal, [this, sealing = std::move(sealing)] {
    finish_roll(sealing);
    seals_queued_.fetch_sub(1, std::memory_order_acq_rel);
  });
  return {};
}

// ---- the background half (steps 5–6) ---------------------------------------------

void SegmentLog::finish_roll(const std::shared_ptr<Segment>& previous) {
  // After a failure, queued work must not make the directory worse than
  // the failure did. Rolls finish in order, and sync() waits for them all,
  // so segments behind an unsealed one hold nothing acknowledged and
  // recovery may drop them (design.md, "Open" step 4) — but only while
  // they are unsealed too: a later roll's seal running after an earlier
  // one failed left an unsealed segment before a sealed one, which every
  // open then refused as corrupted (issue 12, defect 1). So once the log
  // has failed, no later roll seals anything; the reopen does.
  if (sync_failed()) {
    log(Logger::Level::warn, "not sealing " + (previous ? previous->path().string() : "") +
                                 " after an earlier failure; the next open seals it");
    return;
  }
  // Step 5.
  if (auto s = sync_directory(cfg_.dir); !s) {
    (void)fail_sticky(s);
    return;
  }
  // Step 6 (a failure is sticky).
  if (previous) (void)seal_segment(previous);
}

Status SegmentLog::seal_segment(const std::shared_ptr<Segment>& segment) {
  // Steps 6a–6c: Segment::seal, then the in-memory points go, readers
  // excluded, and the mapping joins the cache.
  if (auto s = segment->seal(); !s) return fail_sticky(s);
  table_.release_memory_points(segment);
  table_.remember_mapping(segment);
  return {};
}

Status SegmentLog::seal_active() {
  if (!active_) return {};
  active_->publish();
  Status status = seal_segment(active_);
  active_.reset();
  return status;
}

}  // namespace seglog::detail

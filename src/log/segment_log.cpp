// log/segment_log.cpp — appends, rolls, truncations and reads of the
// segmented log (docs/design.md, "The log"). Recovery is in recovery.cpp.
#include "log/segment_log.hpp"

#include "errors.hpp"
#include "format/record.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

namespace seglog::detail {

SegmentLog::SegmentLog(const LogConfig& cfg)
    : cfg_(cfg), cache_(std::max<std::uint32_t>(cfg.max_mapped_segments, 1)) {}

SegmentLog::~SegmentLog() = default;

namespace {
constexpr unsigned kSealWork = static_cast<unsigned>(BackgroundWorker::Kind::seal);
constexpr unsigned kTableWork =
    kSealWork | static_cast<unsigned>(BackgroundWorker::Kind::compaction);
constexpr unsigned kSpareWork = static_cast<unsigned>(BackgroundWorker::Kind::spare);
}  // namespace

Result<std::unique_ptr<SegmentLog>> SegmentLog::open(const LogConfig& cfg) {
  std::unique_ptr<SegmentLog> log(new SegmentLog(cfg));
  if (auto s = log->recover(); !s) return s.error();
  return log;
}

Segment::Config SegmentLog::segment_config() {
  return {cfg_.dir, cfg_.index_interval_bytes, cfg_.verify_checksums, &cache_};
}

void SegmentLog::log(Logger::Level level, const std::string& message) const {
  if (cfg_.logger != nullptr) cfg_.logger->log(level, message);
}

Status SegmentLog::check_writable() const {
  if (sync_failed()) {
    // The first failure's own message names the file and the call: a seal
    // that failed in the background is reported by the next caller.
    std::lock_guard lock(sticky_mu_);
    return make_error(errc::io_error,
                      "an earlier write of " + cfg_.dir.string() + " failed (" +
                          sticky_error_.message() +
                          "); writes are refused until the log is reopened");
  }
  return {};
}

Status SegmentLog::fail_sticky(Status status) {
  if (status) return status;
  // A log that refuses writes until reopen is not "full, but usable":
  // no_space is kept for failures that leave the log writable (a batch
  // whose preallocation failed), so ENOSPC from a write or sync that made
  // the failure sticky is io_error, and its message says why.
  Error error = status.error();
  if (error == errc::no_space) {
    error = Error(errc::io_error,
                  error.message() + " (no space left; writes are refused until the log is reopened)");
  }
  {
    std::lock_guard lock(sticky_mu_);
    if (!sync_failed()) sticky_error_ = error;
    sync_failed_.store(true, std::memory_order_release);
  }
  log(Logger::Level::error, "sync failed, log is now read-only until reopen: " + error.message());
  return error;
}

// ---- reads -------------------------------------------------------------------

const std::shared_ptr<Segment>* SegmentLog::find_locked(std::uint64_t index) const {
  if (segments_.empty()) return nullptr;
  // Most reads are at the tail.
  if (index >= segments_.back()->first_index()) return &segments_.back();
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), index,
      [](std::uint64_t i, const std::shared_ptr<Segment>& s) { return i < s->first_index(); });
  if (it == segments_.begin()) return nullptr;
  return &*(it - 1);
}

Result<const std::shared_ptr<Segment>*> SegmentLog::find_readable_locked(
    std::uint64_t index) const {
  if (index < first_index()) {
    return make_error(errc::compacted, "index " + std::to_string(index) +
                                           " is below the first index " +
                                           std::to_string(first_index()));
  }
  const auto* segment = find_locked(index);
  if (segment == nullptr || index > (*segment)->last_index()) {
    return make_error(errc::out_of_range, "index " + std::to_string(index) +
                                              " is above the last index " +
                                              std::to_string(last_index()));
  }
  return segment;
}

Status SegmentLog::locate(std::uint64_t index, EntryView& out) const {
  auto located = [&]() -> Status {
    std::shared_lock lock(table_mu_);
    auto segment = find_readable_locked(index);
    if (!segment) return segment.error();
    return (**segment)->locate(index, out);
  }();
  drop_evicted_mappings();
  return located;
}

Status SegmentLog::scan_range(std::uint64_t begin, std::uint64_t end,
                              const Segment::Visitor& visitor) const {
  std::uint64_t index = begin;
  while (index < end) {
    // Under the lock: the segment, its pinned mapping, where the walk
    // starts. The visitor runs after the lock is released, so a slow one
    // (a leader serialising to the network) never holds up the writer.
    std::shared_ptr<Segment> segment;
    auto started = [&]() -> Result<Segment::VisitStart> {
      std::shared_lock lock(table_mu_);
      // A truncation may run between two segments' walks: compacted or
      // out_of_range then, after the entries before were visited.
      auto found = find_readable_locked(index);
      if (!found) return found.error();
      segment = **found;
      return segment->start_visit(index, end - 1);
    }();
    drop_evicted_mappings();
    if (!started) return started.error();
    auto stopped = segment->visit(*started, visitor);
    if (!stopped) return stopped.error();
    if (*stopped) break;
    index = started->to + 1;
  }
  return {};
}

void SegmentLog::remember_mapping(const std::shared_ptr<Segment>& segment) {
  cache_.note_mapped(segment);
  drop_evicted_mappings();
}

void SegmentLog::drop_evicted_mappings() const {
  if (!cache_.has_victims()) return;
  std::vector<std::shared_ptr<const MappedFile>> dropped;
  {
    std::unique_lock lock(table_mu_);
    dropped = cache_.drop_victims();
  }
  // Unmapped here, with no lock held (unless a view still pins one).
}

// ---- appends -----------------------------------------------------------------

Status SegmentLog::append(std::span<const LogEntry> entries) {
  if (entries.empty()) return {};
  if (auto s = check_writable(); !s) return s;

  // Plan: where each new segment starts and how big it is. A record larger
  // than a segment gets a segment of its own, sized to fit.
  struct Roll {
    std::size_t position;
    std::uint64_t capacity;
  };
  std::vector<Roll> rolls;
  AppendCursor cursor;
  bool have_segment = active_ && active_->accepts(entries.front().index);
  if (have_segment) cursor = active_->cursor();
  const std::uint64_t interval = std::max<std::uint32_t>(cfg_.index_interval_bytes, 1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t bytes = record_bytes(entries[i].data.size());
    if (!have_segment || !cursor.fits(bytes)) {
      std::uint64_t capacity = cfg_.segment_size;
      const std::uint64_t needed = kSegmentHeaderBytes + bytes + footer_bytes(1);
      if (needed > capacity) capacity = align_up(needed, 4096);
      rolls.push_back({i, capacity});
      cursor = AppendCursor{kSegmentHeaderBytes, 0, kSegmentHeaderBytes, capacity, interval};
      have_segment = true;
    }
    cursor.advance(bytes);
  }

  // Preallocate every new segment before writing anything (no_space here
  // leaves the log as it was). A segment of the usual size comes from the
  // spares prepared in the background when there is one.
  std::vector<std::shared_ptr<Segment>> prepared;
  for (const Roll& roll : rolls) {
    std::shared_ptr<Segment> spare;
    if (roll.capacity == cfg_.segment_size) spare = take_spare();
    if (spare) {
      spare->assign(entries[roll.position].index);
      prepared.push_back(std::move(spare));
      continue;
    }
    auto segment = Segment::prepare(segment_config(), entries[roll.position].index, roll.capacity);
    if (!segment) {
      for (auto& p : prepared) (void)p->remove_file();
      return segment.error();
    }
    prepared.push_back(std::move(*segment));
  }
  // Top the spares up before the rolls below queue their seals: a seal
  // waits for the disk (a segment's worth of writeback), a spare must not
  // wait behind it. The first segment of a log asks for none (see below).
  if (!rolls.empty() && active_) request_spares();

  std::uint64_t bytes_written = 0;
  std::size_t next_roll = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (next_roll < rolls.size() && rolls[next_roll].position == i) {
      if (active_) {
        active_->publish();
        last_index_.store(entries[i].index - 1, std::memory_order_release);
      }
      if (auto s = roll_to(std::move(prepared[next_roll])); !s) {
        for (std::size_t k = next_roll + 1; k < prepared.size(); ++k) {
          (void)prepared[k]->remove_file();
        }
        return s;
      }
      ++next_roll;
    }
    active_->append(entries[i]);
    bytes_written += record_bytes(entries[i].data.size());
  }
  active_->publish();
  last_index_.store(entries.back().index, std::memory_order_release);
  prefault_ahead();
  // A log that never fills its first segment (a leader that syncs every
  // small batch) should not pay for preparing two more (fallocate, fsync)
  // beside its own fdatasyncs: spares start once the segment is half full.
  if (active_->cursor().end > active_->capacity() / 2) request_spares();
  counters.entries_appended.fetch_add(entries.size(), std::memory_order_relaxed);
  counters.bytes_appended.fetch_add(bytes_written, std::memory_order_relaxed);
  return {};
}

Status SegmentLog::seal_segment(const std::shared_ptr<Segment>& segment) {
  if (auto s = segment->seal(); !s) return fail_sticky(s);
  {
    std::unique_lock lock(table_mu_);
    segment->release_memory_points();
  }
  remember_mapping(segment);
  return {};
}

Status SegmentLog::seal_active() {
  if (!active_) return {};
  active_->publish();
  Status status = seal_segment(active_);
  active_.reset();
  return status;
}

Status SegmentLog::roll_to(std::shared_ptr<Segment> next) {
  // Steps of a roll (design.md, "Roll"): 1. next preallocated, its identity
  // synced (done); 2. rename next into place; then, in the background:
  // 3. fsync the directory; 4. seal the segment it follows. sync() waits
  // for every queued 3 and 4, so an entry is never reported durable before
  // both (recovery handles a crash between 2 and 4: unsealed segments
  // behind the newest, with nothing synced after them).
  if (auto s = check_writable(); !s) {
    (void)next->remove_file();
    return s;
  }
  std::shared_ptr<Segment> previous;
  {
    std::shared_lock lock(table_mu_);
    previous = segments_.empty() ? nullptr : segments_.back();
  }
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
  if (auto s = next->install(); !s) {
    (void)next->remove_file();
    return fail_sticky(s);
  }
  {
    std::unique_lock lock(table_mu_);
    // An empty segment of the same name was just replaced by the rename.
    if (replaces) {
      segments_.back() = next;
    } else {
      segments_.push_back(next);
    }
  }
  std::shared_ptr<Segment> sealing = std::move(active_);
  active_ = std::move(next);
  worker_.post(BackgroundWorker::Kind::seal,
               [this, sealing = std::move(sealing)] { finish_roll(sealing); });
  return {};
}

std::shared_ptr<Segment> SegmentLog::take_spare() {
  if (spares_requested_ == 0) return nullptr;
  bool ready = false;
  {
    std::lock_guard lock(spare_mu_);
    ready = !spares_.empty();
  }
  if (!ready) worker_.wait(kSpareWork);  // one is queued or being prepared
  std::lock_guard lock(spare_mu_);
  if (spares_.empty()) {
    spares_requested_ = 0;  // preparing failed (logged): the roll prepares inline
    return nullptr;
  }
  std::shared_ptr<Segment> spare = std::move(spares_.front());
  spares_.erase(spares_.begin());
  --spares_requested_;
  return spare;
}

void SegmentLog::request_spares() {
  while (spares_requested_ < kSpares) {
    ++spares_requested_;
    worker_.post(BackgroundWorker::Kind::spare, [this] {
      auto spare = Segment::prepare_spare(segment_config(), cfg_.segment_size);
      if (!spare) {
        log(Logger::Level::warn, "preparing the next segment failed (the roll will try again): " +
                                     spare.error().message());
        return;
      }
      std::lock_guard lock(spare_mu_);
      spares_.push_back(std::move(*spare));
    });
  }
}

void SegmentLog::prefault_ahead() {
  auto prefault = active_->claim_prefault_window();
  if (!prefault) return;
  prefaulter_.post(BackgroundWorker::Kind::prefault, [prefault = std::move(prefault)] {
    prefault->run();
  });
}

void SegmentLog::remove_spares() {
  worker_.wait(kSpareWork);
  std::lock_guard lock(spare_mu_);
  for (auto& spare : spares_) (void)spare->remove_file();
  spares_.clear();
  spares_requested_ = 0;
}

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
  if (auto s = sync_directory(cfg_.dir); !s) {
    (void)fail_sticky(s);
    return;
  }
  if (previous) (void)seal_segment(previous);  // a failure is sticky
}

Status SegmentLog::sync() {
  // Entries in a segment a roll left behind become durable with its seal.
  worker_.wait(kSealWork);
  if (auto s = check_writable(); !s) return s;
  if (!active_ || !active_->dirty()) return {};
  const auto start = std::chrono::steady_clock::now();
  if (auto s = active_->sync(); !s) return fail_sticky(s);
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  counters.syncs.fetch_add(1, std::memory_order_relaxed);
  if (ns > 100'000'000) counters.slow_syncs.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t seen = counters.max_sync_ns.load(std::memory_order_relaxed);
  while (ns > seen && !counters.max_sync_ns.compare_exchange_weak(seen, ns)) {
  }
  return {};
}

// ---- truncations -------------------------------------------------------------

Status SegmentLog::truncate_after(std::uint64_t index) {
  // A background rewrite copies the boundary segment of a truncate_before;
  // a cut into it must wait for the copy, a cut above it need not.
  worker_.wait(index < rewrite_last_ ? kTableWork : kSealWork);
  if (auto s = check_writable(); !s) return s;
  std::size_t keep = 0;
  {
    std::shared_lock lock(table_mu_);
    const auto* segment = find_locked(index + 1);
    if (segment == nullptr) return {};
    keep = static_cast<std::size_t>(segment - segments_.data());
  }
  // Readers stop at the new end at once; no byte they hold is touched.
  last_index_.store(index, std::memory_order_release);
  // Steps (design.md, "truncate_after"): 1. unlink later segments, newest
  // first, so a crash leaves a prefix of the old log; 2. fsync the directory;
  // 3. cut the segment holding index + 1 (durable).
  bool removed = false;
  while (segments_.size() > keep + 1) {
    std::shared_ptr<Segment> victim = segments_.back();
    if (auto s = victim->remove_file(); !s) return fail_sticky(s);
    {
      std::unique_lock lock(table_mu_);
      segments_.pop_back();
    }
    if (victim == active_) active_.reset();
    removed = true;
  }
  if (removed) {
    if (auto s = sync_directory(cfg_.dir); !s) return fail_sticky(s);
  }
  std::shared_ptr<Segment> boundary = segments_[keep];
  const bool was_active = boundary == active_;
  if (auto s = boundary->cut_after(index); !s) return fail_sticky(s);
  if (was_active) {
    {
      std::unique_lock lock(table_mu_);
      boundary->release_memory_points();
    }
    remember_mapping(boundary);
    active_.reset();
  }
  return {};
}

Status SegmentLog::create_empty_segment(std::uint64_t first_index) {
  auto segment = Segment::prepare(segment_config(), first_index,
                                  kSegmentHeaderBytes + footer_bytes(0));
  if (!segment) return segment.error();
  auto& s = *segment;
  Status made = s->set_start_index(first_index);
  if (made) made = s->seal();
  if (made) made = s->install();
  if (!made) {
    (void)s->remove_file();
    return fail_sticky(made);
  }
  if (auto r = sync_directory(cfg_.dir); !r) return fail_sticky(r);
  {
    std::unique_lock lock(table_mu_);
    s->release_memory_points();
    segments_.push_back(s);
  }
  remember_mapping(s);
  return {};
}

Status SegmentLog::truncate_before(std::uint64_t index) {
  worker_.wait(kTableWork);
  if (auto s = check_writable(); !s) return s;
  const std::uint64_t last = last_index();
  if (segments_.empty()) {
    // A log that never held an entry learns its start from a segment of
    // its own (the only truncate_before that needs a few bytes of disk).
    if (auto s = create_empty_segment(index); !s) return s;
    first_index_.store(index, std::memory_order_release);
    last_index_.store(index - 1, std::memory_order_release);
    return {};
  }
  std::size_t boundary_pos = segments_.size() - 1;
  if (index <= last) {
    std::shared_lock lock(table_mu_);
    boundary_pos = static_cast<std::size_t>(find_locked(index) - segments_.data());
  }
  std::shared_ptr<Segment> boundary = segments_[boundary_pos];
  // Step 1 (design.md, "truncate_before"): the new start, durable, in the
  // boundary segment's header: no new file, no free space needed.
  if (auto s = boundary->set_start_index(index); !s) return fail_sticky(s);
  first_index_.store(index, std::memory_order_release);
  if (index > last + 1) last_index_.store(index - 1, std::memory_order_release);
  // Readers stop seeing the segments below the boundary at once.
  std::vector<std::shared_ptr<Segment>> below(
      segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(boundary_pos));
  if (!below.empty()) {
    std::unique_lock lock(table_mu_);
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(boundary_pos));
  }
  // Steps 2 and 3 only free space, so they run in the background: a crash
  // before they are durable leaves leftovers that open removes.
  const bool rewrite =
      boundary->sealed() && index > boundary->first_index() && index <= boundary->last_index();
  if (!below.empty() || rewrite) {
    if (rewrite) {
      counters.pending_rewrites.store(1, std::memory_order_relaxed);
      rewrite_last_ = boundary->last_index();
    }
    worker_.post(BackgroundWorker::Kind::compaction,
                 [this, below = std::move(below), boundary, rewrite]() mutable {
                   finish_truncate_before(std::move(below), boundary, rewrite);
                 });
  }
  return {};
}

void SegmentLog::finish_truncate_before(std::vector<std::shared_ptr<Segment>> below,
                                        const std::shared_ptr<Segment>& boundary,
                                        bool rewrite) {
  // Step 2: whole segments below the boundary go.
  if (!below.empty()) {
    for (auto& segment : below) {
      if (auto s = segment->remove_file(); !s) log(Logger::Level::warn, s.error().message());
    }
    if (auto s = sync_directory(cfg_.dir); !s) log(Logger::Level::warn, s.error().message());
  }
  // Step 3: rewrite the boundary segment without the entries below its start.
  // Not after a failure (see finish_roll): it stays pending, and a later
  // truncate_before after the reopen does it.
  if (rewrite && sync_failed()) {
    log(Logger::Level::warn, "boundary rewrite of " + boundary->path().string() +
                                 " postponed after an earlier failure");
    return;
  }
  if (rewrite) rewrite_boundary(boundary);
}

void SegmentLog::rewrite_boundary(const std::shared_ptr<Segment>& boundary) {
  auto rewritten = boundary->rewrite_kept(segment_config());
  if (!rewritten) {
    counters.pending_rewrites.store(1, std::memory_order_relaxed);
    log(Logger::Level::warn, "boundary rewrite of " + boundary->path().string() +
                                 " postponed: " + rewritten.error().message());
    return;
  }
  std::shared_ptr<Segment> next = std::move(*rewritten);
  // Steps (design.md, "boundary rewrite"): 1. the new file is complete and
  // synced (done); 2. rename it into place; 3. fsync dir; 4. unlink the old
  // one; 5. fsync dir. Between 3 and 5 both exist: open keeps the new one.
  if (auto s = next->install(); !s) {
    (void)next->remove_file();
    log(Logger::Level::warn, s.error().message());
    return;
  }
  // Without a durable rename the old file must stay: it is the only copy
  // for sure. Open resolves the pair (the old one is superseded).
  if (auto s = sync_directory(cfg_.dir); !s) {
    (void)fail_sticky(s);
    return;
  }
  {
    std::unique_lock lock(table_mu_);
    next->release_memory_points();
    for (auto& segment : segments_) {
      if (segment == boundary) segment = next;
    }
  }
  remember_mapping(next);
  if (auto s = boundary->remove_file(); !s) log(Logger::Level::warn, s.error().message());
  if (auto s = sync_directory(cfg_.dir); !s) log(Logger::Level::warn, s.error().message());
  counters.boundary_rewrites.fetch_add(1, std::memory_order_relaxed);
  counters.pending_rewrites.store(0, std::memory_order_relaxed);
}

Status SegmentLog::flush() {
  worker_.wait(BackgroundWorker::kAll);
  return check_writable();
}

Status SegmentLog::close() {
  if (active_) active_->stop_prefault();
  worker_.wait(BackgroundWorker::kAll);
  remove_spares();
  // After a failed sync nothing more is written; close reports it again.
  Status status = sync_failed() ? check_writable() : seal_active();
  cache_.evict_all();
  drop_evicted_mappings();
  return status;
}

void SegmentLog::fill_stats(Stats& stats) const {
  std::shared_lock lock(table_mu_);
  stats.first_index = first_index();
  stats.last_index = last_index();
  stats.segments = segments_.size();
  for (const auto& segment : segments_) {
    if (segment->sealed()) ++stats.sealed_segments;
    if (segment->mapped()) ++stats.mapped_segments;
    stats.log_bytes += segment->file_size();
  }
  stats.entries_appended = counters.entries_appended.load(std::memory_order_relaxed);
  stats.bytes_appended = counters.bytes_appended.load(std::memory_order_relaxed);
  stats.syncs = counters.syncs.load(std::memory_order_relaxed);
  stats.slow_syncs = counters.slow_syncs.load(std::memory_order_relaxed);
  stats.max_sync_ns = counters.max_sync_ns.load(std::memory_order_relaxed);
  stats.torn_tails_cut = counters.torn_tails_cut.load(std::memory_order_relaxed);
  stats.torn_bytes_cut = counters.torn_bytes_cut.load(std::memory_order_relaxed);
  stats.leftovers_removed = counters.leftovers_removed.load(std::memory_order_relaxed);
  stats.boundary_rewrites = counters.boundary_rewrites.load(std::memory_order_relaxed);
  stats.pending_rewrites = counters.pending_rewrites.load(std::memory_order_relaxed);
  stats.sync_failed = sync_failed();
  stats.clean_open = clean_open_;
}

}  // namespace seglog::detail

// log/segment_log.cpp — the segmented log as a composition: plan and
// append, sync, the truncations, flush, close, the sticky failure and the
// counters, and the invariants L1–L3 (docs/design.md, "The log", "Append
// and roll", "sync", "truncate_after", "truncate_before", "close").
// Recovery is in recovery.cpp, the roll in roll.cpp, the background half of
// truncate_before in compaction.cpp.
#include "log/segment_log.hpp"

#include "entry_payload.hpp"
#include "errors.hpp"
#include "format/record.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace seglog::detail {

SegmentLog::SegmentLog(const LogConfig& cfg) : cfg_(cfg), table_(cfg.mapping_budget) {}

SegmentLog::~SegmentLog() = default;

namespace {
constexpr unsigned kSealWork = static_cast<unsigned>(BackgroundWorker::Kind::seal);
constexpr unsigned kTableWork =
    kSealWork | static_cast<unsigned>(BackgroundWorker::Kind::compaction);
}  // namespace

Result<std::unique_ptr<SegmentLog>> SegmentLog::open(const LogConfig& cfg) {
  std::unique_ptr<SegmentLog> log(new SegmentLog(cfg));
  if (auto s = log->recover(); !s) return s.error();
  return log;
}

Segment::Config SegmentLog::segment_config() const {
  return {cfg_.dir, cfg_.index_interval_bytes, cfg_.verify_checksums};
}

void SegmentLog::log(Logger::Level level, const std::string& message) const {
  if (cfg_.logger != nullptr) cfg_.logger->log(level, message);
}

Status SegmentLog::check_writable() const {
  if (sync_failed()) {
    // The first failure's own message names the file and the call: a seal
    // that failed in the background is reported by the next caller.
    std::lock_guard lock(sticky_mu_);
    return make_error(errc::io_error, "an earlier write of " + cfg_.dir.string() + " failed (" +
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
    error =
        Error(errc::io_error,
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

Status SegmentLog::scan_range(std::uint64_t begin, std::uint64_t end,
                              const Segment::Visitor& visitor) const {
  std::uint64_t index = begin;
  while (index < end) {
    // Under the lock: the segment, its pinned mapping, where the walk
    // starts. The visitor runs after the lock is released, so a slow one
    // (a leader serialising to the network) never holds up the writer.
    std::shared_ptr<Segment> segment;
    auto started = table_.start_visit(index, end - 1, segment);
    if (!started) return started.error();
    auto stopped = segment->visit(*started, visitor);
    if (!stopped) return stopped.error();
    if (*stopped) break;
    index = started->to + 1;
  }
  return {};
}

// ---- appends -----------------------------------------------------------------

template <class Entry>
Status SegmentLog::append(std::span<const Entry> entries) {
  if (entries.empty()) return {};
  if (auto s = check_writable(); !s) return s;

  // Plan: where each new segment starts and how big it is. A record larger
  // than a segment gets a segment of its own, sized to fit.
  struct Roll {
    std::size_t position;
    std::uint64_t capacity;
  };
  std::vector<Roll> rolls;
  // The placement rule (AppendCursor::fits) runs here only: the writes
  // below follow the plan.
  AppendCursor cursor;
  bool have_segment = active_ && active_->accepts(entries.front().index);
  if (have_segment) cursor = active_->cursor();
  std::uint64_t batch_bytes = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::uint64_t bytes = record_bytes(payload_of(entries[i]).size());
    batch_bytes += bytes;
    if (!have_segment || !cursor.fits(bytes)) {
      const std::uint64_t capacity =
          std::max(cfg_.segment_size, AppendCursor::capacity_for_one(bytes));
      rolls.push_back({i, capacity});
      cursor = AppendCursor::empty(capacity, cfg_.index_interval_bytes);
      have_segment = true;
    }
    cursor.advance(bytes);
  }

  // Seals behind the writer are bounded: each unsealed segment keeps its
  // mapping and its points in memory until its seal. Spares no longer
  // queue behind seals (spare_worker_), so nothing else holds a writer
  // that outpaces the disk back.
  if (!rolls.empty()) worker_.wait_until_at_most(BackgroundWorker::Kind::seal, kSealsBehind);
  // Preallocate every new segment before writing anything (no_space here
  // leaves the log as it was). A segment of the usual size comes from the
  // spares prepared in the background when there is one.
  std::vector<std::shared_ptr<Segment>> prepared;
  for (const Roll& roll : rolls) {
    std::shared_ptr<Segment> spare;
    if (roll.capacity == cfg_.segment_size) spare = spares_.take(spare_worker_);
    if (spare) {
      // Roll step 3: the spare gets its first index.
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
  if (active_) active_->begin_batch(batch_bytes);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (next_roll < rolls.size() && rolls[next_roll].position == i) {
      if (active_) {
        active_->publish();
        table_.set_last_index(entries[i].index - 1);
      }
      if (auto s = roll_to(std::move(prepared[next_roll])); !s) {
        for (std::size_t k = next_roll + 1; k < prepared.size(); ++k) {
          (void)prepared[k]->remove_file();
        }
        return s;
      }
      active_->begin_batch(batch_bytes);
      ++next_roll;
    }
    active_->append(ref_of(entries[i]));
    bytes_written += record_bytes(payload_of(entries[i]).size());
  }
  active_->publish();
  table_.set_last_index(entries.back().index);
  prefault_ahead();
  // A log that never fills its first segment (a leader that syncs every
  // small batch) should not pay for preparing two more (fallocate, fsync)
  // beside its own fdatasyncs: spares start once the segment is half full,
  // or as soon as the writer streams (1 MiB unsynced), which at 1 GB/s
  // would reach the roll 30 ms after half full, before two spares are
  // ready (1 M entries of 256 B, --scale, append over the floor: 0.88–
  // 1.57 asking early, 0.76–0.90 at half).
  if (active_->cursor().end > active_->capacity() / 2 || active_->streaming()) request_spares();
  counters.entries_appended.fetch_add(entries.size(), std::memory_order_relaxed);
  counters.bytes_appended.fetch_add(bytes_written, std::memory_order_relaxed);
  check_invariants();
  return {};
}

template Status SegmentLog::append(std::span<const LogEntry> entries);
template Status SegmentLog::append(std::span<const EntryRef> entries);

void SegmentLog::prefault_ahead() {
  auto prefault = active_->claim_prefault_window();
  if (!prefault) return;
  prefaulter_.post(BackgroundWorker::Kind::prefault,
                   [prefault = std::move(prefault)] { prefault->run(); });
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
  // Step 1 (design.md, "truncate_after"): the boundary; readers stop at
  // the new end at once, and no byte they hold is touched.
  keep = table_.find(index + 1);
  if (keep == SegmentTable::npos) return {};
  table_.set_last_index(index);
  // Step 2: unlink later segments, newest first, so a crash leaves a
  // prefix of the old log.
  bool removed = false;
  while (table_.size() > keep + 1) {
    std::shared_ptr<Segment> victim = table_.segments().back();
    if (auto s = victim->remove_file(); !s) return fail_sticky(s);
    table_.pop_back();
    if (victim == active_) active_.reset();
    removed = true;
  }
  // Step 3: fsync the directory.
  if (removed) {
    if (auto s = sync_directory(cfg_.dir); !s) return fail_sticky(s);
  }
  // Step 4: cut the boundary (durable); an active one is then sealed.
  std::shared_ptr<Segment> boundary = table_.segments()[keep];
  if (auto s = boundary->cut_after(index); !s) return fail_sticky(s);
  if (boundary == active_) {
    active_.reset();
    if (auto s = seal_segment(boundary); !s) return s;  // sticky already
  }
  check_invariants();
  return {};
}

Status SegmentLog::create_empty_segment(std::uint64_t first_index) {
  auto segment =
      Segment::prepare(segment_config(), first_index, kSegmentHeaderBytes + footer_bytes(0));
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
  table_.release_memory_points(s);
  table_.push_back(s);
  table_.remember_mapping(s);
  return {};
}

Status SegmentLog::truncate_before(std::uint64_t index) {
  worker_.wait(kTableWork);
  if (auto s = check_writable(); !s) return s;
  const std::uint64_t last = last_index();
  if (table_.empty()) {
    // A log that never held an entry learns its start from a segment of
    // its own (the only truncate_before that needs a few bytes of disk).
    if (auto s = create_empty_segment(index); !s) return s;
    table_.set_first_index(index);
    table_.set_last_index(index - 1);
    check_invariants();
    return {};
  }
  std::size_t boundary_pos = table_.size() - 1;
  if (index <= last) boundary_pos = table_.find(index);
  std::shared_ptr<Segment> boundary = table_.segments()[boundary_pos];
  // Step 1 (design.md, "truncate_before"): the new start, durable, in the
  // boundary segment's header: no new file, no free space needed.
  if (auto s = boundary->set_start_index(index); !s) return fail_sticky(s);
  table_.set_first_index(index);
  if (index > last + 1) table_.set_last_index(index - 1);
  // Step 2's first half: readers stop seeing the segments below the
  // boundary at once.
  std::vector<std::shared_ptr<Segment>> below = table_.erase_front(boundary_pos);
  // Step 2's unlinks and step 3 only free space, so they run in the
  // background (compaction.cpp): a crash before they are durable leaves
  // leftovers that open removes.
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
  check_invariants();
  return {};
}

Status SegmentLog::flush() {
  worker_.wait(BackgroundWorker::kAll);
  spare_worker_.wait(BackgroundWorker::kAll);
  return check_writable();
}

Status SegmentLog::close() {
  if (active_) active_->stop_prefault();
  worker_.wait(BackgroundWorker::kAll);
  spares_.remove(spare_worker_);
  // After a failed sync nothing more is written; close reports it again.
  Status status = sync_failed() ? check_writable() : seal_active();
  table_.evict_all();
  if (status) check_invariants();
  return status;
}

void SegmentLog::fill_stats(Stats& stats) const {
  const SegmentTable::Census census = table_.census();
  stats.first_index = first_index();
  stats.last_index = last_index();
  stats.segments = census.segments;
  stats.sealed_segments = census.sealed;
  stats.mapped_segments = census.mapped;
  stats.mapped_bytes = census.mapped_bytes;
  stats.max_mapped_segments = table_.mapping_budget().segments;
  stats.max_mapped_bytes = table_.mapping_budget().bytes;
  stats.log_bytes = census.bytes;
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

// ---- invariants (design.md, "The log") -------------------------------------------

std::string log_invariant_broken(const LogFacts& f) {
  const auto& s = f.segments;
  for (std::size_t k = 1; k < s.size(); ++k) {
    if (s[k].first_index != s[k - 1].next_index) {
      return "L1: segment " + std::to_string(k) + " starts at " + std::to_string(s[k].first_index) +
             ", not at the previous segment's next index " + std::to_string(s[k - 1].next_index);
    }
  }
  if (s.empty()) {
    if (f.last_index + 1 != f.first_index)
      return "L2: an empty table, but last index + 1 != first index";
  } else {
    if (f.first_index != s.front().start_index) {
      return "L2: first index " + std::to_string(f.first_index) +
             " is not the first segment's start index " + std::to_string(s.front().start_index);
    }
    if (f.last_index + 1 != s.back().next_index) {
      return "L2: last index " + std::to_string(f.last_index) +
             " is not the newest segment's next index - 1";
    }
  }
  if (!f.writable) return {};
  // L3: [sealed ...][unsealed, their seals queued ...][active]. A sticky
  // failure may leave any suffix unsealed (its seals are skipped).
  std::uint64_t unsealed = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k].active) {
      if (k + 1 != s.size()) return "L3: an active segment that is not the newest";
      continue;
    }
    if (s[k].sealed) {
      if (unsealed > 0 && !f.failed) return "L3: a sealed segment after an unsealed one";
      continue;
    }
    ++unsealed;
  }
  if (unsealed > f.seals_queued && !f.failed) {
    return "L3: " + std::to_string(unsealed) + " unsealed segments behind the active one, but " +
           std::to_string(f.seals_queued) + " seals queued";
  }
  return {};
}

LogFacts SegmentLog::facts() const {
  LogFacts f;
  // The queue first: a seal that finishes meanwhile only lowers the count
  // of unsealed segments read below.
  f.seals_queued = seals_queued_.load(std::memory_order_acquire);
  f.failed = sync_failed();
  f.writable = !cfg_.read_only;
  f.first_index = first_index();
  f.last_index = last_index();
  // Newest first: the worker seals oldest first, so a segment read sealed
  // has every older one sealed by the time it is read. Oldest first, a seal
  // of two segments between the two reads showed an unsealed segment
  // before a sealed one (L3 broken, on an ASan build under load).
  const auto segments = table_.snapshot();
  f.segments.resize(segments.size());
  for (std::size_t k = segments.size(); k-- > 0;) {
    const auto& segment = segments[k];
    f.segments[k] = {segment->first_index(), segment->start_index(), segment->next_index(),
                     segment->sealed(), segment == active_};
  }
  return f;
}

#ifndef NDEBUG
void SegmentLog::check_invariants() const {
  if (const std::string broken = log_invariant_broken(facts()); !broken.empty()) {
    std::fprintf(stderr, "seglog: log invariant broken in %s: %s\n", cfg_.dir.c_str(),
                 broken.c_str());
    std::abort();
  }
}
#endif

}  // namespace seglog::detail

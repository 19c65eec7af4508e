// log/segment_log.hpp — the segmented log as a composition (docs/design.md,
// "The log"): it plans and appends batches, syncs, truncates, flushes,
// closes, keeps the sticky failure and the counters. What it is made of:
//
//   segment_table.*   the segments, their lock, the published range, read
//                     routing, the mapping cache
//   segment*.cpp      one segment (segment.hpp)
//   roll.*            the spare pool and the roll (writer half, background
//                     half)
//   compaction.cpp    truncate_before's background half, the boundary
//                     rewrite
//   recovery.cpp      open: listing, leftovers, contiguity, verdicts
//   background.*      the worker and prefaulter threads
//
// The facade adds locking of the directory, argument checks and the files
// beside the log.
//
// Threads: every mutating call comes from one writer at a time (the facade
// serialises them); locate/scan_range/first/last are safe from any thread
// and never wait for a sync (they take the table lock shared, which the
// writer takes exclusively only to swap segments in and out, never across
// I/O that waits for the disk).
//
// Invariants (design.md, "The log"), checked by check_invariants() after
// each mutation when NDEBUG is not defined:
//   L1. segments are contiguous: each starts at the previous next_index().
//   L2. first_index() = the first segment's start_index(); last_index() =
//       the newest segment's last kept index (or first_index() - 1).
//   L3. only the newest segment may be active; the others are sealed, or
//       their seal is queued (a roll's background half), or a failure left
//       them unsealed (sticky: the reopen seals them).
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>
#include <seglog/logger.hpp>
#include <seglog/stats.hpp>

#include "log/background.hpp"
#include "log/roll.hpp"
#include "log/segment.hpp"
#include "log/segment_table.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace seglog::detail {

// A segment file by its path and salt (restart_log's listing).
struct SegmentFileId {
  std::filesystem::path path;
  std::uint64_t salt = 0;
};

struct LogConfig {
  std::filesystem::path dir;
  // restart.json (restart_log): open discards the segments with these
  // salts, and a log with no segment left starts at restart_next_index.
  std::vector<std::uint64_t> discarded_salts;
  std::uint64_t restart_next_index = 0;  // 0: no restart
  std::uint64_t segment_size = 64ull << 20;
  std::uint32_t index_interval_bytes = 4096;
  MappingBudget mapping_budget;  // resolved: no automatic (0) values
  bool verify_checksums = true;
  bool read_only = false;
  Logger* logger = nullptr;
};

// Counters kept by the log (read by Storage::stats()).
struct LogCounters {
  std::atomic<std::uint64_t> entries_appended{0};
  std::atomic<std::uint64_t> bytes_appended{0};
  std::atomic<std::uint64_t> syncs{0};
  std::atomic<std::uint64_t> slow_syncs{0};
  std::atomic<std::uint64_t> max_sync_ns{0};
  std::atomic<std::uint64_t> torn_tails_cut{0};
  std::atomic<std::uint64_t> torn_bytes_cut{0};
  std::atomic<std::uint64_t> leftovers_removed{0};
  std::atomic<std::uint64_t> boundary_rewrites{0};
  std::atomic<std::uint64_t> pending_rewrites{0};
};

// What L1–L3 are about, per segment in table order (SegmentLog::facts).
struct LogSegmentFacts {
  std::uint64_t first_index = 0;
  std::uint64_t start_index = 0;
  std::uint64_t next_index = 0;
  bool sealed = false;
  bool active = false;  // the writer's active segment
};
struct LogFacts {
  std::uint64_t first_index = 1;
  std::uint64_t last_index = 0;
  std::vector<LogSegmentFacts> segments;
  std::uint64_t seals_queued = 0;  // roll seals posted and not finished
  bool failed = false;             // sticky failure
  bool writable = true;
};
// The first of L1–L3 that `facts` break, as a sentence naming it; empty
// when they hold. O(segments).
std::string log_invariant_broken(const LogFacts& facts);

class SegmentLog {
 public:
  // Opens the log in cfg.dir (recovery: docs/design.md, "Open").
  // Errors: corrupted, io_error.
  [[nodiscard]] static Result<std::unique_ptr<SegmentLog>> open(const LogConfig& cfg);
  ~SegmentLog();

  std::uint64_t first_index() const noexcept { return table_.first_index(); }
  std::uint64_t last_index() const noexcept { return table_.last_index(); }

  // Points `out` at the record of `index` (first_index() <= index <=
  // last_index()), its mapping pinned (see Segment::locate for why an
  // out-parameter). Errors: corrupted, out_of_range (truncated meanwhile),
  // compacted (compacted meanwhile), io_error.
  [[nodiscard]] Status locate(std::uint64_t index, EntryView& out) const {
    return table_.locate(index, out);
  }

  // Calls `visit` for each record of [begin, end) in order until it returns
  // false. The table lock is held only to start each segment's walk, never
  // while `visit` runs. Errors: as locate.
  [[nodiscard]] Status scan_range(std::uint64_t begin, std::uint64_t end,
                                  const Segment::Visitor& visitor) const;

  // Appends entries whose indices continue the log (checked by the caller).
  // Every segment the batch needs is preallocated first: on no_space
  // nothing is written. Errors: no_space, io_error.
  // Entry is LogEntry or EntryRef (the two append_entries overloads); each
  // payload is copied once, into the segment.
  template <class Entry>
  [[nodiscard]] Status append(std::span<const Entry> entries);
  // Errors: io_error (sticky: every later write fails until reopen).
  [[nodiscard]] Status sync();
  // Keeps ..index; first_index() - 1 <= index < last_index().
  [[nodiscard]] Status truncate_after(std::uint64_t index);
  // Keeps index..; first_index() < index. The new start is durable on
  // return; the unlinks below it and the boundary rewrite run in the
  // background (a failure of the rewrite, e.g. no_space, leaves it pending
  // and is logged, not reported here).
  [[nodiscard]] Status truncate_before(std::uint64_t index);
  // restart.cpp (restart_log, design.md): every segment file in the
  // directory, once background work settled. Errors: corrupted (an
  // unreadable identity), io_error, and the sticky failure.
  [[nodiscard]] Result<std::vector<SegmentFileId>> list_segment_files();
  // Drops every segment (`files`, as listed) and leaves the log empty at
  // next_index. Errors: io_error (an unlink or the directory sync: sticky;
  // the log is empty at next_index in memory either way).
  [[nodiscard]] Status restart(std::uint64_t next_index, const std::vector<SegmentFileId>& files);
  // Waits for the background work queued so far (seals, unlinks, rewrites).
  // Errors: io_error when a background seal failed (sticky).
  [[nodiscard]] Status flush();
  // Finishes background work and seals the active segment (the
  // clean-shutdown mark).
  [[nodiscard]] Status close();

  bool sync_failed() const noexcept { return sync_failed_.load(std::memory_order_acquire); }
  // io_error naming the sticky failure once there is one. The facade asks
  // first, before it checks a call's arguments against the log.
  [[nodiscard]] Status check_writable() const;
  void fill_stats(Stats& stats) const;

  // L1–L3 (log_invariant_broken) on the present state; aborts with the
  // broken one. Only when NDEBUG is not defined; writer thread.
  void check_invariants() const;
  LogFacts facts() const;

 private:
  explicit SegmentLog(const LogConfig& cfg);
  Segment::Config segment_config() const;
  [[nodiscard]] Status recover();
  [[nodiscard]] Status fail_sticky(Status status);
  // roll.cpp: the writer's half of a roll (steps 3–4) and the background
  // half (5–6).
  [[nodiscard]] Status roll_to(std::shared_ptr<Segment> next);
  void finish_roll(const std::shared_ptr<Segment>& previous);
  [[nodiscard]] Status seal_segment(const std::shared_ptr<Segment>& segment);
  [[nodiscard]] Status seal_active();
  void request_spares();
  // Faults in the active segment's pages ahead of the writer, on a thread
  // of its own (a seal queued on worker_ waits for the disk for tens of
  // milliseconds; the writer would catch up and fault itself).
  void prefault_ahead();
  // compaction.cpp: the unlinks and rewrite that finish a truncate_before.
  void finish_truncate_before(std::vector<std::shared_ptr<Segment>> below,
                              const std::shared_ptr<Segment>& boundary, bool rewrite);
  void rewrite_boundary(const std::shared_ptr<Segment>& boundary);
  [[nodiscard]] Status create_empty_segment(std::uint64_t first_index);
  void log(Logger::Level level, const std::string& message) const;

  LogConfig cfg_;
  SegmentTable table_;
  std::shared_ptr<Segment> active_;  // writer only
  std::atomic<bool> sync_failed_{false};
  mutable std::mutex sticky_mu_;
  Error sticky_error_;  // the first sticky failure (guarded by sticky_mu_)
  bool clean_open_ = false;
  // The last index of the segment a queued boundary rewrite copies (writer
  // only; stale once the rewrite is done, which only costs a no-op wait).
  std::uint64_t rewrite_last_ = 0;
  // Seals a roll may find still queued or running; more, and it waits.
  static constexpr std::size_t kSealsBehind = 2;
  SparePool spares_;
  // Roll seals posted and not yet finished (L3's allowance).
  std::atomic<std::uint64_t> seals_queued_{0};

 public:
  LogCounters counters;

 private:
  // Declared last: destroyed first, so queued work finishes while every
  // member it uses is alive.
  BackgroundWorker worker_;
  BackgroundWorker prefaulter_;
  // Prepares spares (roll step 1) beside worker_: behind a queue of seals,
  // each waiting for a segment's writeback, the writer's next roll would
  // wait for its spare (docs/performance.md, "At scale").
  BackgroundWorker spare_worker_;
};

#ifdef NDEBUG
inline void SegmentLog::check_invariants() const {}
#endif

}  // namespace seglog::detail

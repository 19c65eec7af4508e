// log/segment_log.hpp — the segmented log: the ordered set of segments,
// appends with rolls, truncations, sync, and the reader-side lookup
// (docs/design.md, "The log"). The facade adds locking of the directory,
// argument checks and the files beside the log.
//
// Threads: every mutating call comes from one writer at a time (the facade
// serialises them); locate/term/first/last are safe from any thread and
// never wait for a sync (they take the table lock shared, which the writer
// takes exclusively only to swap segments in and out, never across I/O
// that waits for the disk).
//
// Invariants (design.md §Log):
//   L1. segments are contiguous: each starts at the previous next_index().
//   L2. first_index() = the first segment's start_index(); last_index() =
//       the newest segment's last kept index (or first_index() - 1).
//   L3. only the newest segment may be active; all others are sealed.
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>
#include <seglog/logger.hpp>
#include <seglog/stats.hpp>

#include "log/background.hpp"
#include "log/mapping_cache.hpp"
#include "log/segment.hpp"
#include "log/table_lock.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <vector>

namespace seglog::detail {

struct LogConfig {
  std::filesystem::path dir;
  std::uint64_t segment_size = 64ull << 20;
  std::uint32_t index_interval_bytes = 4096;
  std::uint32_t max_mapped_segments = 64;
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

class SegmentLog {
 public:
  // Opens the log in cfg.dir (recovery: docs/design.md, "Open").
  // Errors: corrupted, io_error.
  [[nodiscard]] static Result<std::unique_ptr<SegmentLog>> open(const LogConfig& cfg);
  ~SegmentLog();

  std::uint64_t first_index() const noexcept {
    return first_index_.load(std::memory_order_acquire);
  }
  std::uint64_t last_index() const noexcept {
    return last_index_.load(std::memory_order_acquire);
  }

  // Points `out` at the record of `index` (first_index() <= index <=
  // last_index()), its mapping pinned (see Segment::locate for why an
  // out-parameter). Errors: corrupted, out_of_range (truncated meanwhile),
  // compacted (compacted meanwhile), io_error.
  [[nodiscard]] Status locate(std::uint64_t index, EntryView& out) const;

  // Calls `visit` for each record of [begin, end) in order until it returns
  // false. The table lock is held only to start each segment's walk, never
  // while `visit` runs. Errors: as locate.
  [[nodiscard]] Status scan_range(std::uint64_t begin, std::uint64_t end,
                                  const Segment::Visitor& visitor) const;

  // Appends entries whose indices continue the log (checked by the caller).
  // Every segment the batch needs is preallocated first: on no_space
  // nothing is written. Errors: no_space, io_error.
  [[nodiscard]] Status append(std::span<const LogEntry> entries);
  // Errors: io_error (sticky: every later write fails until reopen).
  [[nodiscard]] Status sync();
  // Keeps ..index; first_index() - 1 <= index < last_index().
  [[nodiscard]] Status truncate_after(std::uint64_t index);
  // Keeps index..; first_index() < index. The new start is durable on
  // return; the unlinks below it and the boundary rewrite run in the
  // background (a failure of the rewrite, e.g. no_space, leaves it pending
  // and is logged, not reported here).
  [[nodiscard]] Status truncate_before(std::uint64_t index);
  // Waits for the background work queued so far (seals, unlinks, rewrites).
  // Errors: io_error when a background seal failed (sticky).
  [[nodiscard]] Status flush();
  // Finishes background work and seals the active segment (the
  // clean-shutdown mark).
  [[nodiscard]] Status close();

  bool sync_failed() const noexcept { return sync_failed_.load(std::memory_order_acquire); }
  void fill_stats(Stats& stats) const;

 private:
  explicit SegmentLog(const LogConfig& cfg);
  Segment::Config segment_config();
  [[nodiscard]] Status recover();
  [[nodiscard]] Status fail_sticky(Status status);
  [[nodiscard]] Status check_writable() const;
  [[nodiscard]] Status roll_to(std::shared_ptr<Segment> next);
  // The second half of a roll, in the background: the directory entry of
  // the new segment and the seal of the one it follows.
  void finish_roll(const std::shared_ptr<Segment>& previous);
  [[nodiscard]] Status seal_segment(const std::shared_ptr<Segment>& segment);
  [[nodiscard]] Status seal_active();
  // Spare segments (Segment::prepare_spare), prepared in the background so
  // a roll does no I/O that waits for the disk. take_spare waits for one
  // being prepared; request_spares tops the pool up.
  std::shared_ptr<Segment> take_spare();
  void request_spares();
  void remove_spares();
  // Faults in the active segment's pages ahead of the writer, on a thread
  // of its own (a seal queued on worker_ waits for the disk for tens of
  // milliseconds; the writer would catch up and fault itself).
  void prefault_ahead();
  // The unlinks and rewrite that finish a truncate_before.
  void finish_truncate_before(std::vector<std::shared_ptr<Segment>> below,
                              const std::shared_ptr<Segment>& boundary, bool rewrite);
  [[nodiscard]] Status create_empty_segment(std::uint64_t first_index);
  void rewrite_boundary(const std::shared_ptr<Segment>& boundary);
  // Drops the mappings the cache evicted (MappingCache::drop_victims), with
  // the table lock taken exclusively; called with no lock held.
  void drop_evicted_mappings() const;
  // The cache's note of a mapping made by the log itself (a seal, a
  // rewrite, recovery), then the drops it causes. No lock held.
  void remember_mapping(const std::shared_ptr<Segment>& segment);
  // The segment holding `index`, with the table lock held by the caller.
  const std::shared_ptr<Segment>* find_locked(std::uint64_t index) const;
  // find_locked for a read of `index`. Errors: compacted (below
  // first_index()), out_of_range (above the segment's last index).
  [[nodiscard]] Result<const std::shared_ptr<Segment>*> find_readable_locked(
      std::uint64_t index) const;
  void log(Logger::Level level, const std::string& message) const;

  LogConfig cfg_;
  mutable MappingCache cache_;
  mutable TableLock table_mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // by first index
  std::shared_ptr<Segment> active_;                 // writer only
  std::atomic<std::uint64_t> first_index_{1};
  std::atomic<std::uint64_t> last_index_{0};
  std::atomic<bool> sync_failed_{false};
  mutable std::mutex sticky_mu_;
  Error sticky_error_;  // the first sticky failure (guarded by sticky_mu_)
  bool clean_open_ = false;
  // The last index of the segment a queued boundary rewrite copies (writer
  // only; stale once the rewrite is done, which only costs a no-op wait).
  std::uint64_t rewrite_last_ = 0;
  // Spares ready for a roll (guarded by spare_mu_), and how many are ready
  // or queued (writer only).
  static constexpr std::size_t kSpares = 2;
  std::mutex spare_mu_;
  std::vector<std::shared_ptr<Segment>> spares_;
  std::size_t spares_requested_ = 0;

 public:
  LogCounters counters;

 private:
  // Declared last: destroyed first, so queued work finishes while every
  // member it uses is alive.
  BackgroundWorker worker_;
  BackgroundWorker prefaulter_;
};

}  // namespace seglog::detail

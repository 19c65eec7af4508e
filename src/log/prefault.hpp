// log/prefault.hpp — the page cache a streaming writer reaches next, made
// resident in 2 MiB folios ahead of it (docs/design.md, "Append and roll",
// step 5).
//
// The segment file is preallocated (fallocate: unwritten extents). The
// mapping ahead of the writer is marked MADV_HUGEPAGE and populated for
// reading (MADV_POPULATE_READ) a 2 MiB chunk at a time: each fault
// allocates one 2 MiB folio and the kernel zero-fills it (an unwritten
// extent reads as zeros). The writer's records then land in folios that
// are already cached, whether it writes them with pwrite or stores them
// through the mapping, and every reader's mapping later maps such a
// folio whole (one PMD entry): after a reopen a random read of a 20 M
// entry log faults 2 MiB at a time, like a file written through one
// mapping by one thread (docs/performance.md, "At scale").
// Before (until issue 15), 1 MiB pwrites of zeros did this job: they cost
// as much CPU as the records themselves (a copy of zeros into every page)
// and left 1 MiB folios, which are mapped 4 KiB at a time.
//
// Population writes nothing: no byte of the file changes, so it needs no
// care about what the writer stored. The file ahead of the writer is cut
// into chunks, each populated once, by whoever comes first: the prefaulter
// thread (run) or, when the writer catches up with it, the writer itself
// (before it writes: ready), so a starved prefaulter costs the writer the
// population of the chunk it reaches, not a stall behind a queue. The
// writer waits only for a chunk the prefaulter is populating at that
// moment (at most one chunk).
#pragma once

#include "io/mapped_file.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace seglog::detail {

class Prefault {
 public:
  // Chunks end on 2 MiB boundaries (so should claims): the size of a
  // folio that a page-table entry of the level above maps whole (a PMD).
  static constexpr std::uint64_t kChunk = 2ull << 20;

  // `map` is the active segment's read-write mapping. From `first` on
  // (rounded down to a chunk) it is marked MADV_HUGEPAGE
  // (MappedFile::huge_folios); nothing below `first` is populated.
  Prefault(std::shared_ptr<MappedFile> map, std::uint64_t first) noexcept;

  // Writer: lets chunks up to `end` be populated (a window ahead of its
  // cursor; `from`, where the window starts, is at or past the cursor).
  void extend(std::uint64_t from, std::uint64_t end);
  // Writer: the end of everything claimed so far (extend's largest `end`).
  std::uint64_t claimed_end() const noexcept { return limit_seen_; }
  // Prefaulter thread: populates chunks up to the limit, one at a time,
  // until none is left.
  void run() noexcept;
  // Writer: returns once no chunk under [from, to) is waiting to be
  // populated (it populates those itself) or being populated.
  void ready(std::uint64_t from, std::uint64_t to) noexcept {
    if (to > settled_end_.load(std::memory_order_acquire) && from < limit_seen_) {
      ready_slow(from, to);
    }
  }
  // Seal: waits for a chunk being populated, and stops all population
  // (the seal trims the file after the footer).
  void stop() noexcept;

 private:
  void ready_slow(std::uint64_t from, std::uint64_t to) noexcept;
  // Populates [from, to) (outside mu_). Best effort: what it leaves out
  // the writer's first write there faults in instead.
  void populate(std::uint64_t from, std::uint64_t to) noexcept;
  // Under mu_: publishes how far nothing is pending.
  void settle_locked() noexcept;

  static constexpr std::uint64_t chunk_end(std::uint64_t offset) noexcept {
    return (offset / kChunk + 1) * kChunk;
  }

  std::shared_ptr<MappedFile> map_;
  std::mutex mu_;
  std::condition_variable chunk_done_;
  std::uint64_t next_;           // chunks below were taken (populated or in progress)
  std::uint64_t limit_;          // chunks may be taken up to here
  std::uint64_t busy_from_ = 0;  // the prefaulter's chunk in progress,
  std::uint64_t busy_to_ = 0;    // empty when from == to
  // Below it, no chunk is pending or in progress: the writer's fast path.
  std::atomic<std::uint64_t> settled_end_;
  std::uint64_t limit_seen_;  // writer's copy of limit_ (writer thread only)
};

}  // namespace seglog::detail

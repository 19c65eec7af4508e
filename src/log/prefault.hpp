// log/prefault.hpp — the pages a streaming writer reaches next, made
// resident, writable and mapped ahead of it, so its stores do not fault
// (docs/design.md, "Append and roll", step 5).
//
// Why zeros are written rather than only faulted: the segment file is
// preallocated, and on ext4 a store into a fallocated page that is not yet
// in the page cache costs a read fault and a page_mkwrite per 4 KiB page.
// MADV_POPULATE_WRITE pays that same price (0.8–2.8 GB/s here), slower
// than the writer, which then slept on the pages the prefaulter held
// locked. A pwrite of zeros fills the page cache a large folio at a time
// (4.7–5.7 GB/s); populating the mapping over pages already cached and
// dirty runs at 12–17 GB/s, and stores into them at ~10 GB/s
// (bench/page_prep; docs/performance.md, "Keeping faults off the append
// path").
//
// Writing zeros destroys what is there, so no byte the writer stores may
// be zeroed after it. The file ahead of the writer is cut into chunks,
// each zeroed exactly once, by whoever comes first: the prefaulter thread
// (run) or, when the writer catches up with it, the writer itself (before
// it stores: ready). Both take chunks in order from next_ under mu_; the
// writer waits only for a chunk the prefaulter is zeroing at that moment
// (at most one chunk, ~0.2 ms). So a prefaulter starved of CPU costs the
// writer the zeroing, never a stall behind a queue.
#pragma once

#include "io/file.hpp"
#include "io/mapped_file.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace seglog::detail {

class Prefault {
 public:
  // Chunks end on 1 MiB boundaries (so should claims): writes that large
  // let the page cache use large folios, and aligned ones zero 8–15%
  // faster than the same writes unaligned (bench/page_prep).
  static constexpr std::uint64_t kChunk = 1ull << 20;

  // `file` and `map` are the active segment's file (a descriptor of its
  // own, which outlives the segment's) and read-write mapping. Nothing
  // below `first` is ever zeroed; from `first` on, faults read no pages
  // ahead (MappedFile::no_read_ahead).
  Prefault(File file, std::shared_ptr<MappedFile> map, std::uint64_t first) noexcept;

  // Writer: lets chunks up to `end` be zeroed (a window ahead of its
  // cursor; `from`, where the window starts, is at or past the cursor).
  void extend(std::uint64_t from, std::uint64_t end);
  // Writer: the end of everything claimed so far (extend's largest `end`).
  std::uint64_t claimed_end() const noexcept { return limit_seen_; }
  // Prefaulter thread: zeroes and populates chunks up to the limit, one
  // at a time, until none is left.
  void run() noexcept;
  // Writer: returns once [from, to) may be stored: no chunk under it is
  // waiting to be zeroed (it zeroes those itself) or being zeroed.
  void ready(std::uint64_t from, std::uint64_t to) noexcept {
    if (to > settled_end_.load(std::memory_order_acquire) && from < limit_seen_) {
      ready_slow(from, to);
    }
  }
  // Seal: waits for a chunk being zeroed, and stops all zeroing.
  void stop() noexcept;

 private:
  void ready_slow(std::uint64_t from, std::uint64_t to) noexcept;
  // Zeroes and populates [from, to) (outside mu_). A failed write leaves
  // the pages as they were: their first store faults them instead.
  void zero(std::uint64_t from, std::uint64_t to) noexcept;
  // Under mu_: publishes how far nothing is pending.
  void settle_locked() noexcept;

  static constexpr std::uint64_t chunk_end(std::uint64_t offset) noexcept {
    return (offset / kChunk + 1) * kChunk;
  }

  File file_;
  std::shared_ptr<MappedFile> map_;
  std::mutex mu_;
  std::condition_variable chunk_done_;
  std::uint64_t next_;           // chunks below were taken (zeroed or being zeroed)
  std::uint64_t limit_;          // chunks may be taken up to here
  std::uint64_t busy_from_ = 0;  // the prefaulter's chunk in progress,
  std::uint64_t busy_to_ = 0;    // empty when from == to
  // Below it, no chunk is pending or being zeroed: the writer's fast path.
  std::atomic<std::uint64_t> settled_end_;
  std::uint64_t limit_seen_;  // writer's copy of limit_ (writer thread only)
};

}  // namespace seglog::detail

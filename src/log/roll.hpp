// log/roll.hpp — the roll: the spare pool, the writer's half
// (SegmentLog::roll_to, roll.cpp) and the background half
// (SegmentLog::finish_roll). docs/design.md, "Roll", whose table the step
// numbers in roll.cpp and segment.cpp follow:
//
//   1   spare thread, ahead: spare — create <salt>.spare, posix_fallocate,
//       map, populate the first 2 MiB, header page (first index 0, synced
//       end 4096), fdatasync, populate up to 8 MiB (Segment::prepare_spare;
//       SparePool)
//   2   writer: the batch's records up to the roll point are stored into
//       the old active segment and published
//   3   writer: assign — the identity with the real first index is stored
//       into the mapped header page (Segment::assign)
//   4   writer: rename <salt>.spare to <next>.seg; push it into the table;
//       it becomes active; queue steps 5–6 (SegmentLog::roll_to)
//   5   background: fsync(dir) (SegmentLog::finish_roll)
//   6a  background: seal — footer above the high water; fdatasync
//   6b  background: the sealed state slot; fdatasync
//   6c  background: ftruncate to the footer's end; close; free the points
//       (6a–6c: Segment::seal, then SegmentTable::release_memory_points)
//
// sync() waits for every queued 5–6, so an entry is never reported durable
// before both; a crash between 4 and 6 leaves unsealed segments behind the
// newest with nothing synced after them, which open recovers ("Open" step 4).
#pragma once

#include "log/background.hpp"
#include "log/segment.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seglog::detail {

// Spare segments (roll step 1), prepared on a worker of their own (not
// behind the seals) so that a roll does no I/O that waits for the disk.
// Writer thread, except the tasks it posts.
class SparePool {
 public:
  static constexpr std::size_t kSpares = 2;

  // A prepared spare, waiting for one being prepared; null when none was
  // requested or preparing failed (the roll then prepares inline).
  std::shared_ptr<Segment> take(BackgroundWorker& worker);
  // True when the pool holds (or has queued) fewer than kSpares: the one
  // check an append makes, before anything of request() is built.
  bool wants_more() const noexcept { return requested_ < kSpares; }
  // Tops the pool up to kSpares, each prepared by a task on `worker`;
  // a failure is passed to `warn` (logged only).
  void request(BackgroundWorker& worker, const Segment::Config& cfg, std::uint64_t capacity,
               std::function<void(const std::string&)> warn);
  // Waits for the spares being prepared and unlinks them all (close).
  void remove(BackgroundWorker& worker);

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<Segment>> spares_;  // ready (guarded by mu_)
  std::size_t requested_ = 0;                     // ready or queued (writer only)
};

}  // namespace seglog::detail

// log/compaction.cpp — truncate_before's background half and the boundary
// rewrite (docs/design.md, "truncate_before" steps 2–3 and "boundary
// rewrite" steps 1–5).
#include "errors.hpp"
#include "log/segment_log.hpp"

#include <cstring>

namespace seglog::detail {

void SegmentLog::finish_truncate_before(std::vector<std::shared_ptr<Segment>> below,
                                        const std::shared_ptr<Segment>& boundary, bool rewrite) {
  // truncate_before step 2: whole segments below the boundary go.
  if (!below.empty()) {
    for (auto& segment : below) {
      if (auto s = segment->remove_file(); !s) log(Logger::Level::warn, s.error().message());
    }
    if (auto s = sync_directory(cfg_.dir); !s) log(Logger::Level::warn, s.error().message());
  }
  // truncate_before step 3: rewrite the boundary segment without the
  // entries below its start.
  // Not after a failure (see finish_roll): it stays pending, and a later
  // truncate_before after the reopen does it.
  if (rewrite && sync_failed()) {
    log(Logger::Level::warn,
        "boundary rewrite of " + boundary->path().string() + " postponed after an earlier failure");
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
  // Steps 1–2 of the boundary rewrite (design.md) are done: the new file is
  // complete and synced. Step 3: rename it into place. Between 3 and 5 both
  // files exist: open keeps the new one.
  if (auto s = next->install(); !s) {
    (void)next->remove_file();
    log(Logger::Level::warn, s.error().message());
    return;
  }
  // Without a durable rename the old file must stay: it is the only copy
  // for sure. Open resolves the pair (the old one is superseded).
  // Step 4: fsync(dir), then the table entry is swapped.
  if (auto s = sync_directory(cfg_.dir); !s) {
    (void)fail_sticky(s);
    return;
  }
  table_.replace(boundary, next);
  table_.remember_mapping(next);
  // Step 5: the old file goes (readers holding its mapping keep it).
  if (auto s = boundary->remove_file(); !s) log(Logger::Level::warn, s.error().message());
  if (auto s = sync_directory(cfg_.dir); !s) log(Logger::Level::warn, s.error().message());
  counters.boundary_rewrites.fetch_add(1, std::memory_order_relaxed);
  counters.pending_rewrites.store(0, std::memory_order_relaxed);
}

Result<std::shared_ptr<Segment>> Segment::rewrite_kept(const Config& cfg) const {
  auto pinned = pin();
  if (!pinned) return pinned.error();
  const std::uint64_t start = start_index();
  const std::uint64_t last = last_index();
  const std::byte* base = (*pinned)->data();
  auto from = find_offset(base, start);
  if (!from) return from.error();
  const std::uint64_t end = published_end();
  const std::uint64_t bytes = end - *from;
  const std::uint64_t capacity =
      align_up(kSegmentHeaderBytes + bytes +
                   footer_bytes(SparseIndex::max_points(bytes, cfg.index_interval_bytes)),
               4096);
  // Step 1 (design.md, "boundary rewrite"): the new file, the kept records
  // copied and checked.
  auto target = prepare(cfg, start, capacity, identity_.salt);
  if (!target) return target.error();
  Segment& out = **target;
  std::byte* dst = out.writer_.map()->data();
  std::memcpy(dst + kSegmentHeaderBytes, base + *from, bytes);
  // Verify while indexing: a rewrite must not carry damage forward.
  std::uint64_t pos = kSegmentHeaderBytes;
  for (std::uint64_t index = start; index <= last; ++index) {
    DecodedRecord record;
    if (const RecordCheck check =
            check_record(dst, pos, kSegmentHeaderBytes + bytes, key_, true, index, record);
        check != RecordCheck::ok) {
      out.file_.close();
      (void)detail::remove_file(out.path_);
      return record_error(path_, *from + (pos - kSegmentHeaderBytes), index, check,
                          "during the boundary rewrite");
    }
    out.add_record(index, record.bytes);
    pos += record.bytes;
  }
  out.publish();
  // The rewrite marks itself as the log's start, so a segment below it that
  // a failed unlink left behind stays a leftover at the next open.
  out.state_->start_index = start;
  out.start_index_.store(start, std::memory_order_relaxed);
  // Step 2: sealed, complete and durable before it has its name.
  if (auto s = out.seal(); !s) {
    (void)detail::remove_file(out.path_);
    return s.error();
  }
  return target;
}

}  // namespace seglog::detail

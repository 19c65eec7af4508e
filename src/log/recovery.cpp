// log/recovery.cpp — opening a segmented log (docs/design.md, "Open"):
// list the directory, find the start and the leftovers of interrupted
// operations, adopt sealed segments by their state slot, scan the unsealed
// ones, check contiguity (L1), and apply the scans' verdicts
// (segment_scan.hpp decides them): cut a torn tail by sealing over it, so
// new appends start a fresh segment.
#include "errors.hpp"
#include "format/file_names.hpp"
#include "io/file.hpp"
#include "log/segment_log.hpp"

#include <algorithm>
#include <system_error>

namespace seglog::detail {
namespace {

struct Candidate {
  std::uint64_t first_index;
  std::filesystem::path path;
};

struct Scanned {
  std::shared_ptr<Segment> segment;
  ScanResult result;
};

// A roll seals the segment it leaves in the background, and sync() waits
// for every such seal: so unsealed segments may sit behind the newest one
// only when nothing after the first of them was ever synced (design.md,
// "Roll").
bool may_follow_unsealed(const Segment& segment) {
  const auto& state = segment.state();
  return state && !state->sealed && state->synced_end == kSegmentHeaderBytes;
}

// An unsealed segment before a sealed one: left by versions before the
// fix of issue 12's defect 1, where a roll's seal queued behind a failed
// one still ran (nothing damaged; nothing after the unsealed segment's
// own synced records was acknowledged, since no sync() succeeds after a
// failure). Such a segment is still at its preallocated size: a seal
// trims the file only after its sealed slot is durable. A sealed segment
// whose sealed slot was damaged (so that an older, unsealed slot reads as
// current) is trimmed, and stays corrupted.
bool never_trimmed(const Segment& segment) { return segment.file_size() == segment.capacity(); }

}  // namespace

Status SegmentLog::recover() {
  const bool writable = !cfg_.read_only;
  std::vector<Candidate> candidates;
  std::vector<std::filesystem::path> temporaries;
  bool removed_any = false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(cfg_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_temp_name(name) || name.ends_with(kSpareSuffix)) {
      // A temporary file or a spare is never part of the state: an
      // operation interrupted before its rename, a segment never used.
      // Removed once the log is known to open: a failed open changes nothing.
      temporaries.push_back(entry.path());
      continue;
    }
    if (auto index = parse_segment_name(name)) candidates.push_back({*index, entry.path()});
  }
  if (ec) return os_error("list directory", cfg_.dir, ec.value());
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.first_index < b.first_index; });

  // Read every header page (one small read per segment, never the records).
  std::vector<std::shared_ptr<Segment>> segments;
  for (const Candidate& c : candidates) {
    auto segment = Segment::open_existing(segment_config(), c.path, c.first_index, writable);
    if (!segment) {
      if (!writable && segment.error() == errc::corrupted) {
        log(Logger::Level::error, segment.error().message() + "; serving the log before it");
        break;
      }
      return segment.error();
    }
    segments.push_back(std::move(*segment));
  }

  // Segments of a log that restart_log discarded (restart.json names them
  // by salt) are leftovers, whatever their names: design.md, "restart_log".
  std::vector<std::shared_ptr<Segment>> discarded;
  std::erase_if(segments, [&](const std::shared_ptr<Segment>& segment) {
    const bool old = std::find(cfg_.discarded_salts.begin(), cfg_.discarded_salts.end(),
                               segment->salt()) != cfg_.discarded_salts.end();
    if (old) discarded.push_back(segment);
    return old;
  });

  // The log starts at the newest segment whose state records a start index
  // (truncate_before); older segments are leftovers of its unlinks. If the
  // next segment starts exactly there, it is the boundary's rewrite (or the
  // first segment after a snapshot install) and the boundary is superseded.
  // An unassigned segment's slot does not count: its header never reached
  // the disk, so the truncate_before that wrote the slot never returned
  // (its fdatasync would have made the header durable too), and the
  // segment is dropped below — trusting it would remove the whole log.
  std::size_t start = 0;
  for (std::size_t k = 0; k < segments.size(); ++k) {
    const auto& state = segments[k]->state();
    if (state && state->start_index != 0 && !segments[k]->unassigned()) start = k;
  }
  if (!segments.empty()) {
    const auto& state = segments[start]->state();
    if (state && state->start_index != 0 && start + 1 < segments.size() &&
        segments[start + 1]->first_index() == state->start_index) {
      ++start;
    }
  }
  std::vector<std::shared_ptr<Segment>> leftovers(
      segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(start));
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(start));
  leftovers.insert(leftovers.end(), discarded.begin(), discarded.end());

  // Sealed segments: validated by their state slot (the footer's checksum
  // is checked when first mapped). Only the newest may be unsealed, and the
  // one before it when a crash interrupted a roll's background seal.
  std::size_t usable = segments.size();
  std::vector<Scanned> scanned;
  // Segments that follow a torn tail: they hold nothing synced; dropped.
  std::vector<std::shared_ptr<Segment>> unsynced;
  // The newest segments from which on nothing was ever synced.
  std::size_t unsynced_from = segments.size();
  while (unsynced_from > 0 && may_follow_unsealed(*segments[unsynced_from - 1])) --unsynced_from;
  for (std::size_t k = 0; k < segments.size(); ++k) {
    Segment& segment = *segments[k];
    const auto& state = segment.state();
    const bool newest = k + 1 == segments.size();
    const bool behind_unsynced = k + 1 >= unsynced_from;
    Status status;
    if (segment.unassigned()) {
      // A spare a roll renamed into place, its header not yet synced: it
      // and the segments after it hold nothing synced.
      if (k >= unsynced_from) {
        unsynced.assign(segments.begin() + static_cast<std::ptrdiff_t>(k), segments.end());
        usable = k;
        break;
      }
      status = make_error(errc::corrupted, "segment " + segment.path().string() +
                                               " has no first index in its header");
    } else if (state && state->sealed) {
      status = segment.adopt_sealed();
    } else if (!newest && !behind_unsynced && !never_trimmed(segment)) {
      status = make_error(errc::corrupted, "segment " + segment.path().string() +
                                               " is not sealed but a newer segment exists");
    } else {
      auto result = segment.scan(!writable);
      if (result) {
        scanned.push_back({segments[k], *result});
      } else {
        status = result.error();
      }
    }
    if (status && k > 0 && segment.first_index() != segments[k - 1]->next_index()) {
      status = make_error(errc::corrupted,
                          "segment " + segment.path().string() + " starts at index " +
                              std::to_string(segment.first_index()) + " but the log continues at " +
                              std::to_string(segments[k - 1]->next_index()) +
                              " (missing, duplicate or misnamed segment)");
    }
    if (!status) {
      // A read-only open serves the valid prefix of *damaged* data only: a
      // failing OS call (ENOMEM mapping, EMFILE, EIO reading) or a file the
      // writer removed meanwhile (stale) fails the open rather than read
      // as a shorter log.
      if (writable || status.error() != errc::corrupted) return status;
      log(Logger::Level::error, status.error().message() + "; serving the log before it");
      usable = k;
      break;
    }
    if (!newest && !(state && state->sealed)) {
      // A roll's seal never landed (judge_behind): the segments after it
      // stay only if it lost nothing.
      if (!judge_behind(scanned.back().result, segment.next_index(),
                        segments[k + 1]->first_index())) {
        unsynced.assign(segments.begin() + static_cast<std::ptrdiff_t>(k + 1), segments.end());
        usable = k + 1;
        break;
      }
    }
  }
  segments.resize(usable);
  for (const Scanned& s : scanned) {
    if (s.result.damaged) {
      log(Logger::Level::error,
          "synced records of " + s.segment->path().string() + " are damaged at offset " +
              std::to_string(s.result.published_end) + "; serving the records before it");
    }
  }

  if (writable) {
    for (const auto& path : temporaries) {
      if (auto s = remove_file(path); !s) return s;
      counters.leftovers_removed.fetch_add(1, std::memory_order_relaxed);
      log(Logger::Level::info, "removed leftover temporary file " + path.string());
      removed_any = true;
    }
    for (auto& leftover : leftovers) {
      if (auto s = leftover->remove_file(); !s) return s;
      counters.leftovers_removed.fetch_add(1, std::memory_order_relaxed);
      log(Logger::Level::info, "removed superseded segment " + leftover->path().string());
      removed_any = true;
    }
    // Newest first, so a crash here leaves a prefix of the log.
    for (auto it = unsynced.rbegin(); it != unsynced.rend(); ++it) {
      if (auto s = (*it)->remove_file(); !s) return s;
      counters.torn_tails_cut.fetch_add(1, std::memory_order_relaxed);
      counters.torn_bytes_cut.fetch_add((*it)->file_size(), std::memory_order_relaxed);
      log(Logger::Level::warn, "removed " + (*it)->path().string() +
                                   ": a segment of an interrupted roll, holding nothing synced");
      removed_any = true;
    }
    for (Scanned& s : scanned) {
      Segment& segment = *s.segment;
      const ScanResult& scan = s.result;
      if (scan.torn) {
        counters.torn_tails_cut.fetch_add(1, std::memory_order_relaxed);
        counters.torn_bytes_cut.fetch_add(scan.torn_bytes, std::memory_order_relaxed);
        log(Logger::Level::warn, "cut a torn tail of " + std::to_string(scan.torn_bytes) +
                                     " bytes at offset " + std::to_string(scan.torn_offset) +
                                     " of " + segment.path().string() + " (after index " +
                                     std::to_string(scan.last_index) + ", beyond the last sync)");
      }
      // Sealing writes the footer over the torn bytes and trims the rest:
      // nothing of them is left for a later scan to misread. New appends go
      // to a fresh segment.
      if (auto r = segment.seal(); !r) return r;
      table_.release_memory_points(s.segment);
      table_.remember_mapping(s.segment);
    }
    if (removed_any) {
      if (auto s = sync_directory(cfg_.dir); !s) return s;
    }
  }
  clean_open_ = scanned.empty();
  if (!segments.empty()) {
    table_.set_first_index(segments.front()->start_index());
    table_.set_last_index(segments.back()->next_index() - 1);
  } else if (cfg_.restart_next_index != 0) {
    // Restarted, and nothing appended since (or all of it cut again).
    table_.set_first_index(cfg_.restart_next_index);
    table_.set_last_index(cfg_.restart_next_index - 1);
  }
  table_.assign(std::move(segments));
  check_invariants();
  return {};
}

}  // namespace seglog::detail

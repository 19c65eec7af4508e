// sweep/probe.cpp — open a damaged copy, read everything, judge.
#include "sweep/probe.hpp"

#include "support/results.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>

namespace seglog::sweep {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::corrupted_at_open:
      return "corrupted at open";
    case Outcome::corrupted_at_read:
      return "corrupted at read";
    case Outcome::torn_tail_cut:
      return "torn tail cut (unsynced entries only)";
    case Outcome::lag_cut:
      return "cut entries of the last sync (known limit: the synced end lags)";
    case Outcome::read_only_prefix:
      return "read-only: prefix before a damaged segment (logged)";
    case Outcome::read_only_silent_prefix:
      return "read-only: served the records before the damage, nothing logged (known limit)";
    case Outcome::read_only_logged:
      return "read-only: every entry served, damage logged";
    case Outcome::no_effect:
      return "no effect";
    case Outcome::violation:
      return "VIOLATION";
  }
  return "?";
}

namespace {

class CaptureLogger final : public Logger {
 public:
  void log(Level level, std::string_view) override {
    if (level == Level::error) ++errors;
  }
  int errors = 0;
};

bool same(const LogEntry& expected, std::uint64_t index, std::uint64_t term, std::uint8_t type,
          std::span<const std::byte> data) {
  return expected.index == index && expected.term == term && expected.type == type &&
         expected.data.size() == data.size() &&
         (data.empty() || std::memcmp(expected.data.data(), data.data(), data.size()) == 0);
}

template <class T>
std::string said(const Result<T>& r) {
  return test::describe(test::outcome(r));
}

template <class T>
bool is_corrupted(const Result<T>& r) {
  return !r && r.error() == errc::corrupted;
}

// What one pass of reads found.
struct ReadPass {
  std::uint64_t last = 0;
  std::set<std::uint64_t> corrupted;       // entries whose read_entry was corrupted
  std::set<std::uint64_t> term_corrupted;  // entries whose term was corrupted
  bool meta_corrupted = false;             // state, cluster or snapshot
  std::string violation;
};

// Every entry through read_entry and term; the whole range through
// get_entries, narrowed to windows and single entries around corrupted
// ones, so every payload is compared through both calls.
void read_entries(const SegmentedStorage& s, const SweepLog& log, bool logged_error,
                  std::uint64_t term_first, std::uint64_t term_last, ReadPass& pass) {
  const std::uint64_t first = s.first_index();
  pass.last = s.last_index();
  // A read-only open that found its first segment damaged serves the
  // segments before it: none, an empty log at 1 (logged).
  if (logged_error && first == 1 && pass.last == 0) return;
  if (first != log.first_index) {
    pass.violation =
        "first_index " + std::to_string(first) + ", not " + std::to_string(log.first_index);
    return;
  }
  if (pass.last > log.last_index) {
    pass.violation = "last_index " + std::to_string(pass.last) + " beyond the " +
                     std::to_string(log.last_index) + " appended";
    return;
  }
  for (std::uint64_t i = first; i <= pass.last; ++i) {
    const LogEntry& expected = log.entry(i);
    const auto view = s.read_entry(i);
    if (view) {
      if (!same(expected, view->index(), view->term(), view->type(), view->data())) {
        pass.violation = "read_entry(" + std::to_string(i) + ") returned other bytes";
        return;
      }
    } else if (is_corrupted(view)) {
      pass.corrupted.insert(i);
    } else {
      pass.violation = "read_entry(" + std::to_string(i) + "): " + said(view);
      return;
    }
    // term() takes read_entry's path; the sweep asks it where the damage
    // is (the damaged segment's entries, or all for a directory case).
    if (i < term_first || i > term_last) continue;
    const auto term = s.term(i);
    if (term ? *term != expected.term : !is_corrupted(term)) {
      pass.violation = "term(" + std::to_string(i) + "): " + said(term);
      return;
    }
    if (!term) pass.term_corrupted.insert(i);
  }
  // get_entries over [begin, end): right entries, or corrupted only where
  // read_entry was corrupted too.
  auto check_range = [&](std::uint64_t begin, std::uint64_t end) -> int {
    const auto got = s.get_entries(begin, end);
    if (!got) {
      if (!is_corrupted(got)) {
        pass.violation =
            "get_entries(" + std::to_string(begin) + ", " + std::to_string(end) + "): " + said(got);
        return -1;
      }
      return 0;
    }
    if (got->size() != end - begin) {
      pass.violation = "get_entries(" + std::to_string(begin) + ", " + std::to_string(end) +
                       ") returned " + std::to_string(got->size()) + " entries";
      return -1;
    }
    for (std::uint64_t k = 0; k < got->size(); ++k) {
      const LogEntry& e = (*got)[k];
      if (!same(log.entry(begin + k), e.index, e.term, e.type, e.data)) {
        pass.violation = "get_entries returned other bytes for index " + std::to_string(begin + k);
        return -1;
      }
    }
    return 1;
  };
  const std::uint64_t end = pass.last + 1;
  if (first >= end) return;
  const int whole = check_range(first, end);
  if (whole != 0) return;
  constexpr std::uint64_t kWindow = 16;
  for (std::uint64_t w = first; w < end; w += kWindow) {
    const std::uint64_t w_end = std::min(end, w + kWindow);
    const int window = check_range(w, w_end);
    if (window < 0) return;
    if (window > 0) {
      for (std::uint64_t i = w; i < w_end; ++i) {
        if (pass.corrupted.count(i) != 0) {
          pass.violation =
              "read_entry(" + std::to_string(i) + ") was corrupted but get_entries read it";
          return;
        }
      }
      continue;
    }
    // Entries one by one, unless read_entry found the whole window
    // corrupted too (a damaged footer: every read of the segment fails).
    bool any_read = false;
    for (std::uint64_t i = w; i < w_end; ++i) any_read |= pass.corrupted.count(i) == 0;
    if (!any_read) continue;
    for (std::uint64_t i = w; i < w_end; ++i) {
      const int single = check_range(i, i + 1);
      if (single < 0) return;
      if ((single == 0) != (pass.corrupted.count(i) != 0)) {
        pass.violation = "read_entry and get_entries disagree about index " + std::to_string(i);
        return;
      }
    }
  }
}

void read_meta(const SegmentedStorage& s, const SweepLog& log, bool logged_error, ReadPass& pass) {
  // The entry before the log is the snapshot's last one (unless a
  // read-only open served nothing: then there is no log to be before).
  const auto before = s.term(log.first_index - 1);
  if (logged_error && pass.last < log.first_index) {
    // nothing to check
  } else if (before) {
    if (*before != log.snapshot_meta.last_term) {
      pass.violation = "term of the snapshot's last index: " + std::to_string(*before);
      return;
    }
  } else if (is_corrupted(before) || (logged_error && before.error() == errc::compacted)) {
    pass.meta_corrupted = true;  // a read-only open that could not read the snapshot says so
  } else {
    pass.violation = "term(" + std::to_string(log.first_index - 1) + "): " + said(before);
    return;
  }
  const auto state = s.get_state();
  if (state ? *state != log.state : !is_corrupted(state)) {
    pass.violation = "get_state: " + (state ? std::string("another state") : said(state));
    return;
  }
  if (!state) pass.meta_corrupted = true;
  const auto cluster = s.get_cluster_config();
  if (cluster ? *cluster != log.cluster : !is_corrupted(cluster)) {
    pass.violation =
        "get_cluster_config: " + (cluster ? std::string("another config") : said(cluster));
    return;
  }
  if (!cluster) pass.meta_corrupted = true;
  const auto snapshot = s.get_snapshot();
  if (snapshot) {
    if (!*snapshot || (*snapshot)->meta != log.snapshot_meta ||
        (*snapshot)->data != log.snapshot_data) {
      pass.violation = "get_snapshot returned another snapshot";
      return;
    }
  } else if (is_corrupted(snapshot)) {
    pass.meta_corrupted = true;
  } else {
    pass.violation = "get_snapshot: " + said(snapshot);
  }
}

ReadPass read_everything(const SegmentedStorage& s, const SweepLog& log, bool logged_error,
                         const Allowance& allowance, bool meta) {
  ReadPass pass;
  read_entries(s, log, logged_error, allowance.corrupt_first, allowance.corrupt_last, pass);
  if (meta && pass.violation.empty()) read_meta(s, log, logged_error, pass);
  return pass;
}

}  // namespace

ProbeResult probe(const SweepLog& log, const fs::path& dir, const Allowance& allowance,
                  const ProbeOptions& options) {
  const bool writable = options.mode == OpenMode::writable;
  auto logger = std::make_shared<CaptureLogger>();
  Options o = log.options_for(dir);
  o.read_only = !writable;
  o.logger = logger;
  auto opened = SegmentedStorage::open(o);
  if (!opened) {
    if (is_corrupted(opened)) return {Outcome::corrupted_at_open, opened.error().message()};
    return {Outcome::violation, "open: " + said(opened)};
  }
  SegmentedStorage& s = **opened;
  const ReadPass pass = read_everything(s, log, logger->errors > 0, allowance, options.read_meta);
  if (!pass.violation.empty()) return {Outcome::violation, pass.violation};

  for (const auto* set : {&pass.corrupted, &pass.term_corrupted}) {
    for (const std::uint64_t i : *set) {
      if (i < allowance.corrupt_first || i > allowance.corrupt_last) {
        return {Outcome::violation,
                "index " + std::to_string(i) + " reads as corrupted, outside the damaged segment"};
      }
    }
  }
  ProbeResult result{Outcome::no_effect, {}};
  if (pass.last < log.last_index) {
    if (!writable && logger->errors > 0) {
      result.outcome = Outcome::read_only_prefix;
    } else if (pass.last >= allowance.torn_floor) {
      result.outcome = Outcome::torn_tail_cut;
    } else if (pass.last >= allowance.lag_floor) {
      result.outcome = Outcome::lag_cut;
    } else if (!writable && allowance.in_newest_records) {
      result.outcome = Outcome::read_only_silent_prefix;
    } else {
      return {Outcome::violation, "the log ends at " + std::to_string(pass.last) +
                                      " after the open; entries up to " +
                                      std::to_string(log.synced_last) + " were synced"};
    }
  } else if (writable && s.stats().torn_tails_cut != 0) {
    result.outcome = Outcome::torn_tail_cut;  // bytes after the last record, nothing lost
  } else if (!writable && logger->errors > 0) {
    result.outcome = Outcome::read_only_logged;
  }
  if (!pass.corrupted.empty() || pass.meta_corrupted) result.outcome = Outcome::corrupted_at_read;
  if (!writable) return result;

  if (auto closed = s.close(); !closed) return {Outcome::violation, "close: " + said(closed)};
  opened->reset();
  // Reopen where recovery cut something, and where the caller samples.
  const bool cut = result.outcome == Outcome::torn_tail_cut || pass.last < log.last_index;
  if (!options.reopen && !cut) return result;
  auto again = SegmentedStorage::open(o);
  if (!again) return {Outcome::violation, "second open: " + said(again)};
  if ((*again)->stats().torn_tails_cut != 0) {
    return {Outcome::violation, "second open cut a torn tail again"};
  }
  const ReadPass second = read_everything(**again, log, false, allowance, options.read_meta);
  if (!second.violation.empty()) return {Outcome::violation, "second open: " + second.violation};
  if (second.last != pass.last || second.corrupted != pass.corrupted ||
      second.meta_corrupted != pass.meta_corrupted) {
    return {Outcome::violation, "the second open reads differently from the first"};
  }
  if (auto closed = (*again)->close(); !closed) {
    return {Outcome::violation, "second close: " + said(closed)};
  }
  return result;
}

}  // namespace seglog::sweep

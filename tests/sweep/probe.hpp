// sweep/probe.hpp — one sweep case's check: open the damaged directory,
// read everything a node reads (every entry through read_entry and
// get_entries, every term, the state, the cluster configuration, the
// snapshot) and say what happened. Anything but `corrupted`, a permitted
// cut, or the expected bytes is a violation (invariant 1 of DESIGN.md:
// never wrong data; invariant 2: never lose synced data).
#pragma once

#include "sweep/sweep_log.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace seglog::sweep {

enum class Outcome {
  corrupted_at_open,  // open returned corrupted
  corrupted_at_read,  // open worked; some reads returned corrupted, every other read was right
  torn_tail_cut,      // the log ends early, keeping every synced entry
  lag_cut,            // known limit: the cut dropped entries of the last returned sync
  read_only_prefix,   // read-only: served the log before a segment it logged as damaged
  read_only_silent_prefix,  // read-only: served a shorter log and said nothing (known limit)
  read_only_logged,  // read-only: every entry right, damage logged (e.g. after the last segment)
  no_effect,         // every read returned exactly what was stored, nothing noticed
  violation,         // wrong data, lost synced data, another error code, ...
};

const char* outcome_name(Outcome outcome);

inline constexpr std::uint64_t kNoCut = std::numeric_limits<std::uint64_t>::max();

// How short the log may legitimately come back, from where the damage is
// (see allowance_for in regions.hpp).
struct Allowance {
  std::uint64_t torn_floor = kNoCut;  // a cut keeping at least ..torn_floor is a torn tail
  std::uint64_t lag_floor = kNoCut;   // a cut keeping at least ..lag_floor is the known lag
  // The damage is in the newest segment's records: a read-only open may
  // serve the records before it without a word (design.md, "Torn tail or
  // corruption"; a known limit).
  bool in_newest_records = false;
  // Only entries in [corrupt_first, corrupt_last] may read as corrupted:
  // those of the damaged segment (none for a damaged meta file). A
  // corrupted read elsewhere is a false alarm on intact data.
  std::uint64_t corrupt_first = 0;
  std::uint64_t corrupt_last = std::numeric_limits<std::uint64_t>::max();
};

enum class OpenMode { writable, read_only };

struct ProbeOptions {
  OpenMode mode = OpenMode::writable;
  // After a writable open that worked: close, open again and read again;
  // what recovery wrote (the seal of the newest segment) must itself read
  // back, with no second torn tail. Always done when the open cut a tail.
  bool reopen = false;
  // Also read the state, the cluster configuration and the snapshot (the
  // sweep skips them when only segment bytes were damaged: a writable
  // open reads them in no case, and they cost a third of a case).
  bool read_meta = true;
};

struct ProbeResult {
  Outcome outcome = Outcome::violation;
  std::string detail;  // for a violation: what was wrong
};

ProbeResult probe(const SweepLog& log, const fs::path& dir, const Allowance& allowance,
                  const ProbeOptions& options);

}  // namespace seglog::sweep

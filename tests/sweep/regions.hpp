// sweep/regions.hpp — what a byte of the sweep's directory is
// (docs/format.md, docs/format-meta.md), how short the log may come back
// when it is damaged, and the few regions where damage may go unnoticed.
#pragma once

#include "sweep/probe.hpp"
#include "sweep/sweep_log.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace seglog::sweep {

// The region of byte `offset` of file `name`, e.g. "sealed segment: record
// payload" or "snapshot.bin: header padding". Cases are tallied by it.
std::string region_of(const SweepLog& log, const std::string& name, std::uint64_t offset);

// How short the log may come back when damage starts at byte `offset` of
// file `name`: only damage in the newest segment at or beyond the end of
// the last returned sync may cost entries (a torn tail), and damage
// between the slot's synced end and that end may cost the last sync's
// entries (the known lag of design.md, "sync"). Everything else: no cut.
Allowance allowance_for(const SweepLog& log, const std::string& name, std::uint64_t offset);

// A region where a flipped bit may change nothing a reader sees, and why
// that is acceptable. Every other "no effect" fails the sweep.
struct AllowedRegion {
  const char* region;
  const char* why;
};
const std::vector<AllowedRegion>& undetected_allow_list();
// The reason `region` is on the allow-list, or nullptr.
const char* allowed_because(const std::string& region);

}  // namespace seglog::sweep

// sweep/sweep_runner.hpp — runs a family of single-bit flips over the
// sweep's copy: flip, open and read (probe.hpp), put the bit back and
// repair what a writable open may have written, check the directory is the
// image again, tally (tally.hpp).
#pragma once

#include "sweep/probe.hpp"
#include "sweep/sweep_log.hpp"
#include "sweep/tally.hpp"
#include "sweep/work_copy.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace seglog::sweep {

// SEGLOG_SWEEP_FULL=1: every bit of every byte, every payload byte, every
// case also through a read-only open, every truncation length. Hours.
bool full_sweep();

struct Flip {
  std::string file;
  std::uint64_t offset = 0;
};

// Every offset in [begin, end) of `file`.
void add_range(std::vector<Flip>& flips, const std::string& file, std::uint64_t begin,
               std::uint64_t end);

// The bit masks tried at a byte: one bit (which one varies with the byte
// and the file), or all eight in the full sweep.
std::vector<std::uint8_t> masks_for(const std::string& file, std::uint64_t offset);

// Runs every flip through an open of `mode` (a read-only sweep takes every
// `stride`-th flip) and prints the family's tally.
Tally run_flips(const SweepLog& log, WorkCopy& work, const std::string& family,
                const std::vector<Flip>& flips, OpenMode mode, std::size_t stride = 1);

}  // namespace seglog::sweep

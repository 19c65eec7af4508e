// sweep/sweep_runner.cpp — the loop every bit-flip family runs.
#include "sweep/sweep_runner.hpp"

#include "sweep/regions.hpp"

#include <cstdlib>
#include <functional>

namespace seglog::sweep {

bool full_sweep() {
  const char* value = std::getenv("SEGLOG_SWEEP_FULL");
  return value != nullptr && std::string(value) == "1";
}

void add_range(std::vector<Flip>& flips, const std::string& file, std::uint64_t begin,
               std::uint64_t end) {
  for (std::uint64_t offset = begin; offset < end; ++offset) flips.push_back({file, offset});
}

std::vector<std::uint8_t> masks_for(const std::string& file, std::uint64_t offset) {
  if (full_sweep()) return {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
  const std::size_t seed = std::hash<std::string>{}(file);
  return {static_cast<std::uint8_t>(1u << ((offset * 3 + seed) % 8))};
}

Tally run_flips(const SweepLog& log, WorkCopy& work, const std::string& family,
                const std::vector<Flip>& flips, OpenMode mode, std::size_t stride) {
  const bool writable = mode == OpenMode::writable;
  Tally tally(family + (writable ? ", writable open" : ", read-only open"));
  const std::string& newest = log.newest().name;
  std::uint64_t n = 0;
  for (std::size_t k = 0; k < flips.size(); k += stride) {
    const Flip& flip = flips[k];
    const std::string region = region_of(log, flip.file, flip.offset);
    const Allowance allowance = allowance_for(log, flip.file, flip.offset);
    for (const std::uint8_t mask : masks_for(flip.file, flip.offset)) {
      ++n;
      work.flip(flip.file, flip.offset, mask);
      ProbeOptions options;
      options.mode = mode;
      options.read_meta = log.segment_named(flip.file) == nullptr;
      // Check what recovery wrote in a sample (the probe adds every cut).
      options.reopen = writable && n % 16 == 0;
      const ProbeResult result = probe(log, work.dir(), allowance, options);
      // Put the bit back. A writable open seals (and trims) the unsealed
      // newest segment and may remove or add leftovers; a read-only open
      // changes nothing; neither changes any other file.
      if (!writable || flip.file != newest) work.flip(flip.file, flip.offset, mask);
      const std::string what =
          flip.file + " offset " + std::to_string(flip.offset) + " mask " + std::to_string(mask);
      std::string difference;
      const bool same = writable ? work.repair_after_writable_open(newest, difference)
                                 : work.same_names_and_sizes(difference);
      if (!same || (n % 64 == 0 && !work.matches_image(difference))) {
        tally.violation(what + ": the open changed the directory (" + difference + ")");
        work.restore_all();
      }
      tally.add(region, result, what);
    }
  }
  std::string difference;
  if (!work.matches_image(difference)) {
    tally.violation("after the family the directory differs from the image: " + difference);
  }
  tally.print();
  return tally;
}

}  // namespace seglog::sweep

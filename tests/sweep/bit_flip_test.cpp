// sweep/bit_flip_test.cpp — the corruption sweep's single-bit flips
// (issue 3, item 1; DESIGN.md invariants 1-3): every byte of every segment
// header page, record header, record padding and footer, a sample of
// payload bytes over every segment, every byte of state.json, cluster.json
// and the snapshot's header page. Each flip is opened writable (and a
// stride of them read-only) and everything is read back: the outcome must
// be corrupted (at open or at the damaged read), a torn-tail cut beyond the
// last sync, or no effect in an allow-listed region (regions.cpp).
#include "sweep/regions.hpp"
#include "sweep/sweep_runner.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

using namespace seglog;
using namespace seglog::sweep;

namespace {

// Read-only opens never write, so they are cheap to add; CI takes every
// fourth flip of each family through one as well.
constexpr std::size_t kReadOnlyStride = 4;

struct Sweep {
  SweepLog log;
  WorkCopy work{log.scratch.path() / "work", log.image};

  // The family through a writable open, then through a read-only one; any
  // violation fails the case, with the family's summary.
  void run(const std::string& family, const std::vector<Flip>& flips) {
    const Tally writable = run_flips(log, work, family, flips, OpenMode::writable);
    const Tally read_only = run_flips(log, work, family, flips, OpenMode::read_only,
                                      full_sweep() ? 1 : kReadOnlyStride);
    INFO(writable.summary() << read_only.summary());
    CHECK(writable.violations() == 0);
    CHECK(read_only.violations() == 0);
  }
};

}  // namespace

TEST_CASE("sweep: every byte of every segment header page", "[sweep][flip][header]") {
  Sweep sweep;
  std::vector<Flip> flips;
  for (const SegmentLayout& s : sweep.log.segments) add_range(flips, s.name, 0, 4096);
  REQUIRE(flips.size() >= 5 * 4096);
  sweep.run("segment header pages", flips);
}

TEST_CASE("sweep: every byte of every record header", "[sweep][flip][record]") {
  Sweep sweep;
  std::vector<Flip> flips;
  for (const SegmentLayout& s : sweep.log.segments) {
    for (const RecordSpan& r : s.records) add_range(flips, s.name, r.offset, r.offset + 32);
  }
  REQUIRE(flips.size() == 32 * sweep.log.entries.size());
  sweep.run("record headers", flips);
}

TEST_CASE("sweep: every padding byte after a payload", "[sweep][flip][record]") {
  Sweep sweep;
  std::vector<Flip> flips;
  for (const SegmentLayout& s : sweep.log.segments) {
    for (const RecordSpan& r : s.records) add_range(flips, s.name, r.offset + r.size, r.end());
  }
  REQUIRE(flips.size() >= 300);
  sweep.run("record padding", flips);
}

TEST_CASE("sweep: every byte of every footer", "[sweep][flip][footer]") {
  Sweep sweep;
  std::vector<Flip> flips;
  for (const SegmentLayout& s : sweep.log.segments) {
    if (s.sealed) add_range(flips, s.name, s.footer_offset, s.footer_offset + s.footer_bytes);
  }
  REQUIRE(flips.size() >= 500);
  sweep.run("footers", flips);
}

TEST_CASE("sweep: payload bytes spread over every segment", "[sweep][flip][payload]") {
  Sweep sweep;
  // Every payload byte in order; CI takes an even stride of at least
  // 10,000 of them, plus the first and last byte of every payload.
  std::vector<Flip> all;
  std::vector<Flip> ends;
  for (const SegmentLayout& s : sweep.log.segments) {
    for (const RecordSpan& r : s.records) {
      if (r.payload_bytes() == 0) continue;
      add_range(all, s.name, r.offset + 32, r.offset + r.size);
      ends.push_back({s.name, r.offset + 32});
      if (r.payload_bytes() > 1) ends.push_back({s.name, r.offset + r.size - 1});
    }
  }
  std::vector<Flip> flips;
  if (full_sweep()) {
    flips = all;
  } else {
    constexpr std::size_t kSample = 10'000;
    const std::size_t stride = std::max<std::size_t>(1, all.size() / kSample);
    // An odd stride, so the sample moves through every position mod 8.
    const std::size_t odd = stride | 1;
    for (std::size_t k = odd / 2; k < all.size(); k += odd) flips.push_back(all[k]);
    flips.insert(flips.end(), ends.begin(), ends.end());
    REQUIRE(flips.size() >= kSample);
  }
  std::printf("sweep payload bytes: %zu of the log's %zu payload bytes, in %zu segments\n",
              flips.size(), all.size(), sweep.log.segments.size());
  std::set<std::string> files;
  for (const Flip& f : flips) files.insert(f.file);
  REQUIRE(files.size() == sweep.log.segments.size());  // spread over all segments
  sweep.run("payload bytes", flips);
}

TEST_CASE("sweep: every byte of state.json, cluster.json and the snapshot's header page",
          "[sweep][flip][meta]") {
  Sweep sweep;
  std::vector<Flip> flips;
  add_range(flips, "state.json", 0, sweep.log.image.at("state.json").size());
  add_range(flips, "cluster.json", 0, sweep.log.image.at("cluster.json").size());
  add_range(flips, "snapshot.bin", 0, 4096);
  sweep.run("state.json, cluster.json, snapshot.bin header", flips);
}

TEST_CASE("sweep: snapshot data bytes", "[sweep][flip][meta]") {
  Sweep sweep;
  const std::uint64_t size = sweep.log.image.at("snapshot.bin").size();
  std::vector<Flip> flips;
  const std::uint64_t step = full_sweep() ? 1 : 7;
  for (std::uint64_t offset = 4096; offset < size; offset += step) {
    flips.push_back({"snapshot.bin", offset});
  }
  flips.push_back({"snapshot.bin", size - 1});
  sweep.run("snapshot.bin data", flips);
}

TEST_CASE("sweep: the undamaged copy opens with every entry, writable and read-only",
          "[sweep][flip][pristine]") {
  Sweep sweep;
  for (const OpenMode mode : {OpenMode::read_only, OpenMode::writable}) {
    ProbeOptions options;
    options.mode = mode;
    options.reopen = mode == OpenMode::writable;
    const ProbeResult result = probe(sweep.log, sweep.work.dir(), Allowance{}, options);
    INFO((mode == OpenMode::writable ? "writable: " : "read-only: ")
         << outcome_name(result.outcome) << " " << result.detail);
    CHECK(result.outcome == Outcome::no_effect);
  }
}

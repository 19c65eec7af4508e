// sweep/damaged_files_test.cpp — the corruption sweep's damaged files
// (issue 3, item 1): files cut to every length (state.json, cluster.json,
// the snapshot, the footer area of every sealed segment) or in steps
// (every segment), zero-filled 4 KiB pages, and missing, renamed,
// duplicated and stray files; each opened writable and read-only and read
// back in full (probe.hpp).
#include "sweep/regions.hpp"
#include "sweep/sweep_runner.hpp"

#include "format/file_names.hpp"
#include "log/log_helpers.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace seglog;
using namespace seglog::sweep;

namespace {

// One way to damage the copy, and what it touched.
struct Damage {
  std::string what;
  std::function<void(WorkCopy&)> apply;
  std::string file;     // the file it changes; empty: the directory (names)
  std::string region;   // tally label (cut and zero cases); empty: a directory case
  Allowance allowance;  // how short the log may come back
  std::vector<Outcome> writable_allowed;  // directory cases: the outcomes allowed
  std::vector<Outcome> read_only_allowed;
};

struct Sweep {
  SweepLog log;
  WorkCopy work{log.scratch.path() / "work", log.image};

  // Each damage through a writable and a read-only open. The copy is made
  // the image again after each: the file the case changed and the newest
  // segment (which a writable open seals), or everything after a change of
  // names.
  void run(const std::string& family, const std::vector<Damage>& damages) {
    for (const OpenMode mode : {OpenMode::writable, OpenMode::read_only}) {
      const bool writable = mode == OpenMode::writable;
      Tally tally(family + (writable ? ", writable open" : ", read-only open"));
      for (const Damage& d : damages) {
        d.apply(work);
        ProbeOptions options;
        options.mode = mode;
        options.reopen = writable;
        options.read_meta = log.segment_named(d.file) == nullptr;
        const ProbeResult result = probe(log, work.dir(), d.allowance, options);
        if (d.region.empty()) {
          tally.add_expecting(writable ? d.writable_allowed : d.read_only_allowed, result, d.what);
        } else {
          tally.add(d.region, result, d.what);
        }
        std::string difference;
        if (d.file.empty()) {
          work.restore_all();
        } else {
          work.restore(d.file);
          const bool same = writable
                                ? work.repair_after_writable_open(log.newest().name, difference)
                                : work.same_names_and_sizes(difference);
          if (!same) {
            tally.violation(d.what + ": the open changed the directory (" + difference + ")");
            work.restore_all();
          }
        }
      }
      std::string difference;
      if (!work.matches_image(difference)) tally.violation("directory differs: " + difference);
      tally.print();
      INFO(tally.summary());
      CHECK(tally.violations() == 0);
    }
  }
};

void cut_file(WorkCopy& work, const std::string& name, std::uint64_t length) {
  fs::resize_file(work.path(name), length);
}

// Cuts of `name` to every `step`-th length in [begin, end).
std::vector<Damage> cuts(const SweepLog& log, const std::string& name, std::uint64_t begin,
                         std::uint64_t end, std::uint64_t step) {
  std::vector<Damage> out;
  for (std::uint64_t length = begin; length < end; length += step) {
    Damage d;
    d.what = name + " cut to " + std::to_string(length) + " bytes";
    d.apply = [name, length](WorkCopy& w) { cut_file(w, name, length); };
    d.file = name;
    d.region = "cut " + (log.segment_named(name) ? region_of(log, name, length) : name);
    d.allowance = allowance_for(log, name, length);
    out.push_back(std::move(d));
  }
  return out;
}

const std::vector<Outcome> kCorruptedAtOpen = {Outcome::corrupted_at_open};
// A read-only open serves the segments before the first it cannot use, and
// logs it; when that is a name after the log's end, it serves everything.
const std::vector<Outcome> kReadOnlyPrefix = {Outcome::read_only_prefix, Outcome::read_only_logged};

}  // namespace

TEST_CASE("sweep: state.json and cluster.json cut to every shorter length", "[sweep][files][cut]") {
  Sweep sweep;
  std::vector<Damage> damages;
  for (const std::string name : {"state.json", "cluster.json"}) {
    const auto more = cuts(sweep.log, name, 0, sweep.log.image.at(name).size(), 1);
    damages.insert(damages.end(), more.begin(), more.end());
  }
  sweep.run("state.json and cluster.json cut", damages);
}

TEST_CASE("sweep: snapshot.bin cut short", "[sweep][files][cut]") {
  Sweep sweep;
  const std::uint64_t size = sweep.log.image.at("snapshot.bin").size();
  // Every length of the header page; the data in steps of 8 (every length
  // in the full sweep).
  auto damages = cuts(sweep.log, "snapshot.bin", 0, 4097, 1);
  const auto data = cuts(sweep.log, "snapshot.bin", 4097, size, full_sweep() ? 1 : 8);
  damages.insert(damages.end(), data.begin(), data.end());
  sweep.run("snapshot.bin cut", damages);
}

TEST_CASE("sweep: every sealed segment cut to every length of its footer area",
          "[sweep][files][cut]") {
  Sweep sweep;
  std::vector<Damage> damages;
  for (const SegmentLayout& s : sweep.log.segments) {
    // From the end of the kept records: removed records' bytes (if any),
    // the footer's points and its checksum.
    if (!s.sealed) continue;
    const auto more = cuts(sweep.log, s.name, s.records_end, s.file_bytes, 1);
    damages.insert(damages.end(), more.begin(), more.end());
  }
  REQUIRE(damages.size() >= 500);
  sweep.run("footer areas cut", damages);
}

TEST_CASE("sweep: every segment cut in steps through its length", "[sweep][files][cut]") {
  Sweep sweep;
  const std::uint64_t step = full_sweep() ? 8 : 64;
  std::vector<Damage> damages;
  for (const SegmentLayout& s : sweep.log.segments) {
    // The newest segment is cut only inside its records: a cut in its
    // preallocated zeros removes nothing.
    const std::uint64_t end = s.sealed ? s.file_bytes : s.records_end;
    const auto more = cuts(sweep.log, s.name, 0, end, step);
    damages.insert(damages.end(), more.begin(), more.end());
  }
  sweep.run("segments cut", damages);
}

TEST_CASE("sweep: zero-filled 4 KiB pages of every segment", "[sweep][files][zero]") {
  Sweep sweep;
  std::vector<Damage> damages;
  for (const SegmentLayout& s : sweep.log.segments) {
    const auto& bytes = sweep.log.image.at(s.name);
    for (std::uint64_t page = 0; page * 4096 < s.file_bytes; ++page) {
      const std::uint64_t begin = page * 4096;
      const std::uint64_t end = std::min(s.file_bytes, begin + 4096);
      std::uint64_t first_set = begin;
      while (first_set < end && bytes[first_set] == std::byte{0}) ++first_set;
      if (first_set == end) continue;  // already zeros: nothing to damage
      Damage d;
      d.what = s.name + " page " + std::to_string(page) + " zero-filled";
      d.apply = [name = s.name, begin, end](WorkCopy& w) {
        test::write_at(w.path(name), begin, std::vector<std::byte>(end - begin));
      };
      d.file = s.name;
      d.region =
          std::string("zero-filled page of the ") + (s.newest ? "newest" : "a sealed") + " segment";
      d.allowance = allowance_for(sweep.log, s.name, first_set);
      damages.push_back(std::move(d));
    }
  }
  REQUIRE(damages.size() >= 30);
  sweep.run("zero-filled pages", damages);
}

TEST_CASE("sweep: missing, renamed and duplicated segments", "[sweep][files][directory]") {
  Sweep sweep;
  const auto& segs = sweep.log.segments;
  const std::uint64_t after_last = sweep.log.last_index + 1;
  std::vector<Damage> damages;
  auto add = [&](std::string what, std::function<void(WorkCopy&)> apply) {
    Damage d;
    d.what = std::move(what);
    d.apply = std::move(apply);
    d.writable_allowed = kCorruptedAtOpen;
    d.read_only_allowed = kReadOnlyPrefix;
    damages.push_back(std::move(d));
  };
  for (std::size_t k = 1; k + 1 < segs.size(); ++k) {
    const std::string name = segs[k].name;
    add("missing " + name, [name](WorkCopy& w) { fs::remove(w.path(name)); });
  }
  for (std::size_t k = 1; k + 1 < segs.size(); ++k) {
    const std::string name = segs[k].name;
    for (const std::uint64_t to : {segs[k].first_index + 1, segs[k - 1].first_index + 1,
                                   segs[k + 1].first_index + 1, after_last}) {
      const std::string target = detail::segment_name(to);
      add(name + " renamed to " + target,
          [name, target](WorkCopy& w) { fs::rename(w.path(name), w.path(target)); });
    }
  }
  {
    const std::string a = segs[1].name;
    const std::string b = segs[segs.size() - 2].name;
    add(a + " and " + b + " swapped", [a, b](WorkCopy& w) {
      fs::rename(w.path(a), w.path("swap"));
      fs::rename(w.path(b), w.path(a));
      fs::rename(w.path("swap"), w.path(b));
    });
  }
  for (const std::size_t k : {std::size_t{0}, segs.size() / 2, segs.size() - 1}) {
    const std::string name = segs[k].name;
    for (const std::uint64_t to : {segs[k].first_index + 1, after_last}) {
      const std::string target = detail::segment_name(to);
      add(name + " copied to " + target,
          [name, target](WorkCopy& w) { fs::copy_file(w.path(name), w.path(target)); });
    }
  }
  sweep.run("missing, renamed, duplicate segments", damages);
}

TEST_CASE("sweep: stray files in the directory", "[sweep][files][directory]") {
  Sweep sweep;
  const auto& segs = sweep.log.segments;
  std::vector<Damage> damages;
  auto garbage = [](std::size_t size) {
    std::vector<std::byte> out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(0xA5 ^ (i * 29));
    return out;
  };
  auto add = [&](const std::string& name, std::size_t size, std::vector<Outcome> writable,
                 std::vector<Outcome> read_only) {
    Damage d;
    d.what = "stray " + name + " of " + std::to_string(size) + " bytes";
    d.apply = [name, bytes = garbage(size)](WorkCopy& w) { test::write_file(w.path(name), bytes); };
    d.writable_allowed = std::move(writable);
    d.read_only_allowed = std::move(read_only);
    damages.push_back(std::move(d));
  };
  const std::vector<Outcome> ignored = {Outcome::no_effect};
  // Names that are not seglog's are never read (format.md, "Directory");
  // temporaries are removed by a writable open and left by a read-only one.
  for (const std::string name :
       {"notes.txt", "abc.seg", "42.seg", "0000000000000000001.seg", "000000000000000000001.seg",
        "00000000000000000001.seg.bak", "LOCK.old", "state.json.bak", "snapshot.bin.old",
        "state.json.tmp", "cluster.json.tmp", "snapshot.bin.0123456789abcdef.tmp",
        "00000000000000000007.seg.tmp", "99999999999999999999.seg" /* > 2^64 - 1 */}) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{100}, std::size_t{5000}}) {
      add(name, size, ignored, ignored);
    }
  }
  // A name that parses as a segment is read: garbage there is corrupted.
  // After the newest segment, a read-only open still serves the whole log.
  for (const std::uint64_t index :
       {segs[2].first_index + 3, sweep.log.last_index + 1, sweep.log.last_index + 1000}) {
    const bool after = index > sweep.log.last_index;
    for (const std::size_t size :
         {std::size_t{0}, std::size_t{100}, std::size_t{4096}, std::size_t{65536}}) {
      add(detail::segment_name(index), size, kCorruptedAtOpen,
          after ? std::vector<Outcome>{Outcome::read_only_logged} : kReadOnlyPrefix);
    }
  }
  {
    Damage d;
    d.what = "a subdirectory";
    d.apply = [](WorkCopy& w) { fs::create_directory(w.path("subdir")); };
    d.writable_allowed = ignored;
    d.read_only_allowed = ignored;
    damages.push_back(std::move(d));
  }
  sweep.run("stray files", damages);
}

// Known limits the sweep found or confirms (reported, not failing CI):
// nothing in a seglog directory says which segments should exist, so a
// lost first segment opens as a compacted log (design.md, "Known limits")
// and a lost newest segment as a shorter one; a directory named like a
// segment fails every open with io_error rather than corrupted.
TEST_CASE("sweep: a lost first or newest segment and a directory named like a segment",
          "[sweep][files][directory][!mayfail]") {
  Sweep sweep;
  const auto& segs = sweep.log.segments;
  std::vector<Damage> damages;
  for (const std::string& name : {segs.front().name, segs.back().name}) {
    Damage d;
    d.what = "missing " + name;
    d.apply = [name](WorkCopy& w) { fs::remove(w.path(name)); };
    d.writable_allowed = kCorruptedAtOpen;
    d.read_only_allowed = kReadOnlyPrefix;
    damages.push_back(std::move(d));
  }
  for (const std::uint64_t index : {segs[1].first_index + 1, sweep.log.last_index + 1}) {
    Damage d;
    d.what = "a directory named " + detail::segment_name(index);
    d.apply = [index](WorkCopy& w) { fs::create_directory(w.path(detail::segment_name(index))); };
    d.writable_allowed = kCorruptedAtOpen;
    d.read_only_allowed = kReadOnlyPrefix;
    damages.push_back(std::move(d));
  }
  sweep.run("lost first/newest segment, directory named like a segment", damages);
}

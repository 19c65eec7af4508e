// tool/damage_test.cpp — verify finds every kind of damage the corruption
// sweep makes (tests/sweep: flipped bytes in each structure, cut files,
// missing, renamed and duplicate segments, stray files) plus the parts
// disagreeing (a snapshot that does not match the log, a hard state behind
// it), each at random places from a fixed seed; and exits 0 on every
// undamaged log.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "format/file_names.hpp"
#include "meta/cluster_file.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/state_file.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <iterator>
#include <random>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

// The pristine log every case damages a copy of: sealed segments, an
// unsealed newest one with an unsynced tail, state, cluster, snapshot.
struct Pristine : PristineLog {
  Pristine() : PristineLog(21, 5) {}
};

struct Expect {
  bool damage = true;  // verify exits 1 (else 0)
  std::string kind;    // a finding of this kind (empty: any)
  std::string file;    // in this file (empty: any)
  std::string severity = "damage";
};

// Damages a fresh copy with `apply`, runs verify --json, checks `expect`.
void check_case(const Pristine& p, const std::string& what,
                const std::function<void(const fs::path&)>& apply, const Expect& expect) {
  const fs::path work = p.temp / "work";
  fs::remove_all(work);
  test::copy_dir(p.dir, work);
  apply(work);
  const ToolRun run = run_tool({"verify", "--json", work.string()});
  INFO(what << "\nverify: " << run.out << run.err);
  REQUIRE(run.signal == 0);
  CHECK(run.exit_code == (expect.damage ? 1 : 0));
  const json::object report = parse_object(run.out);
  CHECK(report.at("clean").as_bool() == !expect.damage);
  bool found = false;
  for (const json::object& f : findings_of(report, expect.severity, expect.kind)) {
    if (expect.file.empty() || f.at("file").as_string() == expect.file.c_str()) found = true;
  }
  CHECK(found);
  fs::remove_all(work);
}

std::uint64_t pick(std::mt19937_64& rng, std::uint64_t begin, std::uint64_t end) {
  REQUIRE(end > begin);
  return begin + rng() % (end - begin);
}

// A byte of a header page no writer sets (open refuses it non-zero): past
// the identity block, outside both state slots, up to the page's end.
std::uint64_t reserved_offset(std::mt19937_64& rng) {
  for (;;) {
    const std::uint64_t at = pick(rng, detail::kIdentityBytes, detail::kSegmentHeaderBytes);
    const bool in_slot = std::any_of(
        std::begin(detail::kSlotOffsets), std::end(detail::kSlotOffsets),
        [at](std::uint64_t slot) { return at >= slot && at < slot + detail::kSlotBytes; });
    if (!in_slot) return at;
  }
}

constexpr int kTrials = 4;

}  // namespace

TEST_CASE("verify finds a flipped byte in each structure", "[damage][flip]") {
  Pristine p;
  std::mt19937_64 rng(16);
  std::size_t cases = 0;
  auto flip = [&](const std::string& what, const std::string& file, std::uint64_t offset,
                  const Expect& expect) {
    ++cases;
    check_case(
        p, what + " (" + file + " offset " + std::to_string(offset) + ")",
        [&](const fs::path& d) {
          test::flip_byte(d / file, offset, static_cast<std::uint8_t>(1 + rng() % 255));
        },
        expect);
  };
  const std::size_t sealed = p.segments.size() - 1;  // the newest is unsealed
  for (int t = 0; t < kTrials; ++t) {
    const std::size_t k = pick(rng, 0, sealed);
    const std::string name = p.name(k);
    const auto header = test::read_header(p.segments[k].path);
    const auto records = test::records_of(p.segments[k].path);
    const auto& rec = records[pick(rng, 0, records.size())];
    flip("a sealed segment's record", name, pick(rng, rec.offset, rec.offset + rec.bytes),
         {true, "record", name});
    flip("a sealed segment's identity block", name, pick(rng, 0, 64),
         {true, "segment_header", name});
    flip("a reserved byte of a header page", name, reserved_offset(rng),
         {true, "segment_header", name});
    const std::uint64_t slot = header.state->sequence % 2 == 0 ? 512 : 1024;
    flip("a sealed segment's current state slot", name, pick(rng, slot, slot + 64),
         {true, "", name});
    const std::uint64_t footer = header.state->footer_offset;
    flip("a sealed segment's footer", name,
         pick(rng, footer, footer + 8 * header.state->point_count + 8), {true, "footer", name});
    const std::uint64_t other = slot == 512 ? 1024 : 512;
    // Not its sequence: a slot whose sequence reads 0 was never written.
    flip("a sealed segment's older state slot", name, pick(rng, other + 8, other + 56),
         {false, "state_slot", name, "warning"});
  }
  {
    // The newest segment: records below the synced end its slot records.
    const std::size_t k = p.segments.size() - 1;
    const auto header = test::read_header(p.segments[k].path);
    std::vector<test::RecordAt> synced;
    for (const auto& r : test::records_of(p.segments[k].path)) {
      if (r.offset + r.bytes <= header.state->synced_end) synced.push_back(r);
    }
    REQUIRE(!synced.empty());
    for (int t = 0; t < kTrials; ++t) {
      const auto& rec = synced[pick(rng, 0, synced.size())];
      flip("the newest segment's synced record", p.name(k),
           pick(rng, rec.offset, rec.offset + rec.bytes), {true, "record", p.name(k)});
    }
  }
  const auto snapshot_size = fs::file_size(p.dir / "snapshot.bin");
  for (int t = 0; t < kTrials; ++t) {
    flip("snapshot.bin's header", "snapshot.bin", pick(rng, 0, 4096),
         {true, "snapshot_file", "snapshot.bin"});
    flip("snapshot.bin's data", "snapshot.bin", pick(rng, 4096, snapshot_size),
         {true, "snapshot_file", "snapshot.bin"});
    flip("state.json", "state.json", pick(rng, 0, fs::file_size(p.dir / "state.json")),
         {true, "state_file", "state.json"});
    flip("cluster.json", "cluster.json", pick(rng, 0, fs::file_size(p.dir / "cluster.json")),
         {true, "cluster_file", "cluster.json"});
  }
  std::cout << "verify damage: " << cases << " flipped bytes, each found\n";
}

TEST_CASE("verify finds files cut short", "[damage][cut]") {
  Pristine p;
  std::mt19937_64 rng(17);
  for (int t = 0; t < kTrials; ++t) {
    const std::size_t k = pick(rng, 0, p.segments.size() - 1);
    const std::string name = p.name(k);
    const std::uint64_t length = pick(rng, 0, fs::file_size(p.segments[k].path));
    check_case(p, name + " cut to " + std::to_string(length),
               [&](const fs::path& d) { test::shrink_file(d / name, length); }, {true, "", name});
    for (const std::string meta : {"snapshot.bin", "state.json", "cluster.json"}) {
      const std::uint64_t meta_length = pick(rng, 0, fs::file_size(p.dir / meta));
      check_case(p, meta + " cut to " + std::to_string(meta_length),
                 [&](const fs::path& d) { test::shrink_file(d / meta, meta_length); },
                 {true, "", meta});
    }
  }
}

TEST_CASE("verify finds missing, renamed and duplicate segments and stray files",
          "[damage][directory]") {
  Pristine p;
  std::mt19937_64 rng(18);
  const std::size_t middle = pick(rng, 1, p.segments.size() - 1);
  const std::string name = p.name(middle);
  const std::string next_name = detail::segment_name(p.segments[middle].first_index + 1);
  check_case(p, "a missing segment", [&](const fs::path& d) { fs::remove(d / name); },
             {true, "contiguity", p.name(middle + 1)});
  check_case(p, "a renamed segment",
             [&](const fs::path& d) { fs::rename(d / name, d / next_name); },
             {true, "segment_header", next_name});
  check_case(p, "a duplicated segment",
             [&](const fs::path& d) { fs::copy_file(d / name, d / next_name); },
             {true, "segment_header", next_name});
  const std::string after_end = detail::segment_name(p.log.last_index + 100);
  check_case(
      p, "garbage named like a segment",
      [&](const fs::path& d) { test::write_file(d / after_end, test::payload_for(3, 5000)); },
      {true, "segment_header", after_end});
  check_case(
      p, "a stray file",
      [&](const fs::path& d) { test::write_file(d / "notes.txt", test::payload_for(1, 10)); },
      {false, "stray_file", "notes.txt", "warning"});
  check_case(
      p, "a leftover temporary file",
      [&](const fs::path& d) { test::write_file(d / "state.json.tmp", test::payload_for(2, 10)); },
      {false, "leftover_file", "state.json.tmp", "warning"});
  check_case(p, "a directory named like a segment",
             [&](const fs::path& d) { fs::create_directory(d / after_end); },
             {true, "segment_header", after_end});
}

TEST_CASE("verify finds the parts of a directory disagreeing", "[damage][consistency]") {
  Pristine p;
  const std::uint64_t last = p.log.last_index;
  check_case(p, "a snapshot whose last term is not the log's",
             [&](const fs::path& d) {
               const auto data = test::payload_for(9, 100);
               REQUIRE(detail::store_snapshot(d, data, 60, 77, {}, {}));
             },
             {true, "snapshot_log", "snapshot.bin"});
  check_case(p, "a hard state behind the log's term",
             [&](const fs::path& d) {
               REQUIRE(detail::store_state(d, {1, "node-1", 10}));
             },
             {true, "state_log", "state.json"});
  check_case(p, "a commit index beyond the log (a lost newest segment)",
             [&](const fs::path& d) {
               REQUIRE(detail::store_state(d, {100, "node-1", last + 50}));
             },
             {true, "state_log", "state.json"});
  check_case(p, "a cluster configuration from beyond the log",
             [&](const fs::path& d) {
               REQUIRE(detail::store_cluster_config(d, {last + 10, 9, {{"a", "b", true}}}));
             },
             {true, "cluster_log", "cluster.json"});
  check_case(p, "a snapshot that leaves a gap before the log",
             [&](const fs::path& d) {
               // The log compacted past the snapshot: entries in between
               // are nowhere.
               auto storage = test::open_or_fail(tool_options(d));
               REQUIRE(storage->truncate_before(200));
               REQUIRE(storage->close());
             },
             {true, "snapshot_log", "snapshot.bin"});
}

TEST_CASE("verify exits 0 on every undamaged log", "[damage][clean]") {
  test::TempDir temp;
  std::vector<std::pair<std::string, LogShape>> shapes;
  LogShape closed;
  shapes.emplace_back("closed", closed);
  LogShape crashed;
  crashed.crash = true;
  crashed.unsynced = 9;
  shapes.emplace_back("crashed with an unsynced tail", crashed);
  LogShape compacted;
  compacted.snapshot_at = 300;
  compacted.compact = 301;
  shapes.emplace_back("compacted after a snapshot", compacted);
  LogShape bare;
  bare.meta = false;
  bare.entries = 1;
  shapes.emplace_back("one entry, no state", bare);
  LogShape big;
  big.segment_size = 1 << 20;
  big.entries = 3000;
  shapes.emplace_back("larger segments", big);
  int n = 0;
  for (const auto& [what, shape] : shapes) {
    const fs::path dir = temp / std::to_string(n++);
    make_log(dir, shape);
    const ToolRun run = run_tool({"verify", "--json", dir.string()});
    INFO(what << ": " << run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(parse_object(run.out).at("clean").as_bool());
    CHECK(run_tool({"stat", dir.string()}).exit_code == 0);
  }
}

TEST_CASE("dump --segment shows a damaged record at its offset and goes on after it",
          "[damage][forensics]") {
  Pristine p;
  std::mt19937_64 rng(19);
  const std::size_t k = pick(rng, 0, p.segments.size() - 1);
  const auto records = test::records_of(p.segments[k].path);
  REQUIRE(records.size() >= 3);
  const auto& bad = records[pick(rng, 0, records.size() - 1)];  // not the last
  const fs::path work = p.temp / "forensics";
  test::copy_dir(p.dir, work);
  const fs::path segment = work / p.name(k);
  test::flip_byte(segment, pick(rng, bad.offset, bad.offset + bad.bytes));
  const ToolRun run = run_tool({"dump", "--segment", segment.string(), "--json"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  bool invalid_seen = false;
  std::uint64_t ok_after = 0;
  std::uint64_t ok_before = 0;
  for (const json::object& line : parse_lines(run.out)) {
    if (line.contains("note")) continue;
    const auto offset = line.at("offset").to_number<std::uint64_t>();
    const std::string status = line.at("checksum").as_string().c_str();
    if (offset == bad.offset) {
      CHECK(status != "ok");
      invalid_seen = true;
    } else if (status == "ok") {
      (offset < bad.offset ? ok_before : ok_after) += 1;
    }
  }
  CHECK(invalid_seen);
  // Every other record is there, valid, at its offset.
  CHECK(ok_before + ok_after + 1 == records.size());
}

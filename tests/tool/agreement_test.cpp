// tool/agreement_test.cpp — verify's verdict against the library's own
// (issue 16): for every damage family of the corruption sweep (tests/sweep)
// and for random flipped bytes anywhere in a directory or in a version-2
// snapshot, verify reports damage when the library refuses the directory
// (a writable open, a read of any entry, the state, the configuration or
// the snapshot fails), and calls nothing damage that the library ignores;
// where verify sees more than open (the parts disagreeing), the case says
// why.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "format/file_names.hpp"
#include "meta/snapshot_header.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <iostream>
#include <random>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

// What the library makes of a directory.
struct LibraryVerdict {
  bool refused = false;  // an open or a read failed
  std::string why;       // the first failure
  std::uint64_t last_index = 0;
};

// Opens a copy of `dir` writable (the open seals the newest segment and
// removes leftovers: never the case's own directory), reads every entry,
// the state, the configuration and the whole snapshot.
LibraryVerdict library_verdict(const fs::path& dir, const fs::path& scratch) {
  fs::remove_all(scratch);
  test::copy_dir(dir, scratch);
  LibraryVerdict v;
  auto refuse = [&v](const std::string& what, const Error& e) {
    v.refused = true;
    v.why = what + ": " + e.message();
    return v;
  };
  auto opened = SegmentedStorage::open(tool_options(scratch));
  if (!opened) return refuse("open", opened.error());
  SegmentedStorage& log = **opened;
  v.last_index = log.last_index();
  for (std::uint64_t i = log.first_index(); i <= log.last_index(); ++i) {
    if (auto entry = log.get_entry(i); !entry)
      return refuse("entry " + std::to_string(i), entry.error());
  }
  if (auto state = log.get_state(); !state && state.error() != errc::not_found) {
    return refuse("get_state", state.error());
  }
  if (auto cluster = log.get_cluster_config(); !cluster) {
    return refuse("get_cluster_config", cluster.error());
  }
  if (auto snapshot = log.open_snapshot(); !snapshot && snapshot.error() != errc::not_found) {
    return refuse("open_snapshot", snapshot.error());
  }
  REQUIRE(log.close());
  fs::remove_all(scratch);
  return v;
}

struct VerifyVerdict {
  bool damage = false;
  std::string findings;  // kind@file of each damage finding, for messages
};

VerifyVerdict verify_verdict(const fs::path& dir) {
  const ToolRun run = run_tool({"verify", "--json", dir.string()});
  INFO("verify: " << run.out << run.err);
  REQUIRE(run.signal == 0);
  REQUIRE((run.exit_code == 0 || run.exit_code == 1));
  VerifyVerdict v;
  v.damage = run.exit_code == 1;
  for (const json::object& f : findings_of(parse_object(run.out), "damage")) {
    v.findings += std::string(f.at("kind").as_string().c_str()) + "@" +
                  f.at("file").as_string().c_str() + " ";
  }
  return v;
}

// A small closed log with a version-2 snapshot: 5,000 bytes of metadata
// (two pages, then 3,192 bytes of zeros up to the data at 12,288) and
// 3,000 bytes of data, written through begin_snapshot in two chunks.
struct V2Snapshot {
  V2Snapshot() {
    LogShape shape;
    shape.entries = 40;
    shape.snapshot_at = 0;
    make_log(dir, shape);
    auto log = test::open_or_fail(tool_options(dir));
    const auto data = test::payload_for(11, 3000);
    const auto metadata = test::payload_for(12, 5000);
    auto writer = log->begin_snapshot(30, 1, metadata);
    REQUIRE(writer);
    REQUIRE(writer->write(std::span(data).first(1000)));
    REQUIRE(writer->write(std::span(data).subspan(1000)));
    REQUIRE(writer->commit());
    REQUIRE(log->close());
    REQUIRE(fs::file_size(path()) == detail::snapshot_data_offset(5000) + 3000);
  }
  fs::path path() const { return dir / "snapshot.bin"; }

  test::TempDir temp;
  fs::path dir = temp / "log";
  fs::path scratch = temp / "scratch";
};

}  // namespace

TEST_CASE("verify finds a flipped byte in a version-2 snapshot's metadata and its padding",
          "[agreement][snapshot]") {
  V2Snapshot s;
  REQUIRE_FALSE(verify_verdict(s.dir).damage);
  REQUIRE_FALSE(library_verdict(s.dir, s.scratch).refused);
  // A metadata byte (open refuses it), then a padding byte after the
  // metadata (open_snapshot refuses it).
  for (const std::uint64_t offset : {std::uint64_t{4096 + 1234}, std::uint64_t{4096 + 5000 + 17}}) {
    test::flip_byte(s.path(), offset, 0x04);
    const ToolRun run = run_tool({"verify", "--json", s.dir.string()});
    INFO("offset " << offset << "\nverify: " << run.out << run.err);
    CHECK(run.exit_code == 1);
    const json::object report = parse_object(run.out);
    CHECK(findings_of(report, "damage", "snapshot_file").size() == 1);
    const LibraryVerdict library = library_verdict(s.dir, s.scratch);
    INFO("library: " << library.why);
    CHECK(library.refused);
    test::flip_byte(s.path(), offset, 0x04);
  }
}

TEST_CASE("verify's verdict on a version-2 snapshot is the library's, for random flipped bytes",
          "[agreement][snapshot][random]") {
  V2Snapshot s;
  std::mt19937_64 rng(1601);
  const std::uint64_t size = fs::file_size(s.path());
  std::size_t damaged = 0;
  std::size_t disagreements = 0;
  constexpr int kFlips = 32;
  for (int t = 0; t < kFlips; ++t) {
    const std::uint64_t offset = rng() % size;
    const auto mask = static_cast<std::uint8_t>(1 + rng() % 255);
    test::flip_byte(s.path(), offset, mask);
    const VerifyVerdict tool = verify_verdict(s.dir);
    const LibraryVerdict library = library_verdict(s.dir, s.scratch);
    INFO("snapshot.bin byte " << offset << " ^ " << int(mask) << "\nverify: " << tool.findings
                              << "\nlibrary: " << library.why);
    CHECK(tool.damage == library.refused);
    damaged += tool.damage && library.refused ? 1 : 0;
    disagreements += tool.damage != library.refused ? 1 : 0;
    test::flip_byte(s.path(), offset, mask);
  }
  std::cout << "verify against the library, version-2 snapshot: " << kFlips
            << " random flipped bytes of " << size << ", " << damaged << " refused by both, "
            << disagreements << " disagreements\n";
}

namespace {

struct Pristine : PristineLog {
  Pristine() : PristineLog(23, 5) {}
};

// One damage of the table: what the library does with it and what verify
// must say; `why` when they differ (verify checks the parts against each
// other, open does not).
struct Row {
  std::string what;
  std::function<void(const fs::path&)> apply;
  bool library_refuses = true;
  bool verify_damage = true;
  std::string why = {};
  std::string finding = {};  // kind@file of a damage finding verify must make
};

// Zeros the 4 KiB page `page` of `file` (to its end, for a last short page).
void zero_page(const fs::path& file, std::uint64_t page) {
  const std::uint64_t begin = page * 4096;
  const std::uint64_t end = std::min<std::uint64_t>(fs::file_size(file), begin + 4096);
  test::write_at(file, begin, std::vector<std::byte>(end - begin));
}

// Damages a fresh copy of the pristine log with each row, and compares.
void check_rows(const Pristine& p, const std::vector<Row>& rows) {
  const fs::path work = p.temp / "work";
  const fs::path scratch = p.temp / "scratch";
  std::size_t refused = 0;
  std::size_t ignored = 0;
  std::size_t verify_more = 0;
  std::size_t shorter = 0;  // the library took a shorter log without a word
  for (const Row& row : rows) {
    fs::remove_all(work);
    test::copy_dir(p.dir, work);
    row.apply(work);
    const VerifyVerdict tool = verify_verdict(work);
    const LibraryVerdict library = library_verdict(work, scratch);
    INFO(row.what << "\nverify: " << tool.findings << "\nlibrary: " << library.why);
    CHECK(library.refused == row.library_refuses);
    CHECK(tool.damage == row.verify_damage);
    // The rule: what the library refuses, verify reports; what it takes
    // without a word, verify does not call damage unless the row says why.
    if (library.refused) CHECK(tool.damage);
    if (!library.refused && tool.damage) CHECK_FALSE(row.why.empty());
    if (!row.finding.empty()) CHECK(tool.findings.find(row.finding + " ") != std::string::npos);
    refused += library.refused ? 1 : 0;
    ignored += !library.refused && !tool.damage ? 1 : 0;
    verify_more += !library.refused && tool.damage ? 1 : 0;
    shorter += !library.refused && library.last_index < p.log.last_index ? 1 : 0;
  }
  fs::remove_all(work);
  std::cout << "verify against the library, sweep families: " << rows.size()
            << " cases: " << refused << " refused by the library and reported, " << ignored
            << " taken by both (" << shorter << " of them as a shorter log), " << verify_more
            << " reported by verify alone (the parts disagree)\n";
}

}  // namespace

TEST_CASE("verify's verdict on each damage family of the corruption sweep agrees with open",
          "[agreement][families]") {
  Pristine p;
  std::mt19937_64 rng(1602);
  const std::size_t newest = p.segments.size() - 1;
  const std::size_t middle = 1 + rng() % (newest - 1);
  const std::string m = p.name(middle);
  const std::string n = p.name(newest);
  const fs::path pristine_m = p.segments[middle].path;
  const std::uint64_t m_pages = (fs::file_size(pristine_m) + 4095) / 4096;
  const auto n_header = test::read_header(p.segments[newest].path);
  REQUIRE(n_header.state->synced_end > 4096);
  std::vector<Row> rows;
  // Zero-filled pages: the header page, one of the records, the last (the
  // footer) of a sealed segment; the header page and a synced page of the
  // newest.
  rows.push_back({m + " header page zeroed", [&](const fs::path& d) { zero_page(d / m, 0); }, true,
                  true, "", "segment_header@" + m});
  rows.push_back({m + " records page zeroed",
                  [&](const fs::path& d) { zero_page(d / m, 1 + rng() % (m_pages - 2)); }, true,
                  true, "", "record@" + m});
  rows.push_back({m + " last page (its footer) zeroed",
                  [&](const fs::path& d) { zero_page(d / m, m_pages - 1); }});
  rows.push_back({n + " (newest) header page zeroed",
                  [&](const fs::path& d) { zero_page(d / n, 0); }, true, true, "",
                  "segment_header@" + n});
  rows.push_back({n + " (newest) page 1, below its synced end, zeroed",
                  [&](const fs::path& d) { zero_page(d / n, 1); }, true, true, "", "record@" + n});
  // Header-page bytes past the used part (1088-4095): no writer sets them,
  // so open refuses a non-zero one (design.md, "Open"); so must verify.
  for (const std::uint64_t offset :
       {std::uint64_t{1088}, std::uint64_t{4095}, 1088 + rng() % (4096 - 1088)}) {
    for (const std::string& name : {m, n}) {
      rows.push_back({name + " header byte " + std::to_string(offset) + " set",
                      [=](const fs::path& d) { test::flip_byte(d / name, offset, 0x10); }, true,
                      true, "", "segment_header@" + name});
    }
  }
  // Two segments' names swapped.
  const std::string a = p.name(1);
  const std::string b = p.name(newest - 1);
  rows.push_back({a + " and " + b + " swapped",
                  [=](const fs::path& d) {
                    fs::rename(d / a, d / "swap");
                    fs::rename(d / b, d / a);
                    fs::rename(d / "swap", d / b);
                  },
                  true, true, "", "segment_header@" + a});
  // Stray names seglog ignores: never damage.
  for (const std::string stray : {"notes.txt", "42.seg", "0000000000000000001.seg",
                                  "99999999999999999999.seg" /* > 2^64 - 1 */, "state.json.tmp"}) {
    rows.push_back({"stray " + stray,
                    [=](const fs::path& d) {
                      test::write_file(d / stray, test::payload_for(stray.size(), 5000));
                    },
                    false, false});
  }
  rows.push_back({"a subdirectory", [](const fs::path& d) { fs::create_directory(d / "subdir"); },
                  false, false});
  // A directory named like a segment: open fails on it (io_error).
  for (const std::uint64_t index : {p.segments[1].first_index + 1, p.log.last_index + 1}) {
    const std::string name = detail::segment_name(index);
    rows.push_back({"a directory named " + name,
                    [=](const fs::path& d) { fs::create_directory(d / name); }, true, true, "",
                    "segment_header@" + name});
  }
  // Lost segments: nothing in the directory says which segments should
  // exist. Without the first, open takes the log as compacted; verify sees
  // the snapshot (index 50) ending before the log starts.
  rows.push_back({"the first segment lost", [&](const fs::path& d) { fs::remove(d / p.name(0)); },
                  false, true,
                  "the snapshot leaves a gap before the log: open does not compare them",
                  "snapshot_log@snapshot.bin"});
  // Without the newest, both take a shorter log (the known limit in
  // reliability.md, "Known limits the sweep meets").
  rows.push_back(
      {"the newest segment lost", [&](const fs::path& d) { fs::remove(d / n); }, false, false});
  check_rows(p, rows);
}

TEST_CASE("verify reports damage for a random flipped byte anywhere iff the library refuses it",
          "[agreement][random]") {
  Pristine p;
  std::mt19937_64 rng(1603);
  // The files a flip may hit: every segment (to the end of its non-zero
  // bytes: the newest's preallocated zeros stay zeros) and the meta files.
  std::vector<std::pair<std::string, std::uint64_t>> files;
  for (const auto& s : p.segments) {
    const auto bytes = test::read_file(s.path);
    std::uint64_t end = bytes.size();
    while (end > 0 && bytes[end - 1] == std::byte{0}) --end;
    files.emplace_back(s.path.filename().string(), end);
  }
  for (const std::string meta : {"snapshot.bin", "state.json", "cluster.json"}) {
    files.emplace_back(meta, fs::file_size(p.dir / meta));
  }
  const fs::path work = p.temp / "work";
  const fs::path scratch = p.temp / "scratch";
  test::copy_dir(p.dir, work);
  constexpr int kFlips = 32;
  std::size_t refused = 0;
  std::size_t disagreements = 0;
  for (int t = 0; t < kFlips; ++t) {
    const auto& [name, end] = files[rng() % files.size()];
    const std::uint64_t offset = rng() % end;
    const auto mask = static_cast<std::uint8_t>(1 + rng() % 255);
    test::flip_byte(work / name, offset, mask);
    const VerifyVerdict tool = verify_verdict(work);
    const LibraryVerdict library = library_verdict(work, scratch);
    INFO(name << " byte " << offset << " ^ " << int(mask) << "\nverify: " << tool.findings
              << "\nlibrary: " << library.why);
    CHECK(tool.damage == library.refused);
    refused += tool.damage && library.refused ? 1 : 0;
    disagreements += tool.damage != library.refused ? 1 : 0;
    test::flip_byte(work / name, offset, mask);
  }
  std::cout << "verify against the library, random flipped bytes: " << kFlips << " cases, "
            << refused << " refused by the library and reported, "
            << kFlips - refused - disagreements << " taken by both (a torn tail, an older slot), "
            << disagreements << " disagreements\n";
}

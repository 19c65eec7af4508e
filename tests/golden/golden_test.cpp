// golden/golden_test.cpp — the on-disk format is the same on every
// architecture: tests/golden/data/ (written on x86-64 by golden_make, see
// golden_log.hpp) reads back entry by entry, and the same operations
// write the same bytes, here on whatever machine runs this (x86-64 and
// aarch64 under qemu in CI).
#include "fuzz/segment_checksums.hpp"
#include "golden/golden_log.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace seglog::golden {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = SEGLOG_GOLDEN_DIR;

bool is_golden_file(const fs::path& path) {
  const std::string name = path.filename().string();
  return path.extension() == ".seg" || name == "state.json" || name == "cluster.json" ||
         name == "snapshot.bin";
}

// name -> bytes of the files golden_make keeps.
std::map<std::string, std::vector<std::byte>> golden_files(const fs::path& dir) {
  std::map<std::string, std::vector<std::byte>> files;
  for (const auto& file : fs::directory_iterator(dir)) {
    if (!is_golden_file(file.path())) continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::transform(chars.begin(), chars.end(), bytes.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    files.emplace(file.path().filename().string(), std::move(bytes));
  }
  return files;
}

void copy_golden(const fs::path& to) {
  for (const auto& file : fs::directory_iterator(kGoldenDir)) {
    if (is_golden_file(file.path())) fs::copy_file(file.path(), to / file.path().filename());
  }
}

// Everything the golden directory holds, through the public API.
void check_contents(Storage& log) {
  REQUIRE(log.first_index() == 1);
  REQUIRE(log.last_index() == kEntries);
  for (std::uint64_t i = 1; i <= kEntries; ++i) {
    auto got = log.get_entry(i);
    INFO("index " << i);
    REQUIRE(got.has_value());
    CHECK(*got == entry(i));
  }
  std::uint64_t visited = 0;
  REQUIRE(log.visit_entries(1, kEntries + 1, [&](const EntryView& view) {
    ++visited;
    return view.to_entry() == entry(view.index());
  }));
  CHECK(visited == kEntries);
  CHECK(log.get_state().value() == state());
  CHECK(log.get_cluster_config().value() == cluster());
  const auto snapshot = log.get_snapshot().value();
  REQUIRE(snapshot.has_value());
  CHECK(snapshot->meta == SnapshotMeta{kSnapshotIndex, kSnapshotTerm, snapshot_data().size()});
  CHECK(snapshot->data == snapshot_data());
}

TEST_CASE("the golden directory holds sealed segments, a state, a cluster config, a snapshot",
          "[golden][read]") {
  const auto files = golden_files(kGoldenDir);
  std::size_t segments = 0;
  for (const auto& [name, bytes] : files) {
    std::printf("golden: %s, %zu bytes\n", name.c_str(), bytes.size());
    if (name.ends_with(".seg")) ++segments;
  }
  CHECK(segments >= 3);
  CHECK(files.count("state.json") == 1);
  CHECK(files.count("cluster.json") == 1);
  CHECK(files.count("snapshot.bin") == 1);
}

TEST_CASE("the golden directory reads back entry by entry, read-only and writable",
          "[golden][read]") {
  seglog::test::TempDir dir;
  copy_golden(dir.path());
  {
    Options o = options(dir.path());
    o.read_only = true;
    auto opened = SegmentedStorage::open(o);
    REQUIRE(opened.has_value());
    const Stats stats = (*opened)->stats();
    std::printf("golden read-only open: %llu segments, %llu sealed, entries %llu..%llu\n",
                static_cast<unsigned long long>(stats.segments),
                static_cast<unsigned long long>(stats.sealed_segments),
                static_cast<unsigned long long>(stats.first_index),
                static_cast<unsigned long long>(stats.last_index));
    CHECK(stats.sealed_segments >= 2);
    CHECK(stats.torn_tails_cut == 0);
    check_contents(**opened);
  }
  // Writable: the open takes the log over as it is (a clean close, so no
  // scan), and an entry appended after it reads back after a reopen.
  {
    auto opened = SegmentedStorage::open(options(dir.path()));
    REQUIRE(opened.has_value());
    check_contents(**opened);
    LogEntry next = entry(kEntries + 1);
    REQUIRE((*opened)->append_entries({&next, 1}));
    REQUIRE((*opened)->close());
  }
  auto reopened = SegmentedStorage::open(options(dir.path()));
  REQUIRE(reopened.has_value());
  CHECK((*reopened)->get_entry(kEntries + 1).value() == entry(kEntries + 1));
}

TEST_CASE("the same operations write the golden bytes (each segment modulo its random salt)",
          "[golden][write]") {
  // Appended from owning entries and from views of the same bytes
  // (EntryRef): the two append_entries overloads write the same files.
  const AppendFrom from = GENERATE(AppendFrom::log_entries, AppendFrom::entry_refs);
  INFO((from == AppendFrom::entry_refs ? "from EntryRef" : "from LogEntry"));
  seglog::test::TempDir dir;
  const fs::path written = dir.path() / "log";
  REQUIRE(write(written, from) == "");
  const auto want = golden_files(kGoldenDir);
  auto got = golden_files(written);

  std::vector<std::string> want_names, got_names;
  for (const auto& [name, bytes] : want) want_names.push_back(name);
  for (const auto& [name, bytes] : got) got_names.push_back(name);
  REQUIRE(got_names == want_names);

  for (auto& [name, bytes] : got) {
    INFO(name);
    const auto& expected = want.at(name);
    REQUIRE(bytes.size() == expected.size());
    if (name.ends_with(".seg")) {
      // Every checksum in a segment is seeded by its salt (drawn at
      // random when the segment is created): take the golden segment's,
      // recompute every checksum with it, and the files must then agree
      // byte for byte.
      REQUIRE(bytes.size() >= seglog::detail::kIdentityBytes);
      std::copy(expected.begin() + 24, expected.begin() + 32, bytes.begin() + 24);
      seglog::fuzz::fix_segment_checksums(bytes);
    }
    const auto mismatch = std::mismatch(bytes.begin(), bytes.end(), expected.begin());
    if (mismatch.first != bytes.end()) {
      FAIL_CHECK("first different byte at offset " << (mismatch.first - bytes.begin()));
    } else {
      SUCCEED(name << ": " << bytes.size() << " bytes identical");
    }
  }
}

}  // namespace
}  // namespace seglog::golden

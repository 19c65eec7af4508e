// contract/segmented_only_test.cpp — the parts of the contract only
// SegmentedStorage has: options validation, the directory (created on open,
// one writer holding it: invariant 6 of docs/design.md), read-only opens, and
// everything surviving a reopen. Built into contract_segmented only.
#include "contract/expect.hpp"

#include <functional>
#include <string>
#include <utility>

using namespace seglog;
using namespace seglog::test;

namespace {

Outcome open_outcome(const Options& options) { return outcome(SegmentedStorage::open(options)); }

std::unique_ptr<SegmentedStorage> open_or_fail(const Options& options) {
  auto opened = SegmentedStorage::open(options);
  REQUIRE(opened);
  return std::move(*opened);
}

Options read_only(Options options) {
  options.read_only = true;
  return options;
}

}  // namespace

TEST_CASE("open refuses options out of range with invalid_argument", "[segmented][options]") {
  TempDir dir;
  Options good;
  good.dir = dir.path() / "log";
  good.segment_size = 64 * 1024;
  auto with = [&](auto change) {
    Options options = good;
    change(options);
    return open_outcome(options);
  };
  CHECK(with([](Options& o) { o.segment_size = 64 * 1024 - 1; }) == errc::invalid_argument);
  CHECK(with([](Options& o) { o.segment_size = 0; }) == errc::invalid_argument);
  CHECK(with([](Options& o) { o.segment_size = (4ull << 30) + 1; }) == errc::invalid_argument);
  CHECK(with([](Options& o) { o.index_interval_bytes = 63; }) == errc::invalid_argument);
  CHECK(with([](Options& o) { o.max_entry_size = (4ull << 30) - 64 * 1024 + 1; }) ==
        errc::invalid_argument);
  // The smallest valid values open.
  CHECK(is_ok(with([](Options& o) {
    o.index_interval_bytes = 64;
    o.max_mapped_segments = 1;
    o.max_mapped_bytes = 1;
  })));
}

TEST_CASE("open creates a missing directory with its parents", "[segmented][directory]") {
  TempDir dir;
  Options options;
  options.dir = dir.path() / "a" / "b" / "log";
  options.segment_size = 64 * 1024;
  {
    auto storage = open_or_fail(options);
    append(*storage, make_entries(1, 3));
    REQUIRE(storage->close());
  }
  CHECK(std::filesystem::is_directory(options.dir));
  auto storage = open_or_fail(options);
  CHECK(storage->last_index() == 3);
}

TEST_CASE("a read-only open of a missing directory is not_found", "[segmented][read_only]") {
  TempDir dir;
  Options options;
  options.dir = dir.path() / "missing";
  options.segment_size = 64 * 1024;
  options.read_only = true;
  CHECK(open_outcome(options) == errc::not_found);
  CHECK_FALSE(std::filesystem::exists(options.dir));
}

TEST_CASE("a second writer on the same directory gets locked, also in the same process",
          "[segmented][lock]") {
  SegmentedFixture f;
  append(*f, make_entries(1, 3));
  CHECK(open_outcome(f.options()) == errc::locked);
  CHECK(open_outcome(f.options()) == errc::locked);  // a refused open keeps no lock
  CHECK(f->last_index() == 3);
  REQUIRE(f->close());
  auto second = open_or_fail(f.options());  // the lock went with close()
  CHECK(second->last_index() == 3);
  CHECK(open_outcome(f.options()) == errc::locked);
}

TEST_CASE("a writer destroyed without close releases the directory", "[segmented][lock]") {
  TempDir dir;
  Options options;
  options.dir = dir.path() / "log";
  options.segment_size = 64 * 1024;
  {
    auto writer = open_or_fail(options);
    append(*writer, make_entries(1, 5));
  }
  auto again = open_or_fail(options);
  CHECK(again->last_index() == 5);
}

TEST_CASE("a read-only open takes no lock and reads beside the writer",
          "[segmented][read_only][lock]") {
  SegmentedFixture f;
  const auto log = make_varied_entries(1, 400);
  append_in_batches(*f, log);
  REQUIRE(f->save_state(PersistentState{2, "n\xC5\x93ud", 7}));
  REQUIRE(f->flush());
  auto reader = open_or_fail(read_only(f.options()));
  auto second_reader = open_or_fail(read_only(f.options()));
  expect_log(*reader, 1, log);
  expect_log(*second_reader, 1, log);
  CHECK(reader->get_state().value() == PersistentState{2, "n\xC5\x93ud", 7});
  REQUIRE(f->append_entries(make_entries(401, 1)));  // the writer still writes
  CHECK(open_outcome(f.options()) == errc::locked);  // and still holds the lock
}

TEST_CASE("a read-only open refuses every write with read_only and changes nothing",
          "[segmented][read_only]") {
  SegmentedFixture f;
  const auto log = append(*f, make_entries(1, 10));
  REQUIRE(f->save_snapshot(snapshot_data(4), 4, 1));
  REQUIRE(f->close());
  auto reader = open_or_fail(read_only(f.options()));
  Storage& s = *reader;
  const std::vector<std::pair<std::string, std::function<Outcome()>>> writes = {
      {"append_entries", [&] { return outcome(s.append_entries(make_entries(11, 1))); }},
      {"truncate_after", [&] { return outcome(s.truncate_after(5)); }},
      {"truncate_before", [&] { return outcome(s.truncate_before(5)); }},
      {"delete_range", [&] { return outcome(s.delete_range(1, 2)); }},
      {"restart_log", [&] { return outcome(s.restart_log(50, 1)); }},
      {"set_value", [&] { return outcome(s.set_value({}, {})); }},
      {"append_entries (EntryRef)",
       [&] {
         const std::vector<EntryRef> refs{{11, 1, 0, {}}};
         return outcome(s.append_entries(std::span<const EntryRef>(refs)));
       }},
      {"save_state",
       [&] {
         return outcome(s.save_state(PersistentState{1, "x", 1}));
       }},
      {"save_snapshot", [&] { return outcome(s.save_snapshot(snapshot_data(6), 6, 1)); }},
      {"save_cluster_config", [&] { return outcome(s.save_cluster_config(ClusterConfig{})); }},
      {"sync", [&] { return outcome(s.sync()); }},
      {"begin_snapshot", [&] { return outcome(reader->begin_snapshot(6, 1)); }},
      {"save_snapshot with metadata",
       [&] { return outcome(s.save_snapshot(snapshot_data(6), 6, 1, payload_for(6, 10))); }},
  };
  for (const auto& [name, call] : writes) {
    INFO(name);
    CHECK(call() == errc::read_only);
  }
  expect_log(s, 1, log);
  CHECK(s.get_snapshot().value().value().meta == SnapshotMeta{4, 1, 100});
  REQUIRE(s.close());
  f.reopen();
  expect_log(*f, 1, log);
  CHECK(f->get_state().value() == PersistentState{});
  CHECK_FALSE(f->get_cluster_config().value().has_value());
}

TEST_CASE("reopen keeps entries over many segments, state, cluster config and snapshot",
          "[segmented][reopen]") {
  SegmentedFixture f;
  const auto log = make_varied_entries(1, 3000);
  append_in_batches(*f, log);
  const PersistentState state{9, "\xE7\xAF\x80\xE7\x82\xB9-3", 2500};
  const ClusterConfig config{2600, 9, {{"a", "h1:1", true}, {"b", "h2:1", false}}};
  REQUIRE(f->save_state(state));
  REQUIRE(f->save_cluster_config(config));
  compact(*f, 1000, 1);
  for (int i = 0; i < 3; ++i) {
    f.reopen();
    INFO("reopen " << i + 1);
    expect_log(*f, 1001, slice(log, 1001, 3001));
    CHECK(f->term(1000).value() == 1);
    CHECK(f->get_state().value() == state);
    CHECK(f->get_cluster_config().value() == config);
    CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{1000, 1, 100});
  }
}

TEST_CASE("begin_snapshot keeps its metadata: commit, open_snapshot and a reopen return it",
          "[segmented][snapshot][metadata]") {
  SegmentedFixture f;
  append(*f, make_entries(1, 20));
  const auto metadata = payload_for(77, 5000);  // more than one page
  auto writer = f.segmented().begin_snapshot(12, 1, metadata);
  REQUIRE(writer);
  const auto data = snapshot_data(12, 9000);
  REQUIRE(writer->write(std::span(data).first(4000)));
  REQUIRE(writer->write(std::span(data).subspan(4000)));
  const auto committed = writer->commit();
  REQUIRE(committed);
  const SnapshotMeta want{12, 1, data.size(), metadata};
  CHECK(*committed == want);
  for (int round = 0; round < 2; ++round) {
    INFO((round == 0 ? "before reopen" : "after reopen"));
    auto reader = f.segmented().open_snapshot();
    REQUIRE(reader);
    CHECK(reader->meta() == want);
    CHECK(std::vector<std::byte>(reader->data().begin(), reader->data().end()) == data);
    CHECK(f->get_snapshot().value().value().meta == want);
    f.reopen();
  }
  REQUIRE(f->truncate_before(13));  // the snapshot's last index, learnt at open
  CHECK(f->term(12).value() == 1);
}

TEST_CASE("begin_snapshot refuses metadata above the bound and keeps the old snapshot",
          "[segmented][snapshot][metadata]") {
  SegmentedFixture f;
  REQUIRE(f->save_snapshot(snapshot_data(3), 3, 1, payload_for(3, 8)));
  const std::vector<std::byte> huge(kMaxSnapshotMetadataBytes + 1);
  CHECK(outcome(f.segmented().begin_snapshot(5, 1, huge)) == errc::invalid_argument);
  CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{3, 1, 100, payload_for(3, 8)});
  // Refused before any file was created: no temporary snapshot file.
  for (const auto& file : std::filesystem::directory_iterator(f.options().dir)) {
    CHECK(file.path().extension() != ".tmp");
  }
}

TEST_CASE("restart_log removes every old segment file and leaves snapshot.bin's bytes as they were",
          "[segmented][restart_log]") {
  SegmentedFixture f;
  append_in_batches(*f, make_varied_entries(1, 2000));  // several segments
  REQUIRE(f->save_snapshot(snapshot_data(1500), 1500, 1, payload_for(1, 40)));
  const auto snapshot_bytes = read_file(f.options().dir / "snapshot.bin");
  auto segment_files = [&] {
    std::vector<std::string> names;
    for (const auto& file : std::filesystem::directory_iterator(f.options().dir)) {
      if (file.path().extension() == ".seg") names.push_back(file.path().filename().string());
    }
    return names;
  };
  REQUIRE(segment_files().size() > 3);
  REQUIRE(f->restart_log(1700, 2));
  CHECK(segment_files().empty());
  CHECK(std::filesystem::exists(f.options().dir / "restart.json"));
  CHECK(read_file(f.options().dir / "snapshot.bin") == snapshot_bytes);
  append(*f, make_entries(1700, 3, 2));
  f.reopen();
  CHECK(segment_files() == std::vector<std::string>{"00000000000000001700.seg"});
  CHECK(read_file(f.options().dir / "snapshot.bin") == snapshot_bytes);
  expect_log(*f, 1700, make_entries(1700, 3, 2));
}

TEST_CASE("a read-only handle reads the key-value store its writer set", "[segmented][kv]") {
  SegmentedFixture f;
  const std::vector<std::byte> key{std::byte{1}}, value{std::byte{2}, std::byte{3}};
  REQUIRE(f->set_value(key, value));
  Options options = f.options();
  options.read_only = true;
  auto reader = SegmentedStorage::open(options);
  REQUIRE(reader);
  CHECK((*reader)->get_value(key).value() == value);
  CHECK(outcome((*reader)->set_value(key, value)) == errc::read_only);
}

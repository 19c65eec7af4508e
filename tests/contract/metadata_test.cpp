// contract/metadata_test.cpp — what a node keeps beside its log: the hard
// state, the cluster configuration and the snapshot; round trips (strings
// that need escaping and non-ASCII text included), replacement, and that
// none of them changes the log.
#include "contract/expect.hpp"

using namespace seglog;
using namespace seglog::test;

namespace {

// Strings a JSON writer must escape, and text beyond ASCII.
const std::vector<std::string> kAwkwardStrings = {
    "n\xC5\x93ud-\xCE\xB2",                       // "nœud-β"
    "\xE7\xAF\x80\xE7\x82\xB9 \xF0\x9F\x9A\x80",  // "節点 🚀"
    "quote \" backslash \\ slash / tab \t newline \n cr \r",
    "control \x01\x1F del \x7F",
    "",
};

// A snapshot payload with every byte value.
std::vector<std::byte> all_byte_values(std::size_t size) {
  std::vector<std::byte> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::byte>(i % 256);
  return data;
}

void expect_snapshot(Storage& storage, const std::vector<std::byte>& data, std::uint64_t last_index,
                     std::uint64_t last_term) {
  const auto snapshot = storage.get_snapshot().value();
  REQUIRE(snapshot.has_value());
  CHECK(snapshot->meta == SnapshotMeta{last_index, last_term, data.size()});
  CHECK(snapshot->data == data);
}

}  // namespace

CONTRACT_TEST("a new storage has no snapshot, no cluster config and a default state",
              "[state][cluster][snapshot][empty]") {
  TestType f;
  CHECK(f->get_state().value() == PersistentState{});
  CHECK_FALSE(f->get_cluster_config().value().has_value());
  CHECK_FALSE(f->get_snapshot().value().has_value());
  f.reopen();
  CHECK(f->get_state().value() == PersistentState{});
  CHECK_FALSE(f->get_cluster_config().value().has_value());
  CHECK_FALSE(f->get_snapshot().value().has_value());
}

CONTRACT_TEST("save_state round-trips every field, non-ASCII voted_for included", "[state]") {
  TestType f;
  for (const std::string& voted_for : kAwkwardStrings) {
    const PersistentState state{7, voted_for, 42};
    REQUIRE(f->save_state(state));
    CHECK(f->get_state().value() == state);
    f.reopen();
    CHECK(f->get_state().value() == state);
  }
  const PersistentState extreme{UINT64_MAX, "n\xC5\x93ud-\xCE\xB2", UINT64_MAX - 1};
  REQUIRE(f->save_state(extreme));
  f.reopen();
  CHECK(f->get_state().value() == extreme);
}

// Raft engines store the vote as raw bytes (hashicorp/raft's
// LastVoteCand): any byte string is a vote, NULs and invalid UTF-8 too.
CONTRACT_TEST("save_state round-trips a voted_for of arbitrary bytes", "[state]") {
  TestType f;
  std::string all_bytes;
  for (int b = 255; b >= 0; --b) all_bytes += static_cast<char>(b);
  const std::vector<std::string> votes = {
      std::string("\0", 1),
      std::string("node\0-2", 7),
      "\xff\xfe",                                          // never valid in UTF-8
      "\xc0\xaf",                                          // overlong '/'
      "\xed\xa0\x80",                                      // a surrogate
      "n\xC5\x93ud\xC3",                                   // valid, then a cut sequence
      std::string("\x10\x00\x00\x00\x00\x00\x00\x2a", 8),  // a binary id
      all_bytes,
  };
  for (const std::string& voted_for : votes) {
    const PersistentState state{11, voted_for, 5};
    REQUIRE(f->save_state(state));
    CHECK(f->get_state().value() == state);
    f.reopen();
    CHECK(f->get_state().value() == state);
  }
}

CONTRACT_TEST("save_state replaces the previous state, back to defaults too", "[state]") {
  TestType f;
  REQUIRE(f->save_state(PersistentState{3, "node-a", 10}));
  REQUIRE(f->save_state(PersistentState{4, "", 12}));
  CHECK(f->get_state().value() == PersistentState{4, "", 12});
  REQUIRE(f->save_state(PersistentState{}));
  CHECK(f->get_state().value() == PersistentState{});
  f.reopen();
  CHECK(f->get_state().value() == PersistentState{});
}

CONTRACT_TEST("save_cluster_config round-trips voters, learners and non-ASCII ids", "[cluster]") {
  TestType f;
  ClusterConfig config{12, 3, {}};
  for (std::size_t i = 0; i < kAwkwardStrings.size(); ++i) {
    config.members.push_back(ClusterMember{kAwkwardStrings[i] + std::to_string(i),
                                           "10.0.0." + std::to_string(i) + ":7000", i % 2 == 0});
  }
  config.members.push_back(ClusterMember{"[::1]", "[::1]:7001", false});
  REQUIRE(f->save_cluster_config(config));
  CHECK(f->get_cluster_config().value() == config);
  f.reopen();
  const auto loaded = f->get_cluster_config().value();
  REQUIRE(loaded.has_value());
  CHECK(*loaded == config);
}

CONTRACT_TEST("save_cluster_config replaces the previous config, also with no members",
              "[cluster]") {
  TestType f;
  const ClusterConfig three{1, 1, {{"a", "h1:1", true}, {"b", "h2:1", true}, {"c", "h3:1", true}}};
  const ClusterConfig joint{UINT64_MAX, UINT64_MAX, {{"a", "h1:1", true}, {"d", "h4:1", false}}};
  const ClusterConfig empty{20, 4, {}};
  for (const ClusterConfig* config : {&three, &joint, &empty}) {
    REQUIRE(f->save_cluster_config(*config));
    CHECK(f->get_cluster_config().value() == *config);
    f.reopen();
    const auto loaded = f->get_cluster_config().value();
    REQUIRE(loaded.has_value());
    CHECK(*loaded == *config);
  }
}

CONTRACT_TEST("get_snapshot returns the saved data and metadata, with size == data.size()",
              "[snapshot]") {
  TestType f;
  const auto data = all_byte_values(1000);
  REQUIRE(f->save_snapshot(data, 40, 3));
  expect_snapshot(*f, data, 40, 3);
  f.reopen();
  expect_snapshot(*f, data, 40, 3);
}

CONTRACT_TEST("save_snapshot replaces the previous snapshot, empty and large ones too",
              "[snapshot]") {
  TestType f;
  const std::vector<std::vector<std::byte>> datas = {
      all_byte_values(10), {}, all_byte_values(200 * 1024), payload_for(9, 1)};
  std::uint64_t last_index = 5;
  for (const auto& data : datas) {
    INFO("snapshot of " << data.size() << " bytes");
    REQUIRE(f->save_snapshot(data, last_index, last_index / 2));
    expect_snapshot(*f, data, last_index, last_index / 2);
    f.reopen();
    expect_snapshot(*f, data, last_index, last_index / 2);
    last_index += 10;
  }
}

CONTRACT_TEST("save_snapshot does not change the log", "[snapshot]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  REQUIRE(f->save_snapshot(snapshot_data(5), 5, 1));
  expect_log_across_reopen(f, 1, log);
  REQUIRE(f->save_snapshot(snapshot_data(10), 10, 1));
  REQUIRE(f->save_snapshot(snapshot_data(30), 30, 2));  // beyond the log
  expect_log_across_reopen(f, 1, log);
  expect_snapshot(*f, snapshot_data(30), 30, 2);
}

CONTRACT_TEST("state, cluster config and snapshot are independent of each other and of the log",
              "[state][cluster][snapshot]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 4));
  const PersistentState state{2, "b", 3};
  const ClusterConfig config{1, 1, {{"a", "h1:1", true}}};
  REQUIRE(f->save_state(state));
  REQUIRE(f->save_cluster_config(config));
  REQUIRE(f->save_snapshot(snapshot_data(2), 2, 1));
  REQUIRE(f->truncate_after(3));
  REQUIRE(f->truncate_before(3));
  f.reopen();
  CHECK(f->get_state().value() == state);
  CHECK(f->get_cluster_config().value() == config);
  expect_snapshot(*f, snapshot_data(2), 2, 1);
  expect_log(*f, 3, slice(log, 3, 4));
}

CONTRACT_TEST("save_snapshot keeps opaque metadata with the snapshot, across a reopen",
              "[snapshot][metadata]") {
  TestType f;
  append(*f, make_entries(1, 10));
  // Every byte value, NULs included, over more than one 4 KiB page.
  const auto metadata = all_byte_values(4097);
  const auto data = all_byte_values(3000);
  REQUIRE(f->save_snapshot(data, 8, 2, metadata));
  const SnapshotMeta want{8, 2, data.size(), metadata};
  CHECK(f->get_snapshot().value().value().meta == want);
  f.reopen();
  const auto snapshot = f->get_snapshot().value();
  REQUIRE(snapshot.has_value());
  CHECK(snapshot->meta == want);
  CHECK(snapshot->data == data);
  REQUIRE(f->truncate_before(9));
  CHECK(f->term(8).value() == 2);
}

// Empty data leaves the file ending inside the metadata's last page unless
// the writer pads it (the C ABI's random test found a snapshot that saved
// and then read as corrupted).
CONTRACT_TEST("a snapshot with metadata and no data reads back, across a reopen",
              "[snapshot][metadata]") {
  TestType f;
  append(*f, make_entries(1, 10));
  for (const std::size_t size :
       {std::size_t{1}, std::size_t{4}, std::size_t{4095}, std::size_t{4096}, std::size_t{4097}}) {
    INFO("metadata of " << size << " bytes");
    const auto metadata = all_byte_values(size);
    REQUIRE(f->save_snapshot({}, 8, 2, metadata));
    const SnapshotMeta want{8, 2, 0, metadata};
    CHECK(f->get_snapshot().value().value().meta == want);
    f.reopen();
    const auto snapshot = f->get_snapshot();
    REQUIRE(snapshot);
    REQUIRE(snapshot->has_value());
    CHECK((*snapshot)->meta == want);
    CHECK((*snapshot)->data.empty());
  }
}

CONTRACT_TEST("save_snapshot without metadata replaces one with metadata, and back",
              "[snapshot][metadata]") {
  TestType f;
  const auto metadata = payload_for(5, 33);
  REQUIRE(f->save_snapshot(snapshot_data(5), 5, 1, metadata));
  REQUIRE(f->save_snapshot(snapshot_data(6), 6, 1));
  f.reopen();
  expect_snapshot(*f, snapshot_data(6), 6, 1);
  CHECK(f->get_snapshot().value().value().meta.metadata.empty());
  REQUIRE(f->save_snapshot(snapshot_data(7), 7, 1, metadata));
  f.reopen();
  CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{7, 1, 100, metadata});
}

CONTRACT_TEST("save_snapshot with metadata at the bound is kept; above it, invalid_argument",
              "[snapshot][metadata]") {
  TestType f;
  const std::vector<std::byte> at_bound(kMaxSnapshotMetadataBytes, std::byte{0x5A});
  REQUIRE(f->save_snapshot(snapshot_data(4), 4, 1, at_bound));
  const std::vector<std::byte> above(kMaxSnapshotMetadataBytes + 1);
  const Outcome refused = outcome(f->save_snapshot(snapshot_data(9), 9, 1, above));
  CHECK(refused == errc::invalid_argument);
  CHECK_THAT(refused.message, Catch::Contains("metadata"));
  f.reopen();
  CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{4, 1, 100, at_bound});
}

// meta/snapshot_writer_test.cpp — streaming snapshots: chunks, commit,
// abandon, readers that outlive a newer snapshot, failures mid-way.
#include "meta/meta_support.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/snapshot_header.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace seglog::test {
namespace {

using detail::begin_snapshot;
using detail::load_snapshot;
using detail::open_snapshot;

TEST_CASE("a writer streams into one temporary file named snapshot.bin.<hex>.tmp") {
  TempDir dir;
  SnapshotWriter writer = begin(dir);
  REQUIRE(is_ok(outcome(writer.write(payload_for(1, 10)))));
  const auto names = names_in(dir.path());
  REQUIRE(names.size() == 1);
  const std::string& name = names[0];
  INFO(name);
  REQUIRE(name.size() == std::string("snapshot.bin.").size() + 16 + 4);
  CHECK(name.starts_with("snapshot.bin."));
  CHECK(name.ends_with(".tmp"));
  CHECK(name.substr(13, 16).find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(writer.bytes_written() == 10);
}

TEST_CASE("a snapshot written in many chunks reads back byte for byte") {
  TempDir dir;
  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kChunks = 64;
  SnapshotWriter writer = begin(dir, 1000, 9);
  for (std::size_t i = 0; i < kChunks; ++i) {
    REQUIRE(is_ok(outcome(writer.write(payload_for(i, kChunk)))));
  }
  CHECK(writer.bytes_written() == kChunk * kChunks);
  const auto meta = writer.commit();
  REQUIRE(meta);
  CHECK(*meta == SnapshotMeta{1000, 9, kChunk * kChunks});
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  REQUIRE(reader->data().size() == kChunk * kChunks);
  for (std::size_t i = 0; i < kChunks; ++i) {
    const std::vector<std::byte> expected = payload_for(i, kChunk);
    REQUIRE(std::equal(expected.begin(), expected.end(),
                       reader->data().begin() + static_cast<std::ptrdiff_t>(i * kChunk)));
  }
  std::cout << "streamed " << kChunks << " chunks of " << kChunk << " bytes\n";
}

TEST_CASE("chunks of uneven sizes, empty ones included, concatenate") {
  TempDir dir;
  const std::vector<std::byte> data = payload_for(77, 50000);
  SnapshotWriter writer = begin(dir);
  std::size_t at = 0;
  for (std::size_t size : {0u, 1u, 4095u, 0u, 7u, 40000u}) {
    REQUIRE(is_ok(outcome(writer.write(std::span(data).subspan(at, size)))));
    at += size;
  }
  REQUIRE(is_ok(outcome(writer.write(std::span(data).subspan(at)))));
  REQUIRE(is_ok(outcome(writer.commit())));
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->data == data);
}

TEST_CASE("a committed writer with no chunks is a zero-length snapshot") {
  TempDir dir;
  SnapshotWriter writer = begin(dir, 3, 1);
  const auto meta = writer.commit();
  REQUIRE(meta);
  CHECK(*meta == SnapshotMeta{3, 1, 0});
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  CHECK(reader->data().empty());
}

TEST_CASE("commit calls on_commit once, after snapshot.bin holds the new snapshot") {
  TempDir dir;
  int calls = 0;
  SnapshotWriter writer = begin(dir, 5, 2, [&](const SnapshotMeta& meta) {
    ++calls;
    CHECK(meta == SnapshotMeta{5, 2, 3});
    const auto reader = open_snapshot(dir.path());
    REQUIRE(reader);
    CHECK(reader->meta() == meta);
  });
  REQUIRE(is_ok(outcome(writer.write(payload_for(1, 3)))));
  REQUIRE(is_ok(outcome(writer.commit())));
  CHECK(calls == 1);
}

TEST_CASE("an abandoned writer leaves no files and keeps the old snapshot") {
  TempDir dir;
  commit_snapshot(dir, payload_for(1, 100), 10);
  SnapshotWriter writer = begin(dir, 20, 2, [](const SnapshotMeta&) { FAIL("on_commit"); });
  REQUIRE(is_ok(outcome(writer.write(payload_for(2, 5000)))));
  writer.abandon();
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
  CHECK(outcome(writer.write(payload_for(3, 1))) == errc::invalid_argument);
  CHECK(outcome(writer.commit()) == errc::invalid_argument);
  writer.abandon();  // twice is harmless
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->meta.last_index == 10);
}

TEST_CASE("a writer destroyed before commit leaves no files") {
  TempDir dir;
  {
    SnapshotWriter writer = begin(dir);
    REQUIRE(is_ok(outcome(writer.write(payload_for(2, 5000)))));
  }
  CHECK(names_in(dir.path()).empty());
}

TEST_CASE("a writer assigned over abandons the one it replaces") {
  TempDir dir;
  SnapshotWriter first = begin(dir);
  REQUIRE(is_ok(outcome(first.write(payload_for(1, 10)))));
  SnapshotWriter second = begin(dir);
  REQUIRE(names_in(dir.path()).size() == 2);
  first = std::move(second);
  CHECK(names_in(dir.path()).size() == 1);
  REQUIRE(is_ok(outcome(first.commit())));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
  CHECK(first.bytes_written() == 0);
}

TEST_CASE("a moved-from writer refuses calls and removes nothing") {
  TempDir dir;
  SnapshotWriter writer = begin(dir);
  SnapshotWriter moved = std::move(writer);
  CHECK(outcome(writer.write(payload_for(1, 1))) ==
        errc::invalid_argument);  // NOLINT(bugprone-use-after-move)
  CHECK(outcome(writer.commit()) == errc::invalid_argument);
  writer.abandon();
  CHECK(names_in(dir.path()).size() == 1);
  REQUIRE(is_ok(outcome(moved.commit())));
}

TEST_CASE("a committed writer refuses further writes and commits") {
  TempDir dir;
  SnapshotWriter writer = begin(dir);
  REQUIRE(is_ok(outcome(writer.commit())));
  CHECK(outcome(writer.write(payload_for(1, 1))) == errc::invalid_argument);
  CHECK(outcome(writer.commit()) == errc::invalid_argument);
  writer.abandon();  // after commit: nothing to remove
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
}

TEST_CASE("an uncommitted writer does not change the current snapshot") {
  TempDir dir;
  commit_snapshot(dir, payload_for(1, 100), 10);
  SnapshotWriter writer = begin(dir, 20, 2);
  REQUIRE(is_ok(outcome(writer.write(payload_for(2, 100)))));
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  CHECK(reader->meta().last_index == 10);
}

TEST_CASE("a reader stays valid and unchanged after a newer snapshot is committed") {
  TempDir dir;
  const std::vector<std::byte> old_data = payload_for(1, 200000);
  commit_snapshot(dir, old_data, 10);
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  const SnapshotReader copy = *reader;
  commit_snapshot(dir, payload_for(2, 300), 20);
  commit_snapshot(dir, payload_for(3, 400000), 30);
  CHECK(copy.meta().last_index == 10);
  CHECK(std::vector<std::byte>(copy.data().begin(), copy.data().end()) == old_data);
  const auto newest = open_snapshot(dir.path());
  REQUIRE(newest);
  CHECK(newest->meta().last_index == 30);
}

TEST_CASE("a copy of a reader keeps the data alive after the original is gone") {
  TempDir dir;
  const std::vector<std::byte> data = payload_for(4, 10000);
  commit_snapshot(dir, data, 10);
  std::optional<SnapshotReader> copy;
  {
    const auto reader = open_snapshot(dir.path());
    REQUIRE(reader);
    copy = *reader;
  }
  std::filesystem::remove(dir / "snapshot.bin");
  CHECK(std::vector<std::byte>(copy->data().begin(), copy->data().end()) == data);
}

TEST_CASE("of two writers at once, the later commit wins") {
  TempDir dir;
  SnapshotWriter a = begin(dir, 10, 1);
  SnapshotWriter b = begin(dir, 20, 2);
  REQUIRE(is_ok(outcome(a.write(payload_for(1, 10)))));
  REQUIRE(is_ok(outcome(b.write(payload_for(2, 20)))));
  REQUIRE(is_ok(outcome(b.commit())));
  REQUIRE(is_ok(outcome(a.commit())));
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->meta == SnapshotMeta{10, 1, 10});
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
}

TEST_CASE("begin_snapshot in a missing directory fails and creates nothing") {
  TempDir dir;
  CHECK(outcome(begin_snapshot(dir / "missing", 1, 1, {}, {})) == errc::not_found);
}

}  // namespace
}  // namespace seglog::test

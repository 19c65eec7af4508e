// meta/snapshot_faults_test.cpp — SnapshotWriter when the OS fails a
// write, fsync or rename (through io/fault_injection.hpp): the previous
// snapshot stays, the failure is sticky, no temporary file is left.
#include "meta/meta_support.hpp"
#include "meta/snapshot_file.hpp"
#include "support/fault_hook.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <tuple>

namespace seglog::test {
namespace {

using detail::begin_snapshot;
using detail::load_snapshot;
using detail::open_snapshot;
using detail::fault::Op;

TEST_CASE("a failed chunk write is sticky and removes the temporary file") {
  TempDir dir;
  commit_snapshot(dir, payload_for(1, 100), 10);
  SnapshotWriter writer = begin(dir, 20, 2, [](const SnapshotMeta&) { FAIL("on_commit"); });
  REQUIRE(is_ok(outcome(writer.write(payload_for(2, 100)))));
  {
    ScopedFault fail(Op::write, ENOSPC);
    CHECK(outcome(writer.write(payload_for(3, 100))) == errc::no_space);
  }
  CHECK(outcome(writer.write(payload_for(4, 100))) == errc::no_space);
  CHECK(outcome(writer.commit()) == errc::no_space);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->meta.last_index == 10);
}

TEST_CASE("a commit that fails before the rename keeps the previous snapshot") {
  const auto [op, err, expected] = GENERATE(std::tuple{Op::write, ENOSPC, errc::no_space},
                                            std::tuple{Op::sync, EIO, errc::io_error},
                                            std::tuple{Op::rename, EIO, errc::io_error});
  TempDir dir;
  commit_snapshot(dir, payload_for(1, 100), 10);
  SnapshotWriter writer = begin(dir, 20, 2, [](const SnapshotMeta&) { FAIL("on_commit"); });
  REQUIRE(is_ok(outcome(writer.write(payload_for(2, 100)))));
  {
    ScopedFault fail(op, err);
    CHECK(outcome(writer.commit()) == expected);
    CHECK(fail.hits() == 1);
  }
  CHECK(outcome(writer.commit()) == expected);  // sticky
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->meta.last_index == 10);
}

TEST_CASE("a failed directory fsync after the rename reports io_error and still calls on_commit") {
  TempDir dir;
  int calls = 0;
  SnapshotWriter writer = begin(dir, 20, 2, [&](const SnapshotMeta&) { ++calls; });
  {
    ScopedFault fail(Op::sync_directory, EIO);
    CHECK(outcome(writer.commit()) == errc::io_error);
  }
  CHECK(calls == 1);
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  CHECK(reader->meta().last_index == 20);
}

TEST_CASE("commit makes every durable step in order") {
  TempDir dir;
  SnapshotWriter writer = begin(dir);
  REQUIRE(is_ok(outcome(writer.write(payload_for(1, 10)))));
  CallLog log;
  const auto result = outcome(writer.commit());
  const std::vector<Op> ops = log.ops();
  REQUIRE(is_ok(result));
  CHECK(ops == std::vector<Op>{Op::write, Op::sync, Op::rename, Op::sync_directory});
}

}  // namespace
}  // namespace seglog::test

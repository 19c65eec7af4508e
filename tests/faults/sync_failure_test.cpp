// sync_failure_test.cpp — a failed fsync is sticky: never reported as
// success later; reads go on; reopen recovers what was synced.
#include <seglog/seglog.hpp>

#include "support/entries.hpp"
#include "support/fault_hook.hpp"
#include "support/small_options.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace seglog;
using seglog::test::make_entries;
using seglog::test::ScopedFault;
using seglog::test::small_options;
using Op = seglog::detail::fault::Op;

TEST_CASE("a failed sync is sticky: later writes fail with io_error until reopen",
          "[faults][sync]") {
  seglog::test::TempDir dir;
  auto storage = SegmentedStorage::open(small_options(dir.path())).value();
  REQUIRE(storage->append_entries(make_entries(1, 50)));
  REQUIRE(storage->sync());
  REQUIRE(storage->append_entries(make_entries(51, 50)));
  {
    ScopedFault eio(Op::sync, EIO);
    auto s = storage->sync();
    REQUIRE_FALSE(s);
    CHECK(s.error() == errc::io_error);
    CHECK(storage->stats().sync_failed);
  }
  // The fault is gone, but the failure is not forgotten: the pages that
  // failed to write may be lost, so no later sync may claim them durable.
  CHECK(storage->sync().error() == errc::io_error);
  CHECK(storage->append_entries(make_entries(101, 1)).error() == errc::io_error);
  CHECK(storage->truncate_after(10).error() == errc::io_error);
  CHECK(storage->truncate_before(10).error() == errc::io_error);
  // Reads go on.
  for (std::uint64_t i = 1; i <= 100; ++i) {
    auto e = storage->get_entry(i);
    REQUIRE(e.has_value());
    CHECK(e->data == seglog::test::payload_for(i, 16));
  }
  (void)storage->close();
  storage.reset();
  auto reopened = SegmentedStorage::open(small_options(dir.path())).value();
  CHECK_FALSE(reopened->stats().sync_failed);
  REQUIRE(reopened->last_index() >= 50);
  for (std::uint64_t i = 1; i <= reopened->last_index(); ++i) {
    CHECK(reopened->get_entry(i).value().data == seglog::test::payload_for(i, 16));
  }
  REQUIRE(reopened->append_entries(make_entries(reopened->last_index() + 1, 1)));
  REQUIRE(reopened->sync());
}

TEST_CASE("a failed sync during a roll is sticky too", "[faults][sync]") {
  seglog::test::TempDir dir;
  auto storage = SegmentedStorage::open(small_options(dir.path())).value();
  REQUIRE(storage->append_entries(make_entries(1, 100, 1, 100)));
  {
    // Only the active segment's fdatasync fails (the new segment's
    // preparation, on its .tmp file, succeeds).
    ScopedFault eio(Op::sync, EIO, seglog::test::FaultFilter().sparing(".tmp"));
    // Enough to roll: the roll seals (fdatasync) the active segment.
    auto s = storage->append_entries(make_entries(101, 2000, 1, 100));
    // The seal runs in the background: the append may return before it
    // fails; sync() waits for it and must report it.
    if (s) s = storage->sync();
    REQUIRE_FALSE(s);
    CHECK((s.error() == errc::io_error));
  }
  CHECK(storage->append_entries(make_entries(storage->last_index() + 1, 1)).error() ==
        errc::io_error);
  CHECK(storage->sync().error() == errc::io_error);
  // Later calls carry the first failure's context: the segment whose
  // fdatasync failed, even though the seal failed in the background.
  CHECK(storage->sync().error().message().find(".seg") != std::string::npos);
}

// sync_failure_test.cpp — a failed fsync is sticky: never reported as
// success later; reads go on; reopen recovers what was synced.
#include <seglog/seglog.hpp>

#include "support/entries.hpp"
#include "format/segment_header.hpp"
#include "support/fault_hook.hpp"
#include "support/small_options.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

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
  // The failure comes first, whatever else is wrong with the call: a batch
  // that leaves a gap, an invalid batch, an empty one and truncations that
  // would change nothing all say io_error (a caller told "gap" would retry
  // with other indices against a log that refuses every write).
  CHECK(storage->append_entries(make_entries(150, 1)).error() == errc::io_error);
  CHECK(storage->append_entries(make_entries(0, 1)).error() == errc::io_error);
  CHECK(storage->append_entries(std::span<const LogEntry>{}).error() == errc::io_error);
  CHECK(storage->truncate_after(100).error() == errc::io_error);
  CHECK(storage->truncate_before(1).error() == errc::io_error);
  // delete_range and the EntryRef append too, a refused range included.
  CHECK(storage->delete_range(90, 100).error() == errc::io_error);
  CHECK(storage->delete_range(1, 10).error() == errc::io_error);
  CHECK(storage->delete_range(20, 30).error() == errc::io_error);
  CHECK(storage->delete_range(30, 20).error() == errc::io_error);
  CHECK(storage->restart_log(500, 1).error() == errc::io_error);
  CHECK(storage->restart_log(0, 1).error() == errc::io_error);
  // The key-value store is beside the log, like the hard state: it works on.
  const std::vector<std::byte> key{std::byte{'k'}};
  CHECK(storage->set_value(key, key));
  CHECK(storage->get_value(key).value() == key);
  const std::vector<EntryRef> refs{{101, 1, 0, {}}};
  CHECK(storage->append_entries(std::span<const EntryRef>(refs)).error() == errc::io_error);
  CHECK(storage->append_entries(make_entries(150, 1)).error().message().find("refused") !=
        std::string::npos);
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

namespace {

// 632-byte records: about 100 to a 64 KiB segment, so 100 entries fill
// most of the first segment and the next 200 roll twice.
constexpr std::size_t kBig = 600;

// The defect found from outside (issue 12, defect 1): 100 entries synced in
// 64 KiB segments, then one batch that rolls twice; one step of the first
// roll's background half fails once. The second roll's seal, queued behind
// it, must not run after that failure (it used to, leaving an unsealed
// segment before a sealed one, which every later open called corrupted).
void fail_first_roll_step(Op op, int err, const std::string& step) {
  INFO("the first roll's " << step << " fails once with " << (err == EIO ? "EIO" : "ENOSPC"));
  seglog::test::TempDir dir;
  {
    auto storage = SegmentedStorage::open(small_options(dir.path())).value();
    REQUIRE(storage->append_entries(make_entries(1, 100, 1, kBig)));
    REQUIRE(storage->sync());
    REQUIRE(storage->flush());  // the spares are ready: the rolls prepare nothing
    {
      ScopedFault fault(op, err, seglog::test::FaultFilter().nth(1));
      // Rolls twice: both rolls' background halves are queued before either runs.
      auto appended = storage->append_entries(make_entries(101, 200, 1, kBig));
      auto synced = storage->sync();
      CHECK(fault.hits() == 1);
      CHECK((appended ? synced : appended).error() == errc::io_error);
    }
    CHECK(storage->stats().segments >= 3);
    CHECK(storage->sync().error() == errc::io_error);
    CHECK(storage->append_entries(make_entries(301, 1, 1, kBig)).error() == errc::io_error);
    CHECK(storage->close().error() == errc::io_error);
  }
  // A read-only open serves every synced entry, and so does a writable one.
  Options read_only = small_options(dir.path());
  read_only.read_only = true;
  {
    auto reader = SegmentedStorage::open(read_only);
    REQUIRE(reader);
    REQUIRE((*reader)->last_index() >= 100);
    for (std::uint64_t i = 1; i <= (*reader)->last_index(); ++i) {
      REQUIRE((*reader)->get_entry(i).value().data == seglog::test::payload_for(i, kBig));
    }
  }
  auto reopened = SegmentedStorage::open(small_options(dir.path()));
  REQUIRE(reopened);
  SegmentedStorage& r = **reopened;
  REQUIRE(r.last_index() >= 100);
  REQUIRE(r.last_index() <= 300);
  for (std::uint64_t i = 1; i <= r.last_index(); ++i) {
    REQUIRE(r.get_entry(i).value().data == seglog::test::payload_for(i, kBig));
  }
  REQUIRE(r.append_entries(make_entries(r.last_index() + 1, 50, 1, kBig)));
  REQUIRE(r.sync());
  REQUIRE(r.close());
}

}  // namespace

TEST_CASE("a failed step of one roll does not let a later roll's seal run", "[faults][sync]") {
  // (Every other step of overlapping rolls fails in turn in
  // step_failure_test's sweeps with several rolls in flight.)
  for (int err : {EIO, ENOSPC}) fail_first_roll_step(Op::sync_directory, err, "directory fsync");
}

namespace {

// Rewrites a sealed segment as it is when its seal never ran: full size, no
// footer, and a newer state slot that says unsealed with `synced_end`.
void unseal(const std::filesystem::path& path, std::uint64_t synced_end) {
  using namespace seglog::detail;
  std::vector<std::byte> bytes = seglog::test::read_file(path);
  const auto identity = decode_identity(bytes.data());
  REQUIRE(identity);
  const auto sealed = current_state(bytes.data(), identity->salt);
  REQUIRE(sealed);
  REQUIRE(sealed->sealed);
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(sealed->end_offset), bytes.end(),
            std::byte{0});
  bytes.resize(identity->capacity, std::byte{0});
  SegmentState unsealed;
  unsealed.sequence = sealed->sequence + 1;
  unsealed.synced_end =
      synced_end == 0 ? (kSegmentHeaderBytes + sealed->end_offset) / 16 * 8 : synced_end;
  encode_state(bytes.data() + next_slot_offset(unsealed.sequence), unsealed, identity->salt);
  REQUIRE(current_state(bytes.data(), identity->salt) == unsealed);
  seglog::test::write_file(path, bytes);
}

}  // namespace

// What the version before the fix left behind after defect 1: the first
// roll's seal never ran, the second's did, and close sealed nothing. No
// byte is damaged, so every entry must open, writable and read-only.
TEST_CASE("a directory left with an unsealed segment before a sealed one opens with every entry",
          "[faults][sync]") {
  for (std::uint64_t first_synced_end : {std::uint64_t{0}, seglog::detail::kSegmentHeaderBytes}) {
    INFO("the unsealed first segment's slot says synced end "
         << (first_synced_end == 0 ? "mid-records" : "4096"));
    seglog::test::TempDir dir;
    {
      auto storage = SegmentedStorage::open(small_options(dir.path())).value();
      REQUIRE(storage->append_entries(make_entries(1, 100, 1, kBig)));
      REQUIRE(storage->sync());
      REQUIRE(storage->append_entries(make_entries(101, 200, 1, kBig)));
      REQUIRE(storage->sync());
      REQUIRE(storage->close());
    }
    std::vector<std::filesystem::path> segments;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      if (entry.path().extension() == ".seg") segments.push_back(entry.path());
    }
    std::sort(segments.begin(), segments.end());
    REQUIRE(segments.size() >= 3);
    unseal(segments.front(), first_synced_end);
    unseal(segments.back(), seglog::detail::kSegmentHeaderBytes);

    for (bool read_only : {true, false}) {
      INFO((read_only ? "read-only" : "writable") << " open");
      Options options = small_options(dir.path());
      options.read_only = read_only;
      auto opened = SegmentedStorage::open(options);
      REQUIRE(opened);
      SegmentedStorage& r = **opened;
      CHECK(r.first_index() == 1);
      REQUIRE(r.last_index() == 300);
      for (std::uint64_t i = 1; i <= 300; ++i) {
        REQUIRE(r.get_entry(i).value().data == seglog::test::payload_for(i, kBig));
      }
      if (!read_only) {
        REQUIRE(r.append_entries(make_entries(301, 20, 1, kBig)));
        REQUIRE(r.sync());
        REQUIRE(r.close());
      }
    }
  }
}

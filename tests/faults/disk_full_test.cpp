// disk_full_test.cpp — a full disk is no_space where space is needed, and
// never stops the log from being read, compacted, truncated or reopened.
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

namespace {

int count_files(const std::filesystem::path& dir, std::string_view suffix) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) ++n;
  }
  return n;
}

void check_entries(const Storage& s, std::uint64_t first, std::uint64_t last) {
  for (std::uint64_t i = first; i <= last; ++i) {
    auto e = s.get_entry(i);
    REQUIRE(e.has_value());
    REQUIRE(e->data == seglog::test::payload_for(i, e->data.size()));
  }
}

}  // namespace

TEST_CASE("append_entries is no_space when a segment cannot be preallocated, and writes nothing",
          "[faults][no_space]") {
  seglog::test::TempDir dir;
  auto storage = SegmentedStorage::open(small_options(dir.path())).value();
  REQUIRE(storage->append_entries(make_entries(1, 100, 1, 100)));
  REQUIRE(storage->sync());
  {
    ScopedFault full(Op::preallocate, ENOSPC);
    // 3,000 entries of 100 bytes need more new segments than the log keeps
    // prepared ahead (two spares): the rest must be preallocated here.
    auto s = storage->append_entries(make_entries(101, 3000, 1, 100));
    REQUIRE_FALSE(s);
    CHECK(s.error() == errc::no_space);
    CHECK(s.error().message().find(".seg") != std::string::npos);
    CHECK(full.hits() >= 1);
    CHECK(storage->last_index() == 100);
    CHECK(storage->get_entry(101).error() == errc::out_of_range);
    CHECK(count_files(dir.path(), ".tmp") == 0);
    check_entries(*storage, 1, 100);
    // Still full: the same answer, still nothing written.
    CHECK(storage->append_entries(make_entries(101, 3000, 1, 100)).error() == errc::no_space);
  }
  // Space is back: the same batch goes through.
  REQUIRE(storage->append_entries(make_entries(101, 3000, 1, 100)));
  REQUIRE(storage->sync());
  check_entries(*storage, 1, 3100);
  REQUIRE(storage->close());
  auto reopened = SegmentedStorage::open(small_options(dir.path())).value();
  CHECK(reopened->last_index() == 3100);
  check_entries(*reopened, 1, 3100);
}

TEST_CASE("truncate_before succeeds on a full disk and leaves the boundary rewrite pending",
          "[faults][no_space]") {
  seglog::test::TempDir dir;
  auto storage = SegmentedStorage::open(small_options(dir.path())).value();
  REQUIRE(storage->append_entries(make_entries(1, 3000, 1, 100)));
  REQUIRE(storage->sync());
  REQUIRE(storage->stats().segments > 3);
  {
    ScopedFault full(Op::preallocate, ENOSPC);
    REQUIRE(storage->truncate_before(1500));
    CHECK(storage->first_index() == 1500);
    CHECK(storage->get_entry(1499).error() == errc::compacted);
    CHECK(storage->stats().pending_rewrites == 1);
    check_entries(*storage, 1500, 3000);
    // truncate_after needs no space either.
    REQUIRE(storage->truncate_after(2500));
    CHECK(storage->last_index() == 2500);
  }
  REQUIRE(storage->close());
  auto reopened = SegmentedStorage::open(small_options(dir.path())).value();
  CHECK(reopened->first_index() == 1500);
  CHECK(reopened->last_index() == 2500);
  check_entries(*reopened, 1500, 2500);
}

TEST_CASE("open needs no free disk space, even to cut a torn tail", "[faults][no_space]") {
  seglog::test::TempDir dir;
  seglog::test::TempDir copy;
  {
    auto storage = SegmentedStorage::open(small_options(dir.path())).value();
    REQUIRE(storage->append_entries(make_entries(1, 200, 1, 100)));
    REQUIRE(storage->sync());
    // A copy of a live directory is what a crash leaves: no clean seal.
    std::filesystem::copy(dir.path(), copy.path(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }
  ScopedFault full(Op::preallocate, ENOSPC);
  auto reopened = SegmentedStorage::open(small_options(copy.path()));
  REQUIRE(reopened);
  CHECK((*reopened)->last_index() == 200);
  check_entries(**reopened, 1, 200);
  CHECK((*reopened)->append_entries(make_entries(201, 1, 1, 100)).error() == errc::no_space);
}

// contract/visit_test.cpp — visit_entries, the zero-copy range read: the
// entries and errors of get_entries, the visitor's early stop and the byte
// budget, views copied by the visitor outliving truncations and close, and
// ranges over many segments. Every case runs twice: on the fixture's own
// override and on Storage's default implementation (through a storage that
// forwards everything else and does not override visit_entries).
#include "contract/expect.hpp"
#include "contract/forwarding_storage.hpp"

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

using namespace seglog;
using namespace seglog::test;

namespace {

// Runs check(storage) on the fixture's storage and on the default
// implementation over it; INFO says which one failed.
template <class Fixture, class Check>
void on_both(Fixture& f, Check check) {
  {
    INFO("the storage's own visit_entries");
    check(*f);
  }
  ForwardingStorage through_default(*f);
  INFO("Storage's default visit_entries");
  check(static_cast<Storage&>(through_default));
}

// What one visit_entries call did: its status and owning copies of the
// entries it visited, in order.
struct Visited {
  Outcome status;
  std::vector<LogEntry> entries;
};

// visit_entries(begin, end, .., max_bytes), copying each view; the visitor
// returns false once it has seen `stop_after` entries.
Visited visit(const Storage& storage, std::uint64_t begin, std::uint64_t end,
              std::uint64_t max_bytes = UINT64_MAX, std::size_t stop_after = SIZE_MAX) {
  Visited out;
  out.status = outcome(storage.visit_entries(
      begin, end,
      [&](const EntryView& view) {
        out.entries.push_back(view.to_entry());
        return out.entries.size() < stop_after;
      },
      max_bytes));
  return out;
}

// The entries of a successful visit.
std::vector<LogEntry> visited(const Storage& storage, std::uint64_t begin, std::uint64_t end,
                              std::uint64_t max_bytes = UINT64_MAX) {
  Visited got = visit(storage, begin, end, max_bytes);
  INFO("visit_entries(" << begin << ", " << end << ", " << max_bytes
                        << "): " << describe(got.status));
  REQUIRE(is_ok(got.status));
  return got.entries;
}

// The error of a visit that must fail before visiting anything.
Outcome refused(const Storage& storage, std::uint64_t begin, std::uint64_t end) {
  Visited got = visit(storage, begin, end);
  CHECK(got.entries.empty());
  return got.status;
}

}  // namespace

CONTRACT_TEST(
    "visit_entries visits the entries of [begin, end) in order, as get_entries returns them",
    "[visit]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 10));
  on_both(f, [&](Storage& s) {
    CHECK(visited(s, 3, 7) == slice(log, 3, 7));
    CHECK(visited(s, 1, 11) == log);
    CHECK(visited(s, 10, 11) == slice(log, 10, 11));
    CHECK(visited(s, 1, 2) == slice(log, 1, 2));
    CHECK(visited(s, 2, 9) == s.get_entries(2, 9).value());
  });
}

CONTRACT_TEST("visit_entries reads ranges that cross many segments", "[visit][segments]") {
  TestType f;
  // ~700 KiB of payload: eleven or more of the segmented fixture's 64 KiB
  // segments.
  const auto log = make_varied_entries(1, 2000);
  append_in_batches(*f, log);
  on_both(f, [&](Storage& s) {
    CHECK(visited(s, 1, 2001) == log);
    for (std::uint64_t begin : {1, 77, 450, 999, 1500, 1990}) {
      for (std::uint64_t len : {1, 2, 93, 400}) {
        const std::uint64_t end = std::min<std::uint64_t>(begin + len, 2001);
        INFO("range [" << begin << ", " << end << ")");
        CHECK(visited(s, begin, end) == slice(log, begin, end));
      }
    }
  });
  f.reopen();  // sealed segments, mapped again on demand
  CHECK(visited(*f, 1, 2001) == log);
  CHECK(visited(*f, 640, 1410) == slice(log, 640, 1410));
}

CONTRACT_TEST("visit_entries clamps end to last_index + 1", "[visit]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  on_both(f, [&](Storage& s) {
    CHECK(visited(s, 8, 100) == slice(log, 8, 11));
    CHECK(visited(s, 1, UINT64_MAX) == log);
    CHECK(visited(s, 11, UINT64_MAX).empty());
  });
}

CONTRACT_TEST("visit_entries visits nothing when begin == end", "[visit]") {
  TestType f;
  on_both(f, [&](Storage& s) { CHECK(visited(s, 1, 1).empty()); });
  append(*f, make_entries(1, 10));
  on_both(f, [&](Storage& s) {
    CHECK(visited(s, 1, 1).empty());
    CHECK(visited(s, 5, 5).empty());
    CHECK(visited(s, 11, 11).empty());
    CHECK(visited(s, 5, 5, 0).empty());
  });
}

CONTRACT_TEST(
    "visit_entries refuses what get_entries refuses, with the same errors, before visiting",
    "[visit][errors]") {
  TestType f;
  on_both(f, [&](Storage& s) {
    CHECK(refused(s, 1, 0) == errc::invalid_argument);
    CHECK(refused(s, 0, 1) == errc::compacted);
    CHECK(refused(s, 2, 3) == errc::out_of_range);
  });
  append(*f, make_entries(1, 10));
  compact(*f, 5, 1);
  on_both(f, [&](Storage& s) {
    CHECK(refused(s, 8, 7) == errc::invalid_argument);
    CHECK(refused(s, UINT64_MAX, 0) == errc::invalid_argument);
    CHECK(refused(s, 0, 5) == errc::compacted);
    CHECK(refused(s, 5, 8) == errc::compacted);
    CHECK(refused(s, 1, 11) == errc::compacted);
    CHECK(refused(s, 12, 20) == errc::out_of_range);
    CHECK(refused(s, UINT64_MAX, UINT64_MAX) == errc::out_of_range);
    CHECK(visited(s, 6, 11) == s.get_entries(6, 11).value());
  });
}

CONTRACT_TEST("visit_entries on a closed storage returns closed and visits nothing",
              "[visit][close][errors]") {
  TestType f;
  append(*f, make_entries(1, 10));
  REQUIRE(f->close());
  on_both(f, [&](Storage& s) {
    CHECK(refused(s, 1, 11) == errc::closed);
    CHECK(refused(s, 5, 5) == errc::closed);
    CHECK(refused(s, 3, 2) == errc::closed);
  });
}

CONTRACT_TEST("visit_entries stops when the visitor returns false", "[visit]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 600));
  on_both(f, [&](Storage& s) {
    for (std::size_t stop_after : {1, 2, 17, 599}) {
      INFO("stop after " << stop_after);
      const Visited got = visit(s, 1, 601, UINT64_MAX, stop_after);
      CHECK(is_ok(got.status));
      CHECK(got.entries == slice(log, 1, 1 + stop_after));
    }
    const Visited late = visit(s, 300, 601, UINT64_MAX, 5);
    CHECK(late.entries == slice(log, 300, 305));
  });
}

CONTRACT_TEST("visit_entries keeps to the byte budget as get_entries does, one entry at least",
              "[visit][budget]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 50));
  std::vector<std::uint64_t> budgets = {0, 1, 100, 1000, 5000, UINT64_MAX};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < 10; ++i) {  // exact running totals and one less
    total += log[i].data.size();
    budgets.push_back(total);
    if (total > 0) budgets.push_back(total - 1);
  }
  on_both(f, [&](Storage& s) {
    for (std::uint64_t budget : budgets) {
      INFO("budget " << budget);
      const auto got = visited(s, 1, 51, budget);
      CHECK(got == s.get_entries(1, 51, budget).value());
      CHECK(!got.empty());
    }
    CHECK(visited(s, 7, 51, 0) == slice(log, 7, 8));
  });
}

CONTRACT_TEST(
    "visit_entries visits one entry even when it alone exceeds the budget, and 0-byte entries use "
    "none",
    "[visit][budget]") {
  TestType f;
  const auto log = append(*f, {make_entry(1, 1, 1000), make_entry(2, 1, 0), make_entry(3, 1, 0),
                               make_entry(4, 1, 16), make_entry(5, 1, 0)});
  on_both(f, [&](Storage& s) {
    CHECK(visited(s, 1, 6, 10) == slice(log, 1, 2));
    CHECK(visited(s, 1, 6, 1000) == slice(log, 1, 4));
    CHECK(visited(s, 1, 6, 1016) == log);
    CHECK(visited(s, 2, 6, 0) == slice(log, 2, 4));
    CHECK(visited(s, 4, 6, 0) == slice(log, 4, 5));
  });
}

CONTRACT_TEST("views copied by the visitor outlive truncate_after, truncate_before and close",
              "[visit][views]") {
  TestType f;
  const auto log = make_varied_entries(1, 1200);
  append_in_batches(*f, log);
  std::vector<EntryView> kept;
  on_both(f, [&](Storage& s) {
    // Copies from every part of the log, several segments apart, plus
    // every entry of one range that the truncation below removes.
    REQUIRE(s.visit_entries(1, 1201, [&](const EntryView& view) {
      if (view.index() % 97 == 1 || view.index() > 1150) kept.push_back(view);
      return true;
    }));
  });
  REQUIRE(kept.size() > 100);
  auto expect_kept = [&] {
    for (const EntryView& view : kept) {
      INFO("kept view of entry " << view.index());
      REQUIRE(view.index() >= 1);
      REQUIRE(view.index() <= log.size());
      CHECK(view.to_entry() == log[view.index() - 1]);
    }
  };
  REQUIRE(f->truncate_after(1100));
  const auto rewritten = append(*f, make_varied_entries(1101, 100, 2));
  expect_kept();
  compact(*f, 1000, 1);
  REQUIRE(f->flush());  // the unlinks of the compacted segments are done
  expect_log(*f, 1001, joined(slice(log, 1001, 1101), rewritten));
  expect_kept();
  REQUIRE(f->close());
  expect_kept();
}

CONTRACT_TEST("the view passed to the visitor is valid during the call and a copy keeps its bytes",
              "[visit][views]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 40));
  on_both(f, [&](Storage& s) {
    std::vector<EntryView> copies;
    std::size_t wrong = 0;
    REQUIRE(s.visit_entries(1, 41, [&](const EntryView& view) {
      // The passed view is right now, and a copy stays right after the
      // passed one moves on to the next entry.
      if (view.to_entry() != log[view.index() - 1]) ++wrong;
      copies.push_back(view);
      return true;
    }));
    CHECK(wrong == 0);
    REQUIRE(copies.size() == log.size());
    for (std::size_t i = 0; i < copies.size(); ++i) CHECK(copies[i].to_entry() == log[i]);
  });
}

CONTRACT_TEST("an exception thrown by the visitor propagates and leaves the storage usable",
              "[visit][errors]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 300));
  on_both(f, [&](Storage& s) {
    std::size_t calls = 0;
    CHECK_THROWS_AS(s.visit_entries(1, 301,
                                    [&](const EntryView& view) -> bool {
                                      ++calls;
                                      if (view.index() == 150) throw std::runtime_error("stop");
                                      return true;
                                    }),
                    std::runtime_error);
    CHECK(calls == 150);
    CHECK(visited(s, 140, 160) == slice(log, 140, 160));
  });
  // No lock was left held: the writer can still append (rolling segments),
  // truncate and compact.
  const auto more = make_varied_entries(301, 700);
  append_in_batches(*f, more);
  REQUIRE(f->truncate_after(900));
  compact(*f, 100, 1);
  expect_log_across_reopen(f, 101, slice(joined(log, more), 101, 901));
}

CONTRACT_TEST(
    "concurrent visit_entries readers see the right entries while the writer appends and compacts",
    "[visit][threads]") {
  TestType f;
  Storage& storage = *f;
  constexpr std::uint64_t kEntries = 3000;
  std::atomic<std::uint64_t> wrong{0}, unexpected{0}, visits{0};
  auto reader = [&](std::uint64_t len, const std::atomic<bool>& done) {
    std::uint64_t start = 1;
    while (!done.load()) {
      const std::uint64_t last = storage.last_index();
      if (last == 0) continue;
      start = start % last + 1;
      std::uint64_t next = start;
      const Status status = storage.visit_entries(start, start + len, [&](const EntryView& view) {
        if (view.index() != next++ || view.to_entry() != varied_entry(view.index())) ++wrong;
        return true;
      });
      if (!status && !(status.error() == errc::compacted)) ++unexpected;
      ++visits;
    }
  };
  const std::uint64_t write_failures = append_and_compact_under(storage, kEntries, reader, 7, 150);
  INFO(visits.load() << " concurrent visits");
  CHECK(write_failures == 0);
  CHECK(wrong.load() == 0);
  CHECK(unexpected.load() == 0);
  CHECK(f->last_index() == kEntries);
}

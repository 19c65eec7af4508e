// contract/read_test.cpp — the reads: get_entry, read_entry (views that
// outlive what the writer does), get_entries with its byte budget, and term,
// on an empty log, around compaction and from concurrent readers.
#include "contract/expect.hpp"

#include <atomic>
#include <random>

using namespace seglog;
using namespace seglog::test;

namespace {

// What get_entries(begin, ..., budget) must return from `log` (whose first
// index is `begin`): entries while the running payload total stays within
// the budget, and always the first one.
std::size_t expected_count(const std::vector<LogEntry>& log, std::uint64_t budget) {
  std::uint64_t total = 0;
  std::size_t n = 0;
  for (const LogEntry& e : log) {
    total += e.data.size();
    if (n > 0 && total > budget) break;
    ++n;
  }
  return n;
}

}  // namespace

CONTRACT_TEST("a new log is empty: first_index 1, last_index 0", "[read][empty]") {
  TestType f;
  expect_log(*f, 1, {});
  CHECK(f->term(0).value() == 0);
  CHECK(outcome(f->term(1)) == errc::out_of_range);
  CHECK(f->get_entries(1, 1).value().empty());
  CHECK(f->get_entries(1, 100).value().empty());
  CHECK(outcome(f->get_entries(0, 1)) == errc::compacted);
  CHECK(outcome(f->get_entries(2, 3)) == errc::out_of_range);
  f.reopen();
  expect_log(*f, 1, {});
}

CONTRACT_TEST("term(0) is 0 before and after appends and compaction", "[read][term]") {
  TestType f;
  CHECK(f->term(0).value() == 0);
  append(*f, make_entries(1, 10, 3));
  CHECK(f->term(0).value() == 0);
  REQUIRE(f->truncate_before(5));
  CHECK(f->term(0).value() == 0);
  compact(*f, 10, 3);
  CHECK(f->term(0).value() == 0);
  f.reopen();
  CHECK(f->term(0).value() == 0);
}

CONTRACT_TEST(
    "get_entry and read_entry refuse index 0 and indices below first_index with compacted",
    "[read][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  REQUIRE(f->truncate_before(6));
  for (std::uint64_t index : {0, 1, 5}) {
    INFO("index " << index);
    CHECK(outcome(f->get_entry(index)) == errc::compacted);
    CHECK(outcome(f->read_entry(index)) == errc::compacted);
  }
  expect_log_across_reopen(f, 6, slice(log, 6, 11));
}

CONTRACT_TEST("get_entry and read_entry refuse indices above last_index with out_of_range",
              "[read][errors]") {
  TestType f;
  append(*f, make_entries(1, 10));
  for (std::uint64_t index : {std::uint64_t{11}, std::uint64_t{1000}, UINT64_MAX}) {
    INFO("index " << index);
    CHECK(outcome(f->get_entry(index)) == errc::out_of_range);
    CHECK(outcome(f->read_entry(index)) == errc::out_of_range);
  }
}

CONTRACT_TEST(
    "a view stays valid and unchanged after its entry is truncated and its index rewritten",
    "[read][views]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 8));
  const EntryView view = f->read_entry(5).value();
  REQUIRE(f->truncate_after(2));
  const auto rewritten = append(*f, make_varied_entries(3, 200, 2));
  CHECK(view.to_entry() == log[4]);
  CHECK(f->get_entry(5).value() == rewritten[2]);
  expect_log_across_reopen(f, 1, joined(slice(log, 1, 3), rewritten));
  CHECK(view.to_entry() == log[4]);
}

CONTRACT_TEST("a view stays valid and unchanged after its entry is compacted", "[read][views]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 600));
  const EntryView first = f->read_entry(1).value();
  const EntryView middle = f->read_entry(300).value();
  compact(*f, 500, 1);
  CHECK(first.to_entry() == log[0]);
  CHECK(middle.to_entry() == log[299]);
  expect_log_across_reopen(f, 501, slice(log, 501, 601));
  CHECK(middle.to_entry() == log[299]);
}

CONTRACT_TEST("a view stays valid while the log grows over many segments", "[read][views]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 3));
  std::vector<EntryView> views;
  for (std::uint64_t i = 1; i <= 3; ++i) views.push_back(f->read_entry(i).value());
  append_in_batches(*f, make_varied_entries(4, 2000));
  for (std::size_t i = 0; i < views.size(); ++i) CHECK(views[i].to_entry() == log[i]);
}

CONTRACT_TEST("get_entries returns the entries of [begin, end) in order", "[read][get_entries]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 10));
  CHECK(f->get_entries(3, 7).value() == slice(log, 3, 7));
  CHECK(f->get_entries(1, 11).value() == log);
  CHECK(f->get_entries(10, 11).value() == slice(log, 10, 11));
  CHECK(f->get_entries(1, 2).value() == slice(log, 1, 2));
}

CONTRACT_TEST("get_entries clamps end to last_index + 1", "[read][get_entries]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  CHECK(f->get_entries(8, 100).value() == slice(log, 8, 11));
  CHECK(f->get_entries(1, UINT64_MAX).value() == log);
  CHECK(f->get_entries(11, UINT64_MAX).value().empty());
}

CONTRACT_TEST("get_entries returns nothing when begin == end", "[read][get_entries]") {
  TestType f;
  CHECK(f->get_entries(1, 1).value().empty());
  append(*f, make_entries(1, 10));
  CHECK(f->get_entries(1, 1).value().empty());
  CHECK(f->get_entries(5, 5).value().empty());
  CHECK(f->get_entries(11, 11).value().empty());
  CHECK(f->get_entries(5, 5, 0).value().empty());
}

CONTRACT_TEST("get_entries refuses begin > end with invalid_argument",
              "[read][get_entries][errors]") {
  TestType f;
  CHECK(outcome(f->get_entries(1, 0)) == errc::invalid_argument);
  append(*f, make_entries(1, 10));
  CHECK(outcome(f->get_entries(5, 4)) == errc::invalid_argument);
  CHECK(outcome(f->get_entries(10, 1)) == errc::invalid_argument);
  CHECK(outcome(f->get_entries(UINT64_MAX, 0)) == errc::invalid_argument);
}

CONTRACT_TEST("get_entries refuses begin below first_index with compacted",
              "[read][get_entries][errors]") {
  TestType f;
  CHECK(outcome(f->get_entries(0, 1)) == errc::compacted);
  const auto log = append(*f, make_entries(1, 10));
  CHECK(outcome(f->get_entries(0, 5)) == errc::compacted);
  compact(*f, 5, 1);
  CHECK(outcome(f->get_entries(5, 8)) == errc::compacted);
  CHECK(outcome(f->get_entries(1, 11)) == errc::compacted);
  CHECK(f->get_entries(6, 11).value() == slice(log, 6, 11));
}

CONTRACT_TEST("get_entries refuses begin beyond last_index + 1 with out_of_range",
              "[read][get_entries][errors]") {
  TestType f;
  CHECK(outcome(f->get_entries(2, 3)) == errc::out_of_range);
  append(*f, make_entries(1, 10));
  CHECK(outcome(f->get_entries(12, 20)) == errc::out_of_range);
  CHECK(outcome(f->get_entries(UINT64_MAX, UINT64_MAX)) == errc::out_of_range);
}

CONTRACT_TEST("get_entries with a budget of 0 returns exactly one entry",
              "[read][get_entries][budget]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10, 1, 16));
  CHECK(f->get_entries(1, 11, 0).value() == slice(log, 1, 2));
  CHECK(f->get_entries(7, 11, 0).value() == slice(log, 7, 8));
}

CONTRACT_TEST("get_entries with a budget of exactly one entry returns that entry",
              "[read][get_entries][budget]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10, 1, 16));
  CHECK(f->get_entries(1, 11, 16).value() == slice(log, 1, 2));
  CHECK(f->get_entries(1, 11, 31).value() == slice(log, 1, 2));
  CHECK(f->get_entries(1, 11, 32).value() == slice(log, 1, 3));
}

CONTRACT_TEST("get_entries stops mid-way at the last entry that fits the budget",
              "[read][get_entries][budget]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 50));
  std::vector<std::uint64_t> budgets = {1, 100, 1000, 5000, UINT64_MAX};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < 10; ++i) {  // exact running totals and one less
    total += log[i].data.size();
    budgets.push_back(total);
    if (total > 0) budgets.push_back(total - 1);
  }
  for (std::uint64_t budget : budgets) {
    INFO("budget " << budget);
    const auto got = f->get_entries(1, 51, budget).value();
    CHECK(got == slice(log, 1, 1 + expected_count(log, budget)));
  }
}

CONTRACT_TEST("get_entries returns one entry even when it alone exceeds the budget",
              "[read][get_entries][budget]") {
  TestType f;
  const auto log = append(*f, {make_entry(1, 1, 1000), make_entry(2, 1, 1)});
  CHECK(f->get_entries(1, 3, 10).value() == slice(log, 1, 2));
  CHECK(f->get_entries(1, 3, 999).value() == slice(log, 1, 2));
  CHECK(f->get_entries(1, 3, 1001).value() == log);
}

CONTRACT_TEST("entries of 0 bytes never use up a budget", "[read][get_entries][budget]") {
  TestType f;
  const auto log = append(
      *f, {make_entry(1, 1, 0), make_entry(2, 1, 0), make_entry(3, 1, 16), make_entry(4, 1, 0)});
  CHECK(f->get_entries(1, 5, 0).value() == slice(log, 1, 3));
  CHECK(f->get_entries(3, 5, 0).value() == slice(log, 3, 4));
  CHECK(f->get_entries(1, 5, 16).value() == log);
}

CONTRACT_TEST("term returns each entry's term and refuses indices above last_index",
              "[read][term]") {
  TestType f;
  append(*f, {make_entry(1, 1), make_entry(2, 1), make_entry(3, 4), make_entry(4, 9)});
  CHECK(f->term(1).value() == 1);
  CHECK(f->term(3).value() == 4);
  CHECK(f->term(4).value() == 9);
  CHECK(outcome(f->term(5)) == errc::out_of_range);
  CHECK(outcome(f->term(UINT64_MAX)) == errc::out_of_range);
}

CONTRACT_TEST("term refuses compacted indices unless one is the snapshot's last index",
              "[read][term][compaction]") {
  TestType f;
  append(*f, make_entries(1, 10, 2));
  REQUIRE(f->truncate_before(6));
  CHECK(outcome(f->term(5)) == errc::compacted);
  CHECK(outcome(f->term(1)) == errc::compacted);
  REQUIRE(f->save_snapshot(snapshot_data(5), 5, 2));
  CHECK(f->term(5).value() == 2);
  CHECK(outcome(f->term(4)) == errc::compacted);
  f.reopen();
  CHECK(f->term(5).value() == 2);
  CHECK(outcome(f->term(4)) == errc::compacted);
  CHECK(f->term(6).value() == 2);
}

CONTRACT_TEST("term answers from the log, not the snapshot, for indices still in the log",
              "[read][term]") {
  TestType f;
  append(*f, make_entries(1, 10, 1));
  REQUIRE(f->save_snapshot(snapshot_data(8), 8, 5));
  CHECK(f->term(8).value() == 1);
  REQUIRE(f->save_snapshot(snapshot_data(20), 20, 5));
  CHECK(outcome(f->term(20)) == errc::out_of_range);
  f.reopen();
  CHECK(outcome(f->term(20)) == errc::out_of_range);
}

CONTRACT_TEST(
    "concurrent readers always get the entry they ask for while the writer appends and compacts",
    "[read][threads]") {
  TestType f;
  Storage& storage = *f;
  constexpr std::uint64_t kEntries = 3000;
  std::atomic<std::uint64_t> wrong{0}, unexpected{0}, reads{0};
  auto reader = [&](std::uint64_t seed, const std::atomic<bool>& done) {
    std::mt19937_64 random(seed);
    while (!done.load()) {
      const std::uint64_t last = storage.last_index();
      if (last == 0) continue;
      const std::uint64_t index = 1 + random() % last;
      const auto entry = storage.get_entry(index);
      const auto view = storage.read_entry(index);
      for (const Outcome& o : {outcome(entry), outcome(view)}) {
        if (!is_ok(o) && !(o == errc::compacted)) ++unexpected;
      }
      const LogEntry expected = varied_entry(index);
      if (entry && *entry != expected) ++wrong;
      if (view && view->to_entry() != expected) ++wrong;
      ++reads;
    }
  };
  const std::uint64_t write_failures = append_and_compact_under(storage, kEntries, reader, 1, 2);
  INFO(reads.load() << " concurrent reads");
  CHECK(write_failures == 0);
  CHECK(wrong.load() == 0);
  CHECK(unexpected.load() == 0);
  CHECK(f->last_index() == kEntries);
}

// contract/restart_log_test.cpp — restart_log(next, prev_term): the log is
// empty at `next` with term(next - 1) == prev_term, wherever `next` lies
// relative to the log, across a reopen; appends continue at `next`; the
// saved snapshot is never touched; bad arguments are refused.
#include "contract/expect.hpp"

using namespace seglog;
using namespace seglog::test;

namespace {

// Checks the restarted log (before and after a reopen), then that the next
// append is `next` and the one after it continues.
template <class Fixture>
void expect_restarted(Fixture& f, std::uint64_t next, std::uint64_t prev_term) {
  for (int round = 0; round < 2; ++round) {
    INFO((round == 0 ? "before reopen" : "after reopen"));
    expect_log(*f, next, {});
    if (next > 1) CHECK(f->term(next - 1).value() == prev_term);
    CHECK(outcome(f->append_entries(make_entries(next + 1, 1))) == errc::gap);
    f.reopen();
  }
  const auto more = make_varied_entries(next, 300, prev_term + 1);
  append_in_batches(*f, more);
  expect_log_across_reopen(f, next, more);
  if (next > 1) CHECK(f->term(next - 1).value() == prev_term);
}

}  // namespace

CONTRACT_TEST("restart_log empties the log at any index: before, inside, after and far after it",
              "[restart_log]") {
  for (const std::uint64_t next : {1ull, 2ull, 150ull, 400ull, 401ull, 402ull, 1000000ull}) {
    INFO("restart_log(" << next << ")");
    TestType f;
    append_in_batches(*f, make_varied_entries(1, 400));
    const std::uint64_t prev_term = next == 1 ? 0 : 7;
    REQUIRE(f->restart_log(next, prev_term));
    expect_restarted(f, next, prev_term);
  }
}

CONTRACT_TEST("restart_log of a compacted log, and of a new one", "[restart_log]") {
  TestType f;
  append_in_batches(*f, make_varied_entries(1, 500));
  compact(*f, 300, 1);
  REQUIRE(f->restart_log(200, 4));  // below the compaction point
  expect_restarted(f, 200, 4);
  TestType fresh;
  REQUIRE(fresh->restart_log(77, 3));
  expect_restarted(fresh, 77, 3);
}

CONTRACT_TEST("restart_log never touches the saved snapshot, and its term wins at its index",
              "[restart_log][snapshot]") {
  TestType f;
  append(*f, make_entries(1, 50));
  const auto data = snapshot_data(40);
  const auto metadata = payload_for(40, 12);
  REQUIRE(f->save_snapshot(data, 40, 1, metadata));
  // A follower installing a leader's snapshot kept elsewhere: index 60.
  REQUIRE(f->restart_log(61, 5));
  for (int round = 0; round < 2; ++round) {
    const auto snapshot = f->get_snapshot().value();
    REQUIRE(snapshot.has_value());
    CHECK(snapshot->meta == SnapshotMeta{40, 1, data.size(), metadata});
    CHECK(snapshot->data == data);
    CHECK(f->term(60).value() == 5);
    CHECK(f->term(40).value() == 1);  // the snapshot's own index, as ever
    f.reopen();
  }
  // Restarted exactly at the snapshot's end with another term: the restart
  // is the newer word.
  REQUIRE(f->restart_log(41, 9));
  CHECK(f->term(40).value() == 9);
  f.reopen();
  CHECK(f->term(40).value() == 9);
  CHECK(f->get_snapshot().value().value().meta.last_term == 1);
}

CONTRACT_TEST("restart_log again replaces the previous restart", "[restart_log]") {
  TestType f;
  append(*f, make_entries(1, 20));
  REQUIRE(f->restart_log(100, 3));
  append(*f, make_entries(100, 10, 4));
  REQUIRE(f->restart_log(50, 2));
  CHECK(outcome(f->term(99)) == errc::out_of_range);  // the first restart's index is gone
  expect_restarted(f, 50, 2);
}

CONTRACT_TEST("after restart_log, truncations and compaction behave as on any log",
              "[restart_log]") {
  TestType f;
  REQUIRE(f->restart_log(1000, 6));
  append(*f, make_entries(1000, 30, 6));
  REQUIRE(f->truncate_after(1019));
  REQUIRE(f->delete_range(1000, 1004));
  expect_log_across_reopen(f, 1005, slice(make_entries(1000, 30, 6), 1005, 1020));
  REQUIRE(f->truncate_after(1004));  // empties it at its first index
  expect_log_across_reopen(f, 1005, {});
  compact(*f, 2000, 8);  // a snapshot installed past the log
  expect_log_across_reopen(f, 2001, {});
  CHECK(f->term(2000).value() == 8);
}

CONTRACT_TEST("restart_log refuses index 0, UINT64_MAX and a term for index 0", "[restart_log]") {
  TestType f;
  append(*f, make_entries(1, 5));
  CHECK(outcome(f->restart_log(0, 0)) == errc::invalid_argument);
  CHECK(outcome(f->restart_log(UINT64_MAX, 1)) == errc::invalid_argument);
  CHECK(outcome(f->restart_log(1, 3)) == errc::invalid_argument);
  expect_log_across_reopen(f, 1, make_entries(1, 5));
  REQUIRE(f->restart_log(UINT64_MAX - 1, 2));  // the next append is UINT64_MAX - 1
  append(*f, {make_entry(UINT64_MAX - 1, 2)});
  expect_log_across_reopen(f, UINT64_MAX - 1, {make_entry(UINT64_MAX - 1, 2)});
  REQUIRE(f->restart_log(1, 0));  // a new, empty log
  expect_log_across_reopen(f, 1, {});
}

CONTRACT_TEST("restart_log on a closed storage is closed", "[restart_log]") {
  TestType f;
  REQUIRE(f->close());
  CHECK(outcome(f->restart_log(5, 1)) == errc::closed);
  CHECK(outcome(f->restart_log(0, 1)) == errc::closed);
}

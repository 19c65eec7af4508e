// contract/lifecycle_test.cpp — sync, flush and close: close succeeds once,
// then every call answers closed while first_index/last_index keep their
// values and views stay valid; errors are seglog's and say something.
#include "contract/expect.hpp"

#include <functional>
#include <string>
#include <utility>

using namespace seglog;
using namespace seglog::test;

CONTRACT_TEST("sync and flush succeed and change nothing", "[sync][flush]") {
  TestType f;
  REQUIRE(f->sync());
  REQUIRE(f->flush());
  const auto log = append(*f, make_varied_entries(1, 300));
  REQUIRE(f->flush());
  REQUIRE(f->sync());
  REQUIRE(f->sync());
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("close succeeds once and then every call returns closed", "[close][errors]") {
  TestType f;
  append(*f, make_entries(1, 5));
  REQUIRE(f->save_snapshot(snapshot_data(2), 2, 1));
  REQUIRE(f->close());
  Storage& s = *f;
  const std::vector<std::pair<std::string, std::function<Outcome()>>> calls = {
      {"close", [&] { return outcome(s.close()); }},
      {"sync", [&] { return outcome(s.sync()); }},
      {"flush", [&] { return outcome(s.flush()); }},
      {"get_state", [&] { return outcome(s.get_state()); }},
      {"save_state",
       [&] {
         return outcome(s.save_state(PersistentState{1, "a", 1}));
       }},
      {"term", [&] { return outcome(s.term(3)); }},
      {"term(0)", [&] { return outcome(s.term(0)); }},
      {"get_entry", [&] { return outcome(s.get_entry(3)); }},
      {"read_entry", [&] { return outcome(s.read_entry(3)); }},
      {"get_entries", [&] { return outcome(s.get_entries(1, 6)); }},
      {"append_entries", [&] { return outcome(s.append_entries(make_entries(6, 1))); }},
      {"append_entries (empty batch)",
       [&] { return outcome(s.append_entries(std::span<const LogEntry>{})); }},
      {"truncate_after", [&] { return outcome(s.truncate_after(3)); }},
      {"truncate_before", [&] { return outcome(s.truncate_before(3)); }},
      {"get_snapshot", [&] { return outcome(s.get_snapshot()); }},
      {"save_snapshot", [&] { return outcome(s.save_snapshot(snapshot_data(4), 4, 1)); }},
      {"get_cluster_config", [&] { return outcome(s.get_cluster_config()); }},
      {"save_cluster_config", [&] { return outcome(s.save_cluster_config(ClusterConfig{})); }},
  };
  for (const auto& [name, call] : calls) {
    INFO(name);
    CHECK(call() == errc::closed);
  }
  CHECK(s.first_index() == 1);
  CHECK(s.last_index() == 5);
}

CONTRACT_TEST("first_index and last_index keep their values after close", "[close]") {
  TestType f;
  append(*f, make_entries(1, 10));
  compact(*f, 4, 1);
  REQUIRE(f->close());
  CHECK(f->first_index() == 5);
  CHECK(f->last_index() == 10);
}

CONTRACT_TEST("a view taken before close stays valid after it", "[close][views]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 400));
  const EntryView early = f->read_entry(2).value();
  const EntryView late = f->read_entry(400).value();
  REQUIRE(f->close());
  CHECK(early.to_entry() == log[1]);
  CHECK(late.to_entry() == log[399]);
}

CONTRACT_TEST("close keeps the log, state, cluster config and snapshot for the next open",
              "[close]") {
  TestType f;
  if constexpr (!TestType::persistent()) {
    SUCCEED("nothing outlives this fixture's storage object");
  } else {
    const auto log = append(*f, make_varied_entries(1, 500));
    REQUIRE(f->save_state(PersistentState{5, "me", 400}));
    REQUIRE(f->save_cluster_config(ClusterConfig{3, 2, {{"me", "h:1", true}}}));
    compact(*f, 100, 1);
    REQUIRE(f->close());
    f.reopen();
    expect_log(*f, 101, slice(log, 101, 501));
    CHECK(f->term(100).value() == 1);
    CHECK(f->get_state().value() == PersistentState{5, "me", 400});
    CHECK(f->get_cluster_config().value() == ClusterConfig{3, 2, {{"me", "h:1", true}}});
    CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{100, 1, 100});
  }
}

CONTRACT_TEST("every error is in seglog's category and carries a message", "[errors]") {
  TestType f;
  append(*f, make_entries(1, 3));
  const std::vector<Outcome> errors = {
      outcome(f->append_entries(make_entries(5, 1))),
      outcome(f->get_entry(9)),
      outcome(f->get_entries(3, 2)),
      outcome(f->truncate_before(9)),
  };
  for (const Outcome& error : errors) {
    INFO(describe(error));
    REQUIRE(error.code.has_value());
    CHECK(error.code->category() == error_category());
    CHECK(std::string(error.code->category().name()) == "seglog");
    CHECK_FALSE(error.message.empty());
  }
}

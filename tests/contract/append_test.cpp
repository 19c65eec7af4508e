// contract/append_test.cpp — append_entries: what is stored, skipped and
// refused, in which order the checks apply, and that a refused batch leaves
// the log exactly as before (invariant 7 of docs/design.md).
#include "contract/expect.hpp"

using namespace seglog;
using namespace seglog::test;

namespace {

Batch one(LogEntry entry) { return {std::move(entry)}; }

}  // namespace

CONTRACT_TEST("append_entries of an empty batch succeeds and changes nothing", "[append]") {
  TestType f;
  REQUIRE(f->append_entries(std::span<const LogEntry>{}));
  expect_log_across_reopen(f, 1, {});
  const auto log = append(*f, make_entries(1, 3));
  REQUIRE(f->append_entries(std::span<const LogEntry>{}));
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries stores terms, types and payloads that every read returns",
              "[append]") {
  TestType f;
  const auto log =
      append(*f, {make_entry(1, 1, 0, 0), make_entry(2, 1, 1, 1), make_entry(3, 2, 16, 2),
                  make_entry(4, 2, 300, 255), make_entry(5, 3, 4096, 7), make_entry(6, 9, 5, 0)});
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries continues the log over many batches and segment rolls",
              "[append][segments]") {
  TestType f;
  const auto log = make_varied_entries(1, 2000);
  append_in_batches(*f, log);
  expect_log_across_reopen(f, 1, log);
  const auto more = append(*f, make_varied_entries(2001, 100, 2));
  expect_log_across_reopen(f, 1, joined(log, more));
}

CONTRACT_TEST("append_entries refuses a gap and writes nothing", "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 3));
  CHECK(outcome(f->append_entries(make_entries(5, 2))) == errc::gap);
  CHECK(outcome(f->append_entries(make_entries(100, 1))) == errc::gap);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries on a new log must start at index 1", "[append][errors]") {
  TestType f;
  CHECK(outcome(f->append_entries(make_entries(2, 3))) == errc::gap);
  expect_log(*f, 1, {});
  const auto log = append(*f, make_entries(1, 1));
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries refuses index 0 with invalid_argument", "[append][errors]") {
  TestType f;
  CHECK(outcome(f->append_entries(one(make_entry(0, 1)))) == errc::invalid_argument);
  CHECK(outcome(f->append_entries(make_entries(0, 3))) == errc::invalid_argument);
  expect_log(*f, 1, {});
  const auto log = append(*f, make_entries(1, 2));
  CHECK(outcome(f->append_entries(one(make_entry(0, 1)))) == errc::invalid_argument);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries refuses indices that are not consecutive and writes nothing",
              "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 3));
  const std::vector<std::vector<std::uint64_t>> batches = {{4, 6},    {4, 4},       {5, 4},
                                                           {4, 5, 7}, {2, 3, 4, 6}, {4, 3}};
  for (const auto& indices : batches) {
    std::vector<LogEntry> batch;
    for (std::uint64_t i : indices) batch.push_back(make_entry(i, 1));
    INFO("batch starting at " << indices.front() << " of " << indices.size());
    CHECK(outcome(f->append_entries(batch)) == errc::invalid_argument);
  }
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries refuses an entry over max_entry_size and writes nothing of the batch",
              "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 3));
  auto batch = make_entries(4, 3);
  batch.back().data.resize(kMaxEntrySize + 1);
  CHECK(outcome(f->append_entries(batch)) == errc::entry_too_large);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries refuses an oversized entry even where it would be skipped",
              "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  compact(*f, 3, 1);
  auto retry = make_entries(2, 5);  // 2..3 compacted, 4..6 already stored
  retry[0].data.resize(kMaxEntrySize + 1);
  CHECK(outcome(f->append_entries(retry)) == errc::entry_too_large);
  retry = make_entries(5, 2);
  retry[1].data.resize(kMaxEntrySize + 1);
  CHECK(outcome(f->append_entries(retry)) == errc::entry_too_large);
  expect_log_across_reopen(f, 4, slice(log, 4, 11));
}

CONTRACT_TEST("append_entries accepts an entry of exactly max_entry_size, larger than a segment",
              "[append][segments]") {
  TestType f;
  const auto log =
      append(*f, {make_entry(1, 1, 10), make_entry(2, 1, kMaxEntrySize), make_entry(3, 1, 10),
                  make_entry(4, 2, kMaxEntrySize), make_entry(5, 2, kMaxEntrySize)});
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries stores entries of 0 and 1 bytes", "[append]") {
  TestType f;
  const auto log = append(*f, {make_entry(1, 1, 0), make_entry(2, 1, 1), make_entry(3, 1, 0),
                               make_entry(4, 2, 0), make_entry(5, 2, 1)});
  CHECK(f->read_entry(1).value().data().empty());
  CHECK(f->read_entry(2).value().data().size() == 1);
  expect_log_across_reopen(f, 1, log);
  const auto more = append(*f, {make_entry(6, 2, 0)});
  expect_log_across_reopen(f, 1, joined(log, more));
}

CONTRACT_TEST("append_entries skips entries already stored with the same term",
              "[append][idempotent]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 5));
  REQUIRE(f->append_entries(log));
  REQUIRE(f->append_entries(slice(log, 3, 6)));
  auto resent = one(make_entry(3, 1, 40));  // same index and term, other bytes
  REQUIRE(f->append_entries(resent));
  expect_log(*f, 1, log);
  const auto overlapping = make_entries(4, 5);  // 4..5 stored, 6..8 new
  REQUIRE(f->append_entries(overlapping));
  expect_log_across_reopen(f, 1, joined(log, slice(overlapping, 6, 9)));
}

CONTRACT_TEST("append_entries refuses a conflicting term and writes nothing of the batch",
              "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 5));
  const std::vector<LogEntry> batch = {make_entry(4, 1), make_entry(5, 2), make_entry(6, 2)};
  CHECK(outcome(f->append_entries(batch)) == errc::conflict);
  CHECK(outcome(f->append_entries(one(make_entry(1, 2)))) == errc::conflict);
  CHECK(outcome(f->append_entries(one(make_entry(5, 0)))) == errc::conflict);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries after a conflict and truncate_after replaces the suffix",
              "[append][truncate_after]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 5));
  const std::vector<LogEntry> batch = {make_entry(4, 1), make_entry(5, 2), make_entry(6, 2)};
  REQUIRE(outcome(f->append_entries(batch)) == errc::conflict);
  REQUIRE(f->truncate_after(4));
  REQUIRE(f->append_entries(batch));
  expect_log_across_reopen(f, 1, joined(slice(log, 1, 5), slice(batch, 5, 7)));
}

CONTRACT_TEST("append_entries checks invalid_argument, then entry_too_large, then conflict and gap",
              "[append][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 3));
  auto big = [](std::uint64_t index, std::uint64_t term) {
    return make_entry(index, term, kMaxEntrySize + 1);
  };
  CHECK(outcome(f->append_entries(Batch{big(4, 1), make_entry(6, 1)})) == errc::invalid_argument);
  CHECK(outcome(f->append_entries(one(big(0, 1)))) == errc::invalid_argument);
  CHECK(outcome(f->append_entries(Batch{make_entry(2, 9), big(3, 9)})) == errc::entry_too_large);
  CHECK(outcome(f->append_entries(Batch{make_entry(2, 9), make_entry(3, 9), big(4, 9)})) ==
        errc::entry_too_large);
  CHECK(outcome(f->append_entries(one(big(10, 1)))) == errc::entry_too_large);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("append_entries skips entries below first_index after compaction",
              "[append][compaction]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  compact(*f, 5, 1);
  // Compacted entries are not compared: not even a different term conflicts.
  REQUIRE(f->append_entries(make_entries(1, 5, 9)));
  const auto retry = joined(make_entries(3, 3, 9), make_entries(6, 7, 1));  // 3..12
  REQUIRE(f->append_entries(retry));
  expect_log_across_reopen(f, 6, joined(slice(log, 6, 11), slice(retry, 11, 13)));
}

CONTRACT_TEST("append_entries after truncate_before(last_index + 1) continues at last + 1",
              "[append][truncate_before]") {
  TestType f;
  append(*f, make_entries(1, 5));
  REQUIRE(f->truncate_before(6));
  CHECK(outcome(f->append_entries(make_entries(7, 1))) == errc::gap);
  REQUIRE(f->append_entries(make_entries(3, 3)));  // all compacted: skipped
  expect_log(*f, 6, {});
  const auto log = append(*f, make_entries(6, 2, 2));
  expect_log_across_reopen(f, 6, log);
}

// Index UINT64_MAX can never work: the index after it (the end of a range,
// the next append, a segment's next index) is not representable. It is
// refused up front, so an accepted write never leaves a log that reads or
// opens wrong (issue 12, defect 5). Every index below it works.
CONTRACT_TEST("append_entries near UINT64_MAX works up to UINT64_MAX - 1 and refuses UINT64_MAX",
              "[append][errors][limits]") {
  TestType f;
  constexpr std::uint64_t kMax = UINT64_MAX;
  compact(*f, kMax - 10, 3);  // a snapshot installed on a new log
  expect_log(*f, kMax - 9, {});
  // A batch that would reach UINT64_MAX is refused whole.
  CHECK(outcome(f->append_entries(make_entries(kMax - 9, 10, 4))) == errc::invalid_argument);
  expect_log(*f, kMax - 9, {});
  const auto log = append(*f, make_varied_entries(kMax - 9, 9, 4));  // up to UINT64_MAX - 1
  CHECK(outcome(f->append_entries(one(make_entry(kMax, 4)))) == errc::invalid_argument);
  // Nor as the retry of a batch whose start is already stored (built by
  // hand: make_entries' own end, first + count, would wrap).
  CHECK(outcome(f->append_entries(Batch{varied_entry(kMax - 2, 4), varied_entry(kMax - 1, 4),
                                        make_entry(kMax, 4)})) == errc::invalid_argument);
  expect_log_across_reopen(f, kMax - 9, log);
  // Ranges up to the end, clamped, and with an end of UINT64_MAX.
  CHECK(f->get_entries(kMax - 9, kMax).value() == log);
  CHECK(f->get_entries(kMax - 5, kMax).value() == slice(log, kMax - 5, kMax));
  CHECK(f->get_entries(kMax, kMax).value().empty());
  CHECK(f->get_entries(kMax - 3, kMax - 1, 1).value() == slice(log, kMax - 3, kMax - 2));
  std::vector<LogEntry> visited;
  REQUIRE(f->visit_entries(kMax - 9, kMax, [&](const EntryView& v) {
    visited.push_back(v.to_entry());
    return true;
  }));
  CHECK(visited == log);
  CHECK(outcome(f->term(kMax)) == errc::out_of_range);
  CHECK(outcome(f->get_entry(kMax)) == errc::out_of_range);
  CHECK(f->term(kMax - 10).value() == 3);
  // Truncations at the top end, and appends after them.
  REQUIRE(f->truncate_after(kMax - 4));
  expect_log_across_reopen(f, kMax - 9, slice(log, kMax - 9, kMax - 3));
  const auto again = append(*f, make_varied_entries(kMax - 3, 3, 5));
  expect_log_across_reopen(f, kMax - 9, joined(slice(log, kMax - 9, kMax - 3), again));
  REQUIRE(f->truncate_before(kMax - 1));
  expect_log_across_reopen(f, kMax - 1, slice(again, kMax - 1, kMax));
}

CONTRACT_TEST("a snapshot installed at UINT64_MAX - 1 leaves a log that refuses every append",
              "[append][errors][limits][snapshot]") {
  TestType f;
  constexpr std::uint64_t kMax = UINT64_MAX;
  append(*f, make_entries(1, 3));
  compact(*f, kMax - 1, 7);
  expect_log_across_reopen(f, kMax, {});
  CHECK(f->term(kMax - 1).value() == 7);
  CHECK(outcome(f->append_entries(one(make_entry(kMax, 7)))) == errc::invalid_argument);
  CHECK(f->get_entries(kMax, kMax).value().empty());
  CHECK(f->visit_entries(kMax, kMax, [](const EntryView&) { return true; }));
  expect_log_across_reopen(f, kMax, {});
  CHECK(f->get_snapshot().value().value().meta == SnapshotMeta{kMax - 1, 7, 100});
}

CONTRACT_TEST("save_snapshot at UINT64_MAX is invalid_argument and changes nothing",
              "[snapshot][errors][limits]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 3));
  CHECK(outcome(f->save_snapshot(snapshot_data(1), UINT64_MAX, 1)) == errc::invalid_argument);
  CHECK_FALSE(f->get_snapshot().value().has_value());
  expect_log_across_reopen(f, 1, log);
}

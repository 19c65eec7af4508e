// contract/truncate_test.cpp — truncate_after, truncate_before and
// compaction behind a snapshot ("Semantics of indices" in
// docs/design.md), and random operation sequences checked against a small
// model of the whole contract.
#include "contract/expect.hpp"

#include <optional>
#include <random>

using namespace seglog;
using namespace seglog::test;

CONTRACT_TEST("truncate_after at or beyond last_index is a no-op", "[truncate_after]") {
  TestType f;
  REQUIRE(f->truncate_after(0));
  REQUIRE(f->truncate_after(5));
  expect_log(*f, 1, {});
  const auto log = append(*f, make_entries(1, 5));
  REQUIRE(f->truncate_after(5));
  REQUIRE(f->truncate_after(6));
  REQUIRE(f->truncate_after(UINT64_MAX));
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("truncate_after removes the entries after the index", "[truncate_after]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 10));
  REQUIRE(f->truncate_after(6));
  CHECK(outcome(f->get_entry(7)) == errc::out_of_range);
  CHECK(outcome(f->term(7)) == errc::out_of_range);
  CHECK(f->get_entries(5, 11).value() == slice(log, 5, 7));
  expect_log_across_reopen(f, 1, slice(log, 1, 7));
  const auto more = append(*f, make_varied_entries(7, 3, 5));  // any term
  expect_log_across_reopen(f, 1, joined(slice(log, 1, 7), more));
}

CONTRACT_TEST("truncate_after(0) empties a log that starts at 1", "[truncate_after]") {
  TestType f;
  append(*f, make_entries(1, 5));
  REQUIRE(f->truncate_after(0));
  expect_log_across_reopen(f, 1, {});
  const auto log = append(*f, make_entries(1, 2, 3));
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("truncate_after(first_index - 1) empties the log and keeps first_index",
              "[truncate_after][compaction]") {
  TestType f;
  append(*f, make_entries(1, 10, 1));
  compact(*f, 5, 1);
  REQUIRE(f->truncate_after(5));
  expect_log(*f, 6, {});
  CHECK(f->term(5).value() == 1);
  f.reopen();
  expect_log(*f, 6, {});
  CHECK(f->term(5).value() == 1);
  const auto log = append(*f, make_entries(6, 3, 4));
  expect_log_across_reopen(f, 6, log);
}

CONTRACT_TEST("truncate_after below first_index - 1 is compacted and changes nothing",
              "[truncate_after][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  REQUIRE(f->truncate_before(6));
  CHECK(outcome(f->truncate_after(4)) == errc::compacted);
  CHECK(outcome(f->truncate_after(0)) == errc::compacted);
  expect_log_across_reopen(f, 6, slice(log, 6, 11));
}

CONTRACT_TEST("truncate_after back across segment boundaries keeps the earlier segments",
              "[truncate_after][segments]") {
  TestType f;
  const auto log = make_varied_entries(1, 2000);
  append_in_batches(*f, log);
  REQUIRE(f->truncate_after(1200));
  REQUIRE(f->truncate_after(300));
  expect_log_across_reopen(f, 1, slice(log, 1, 301));
  const auto more = make_varied_entries(301, 700, 2);
  append_in_batches(*f, more);
  expect_log_across_reopen(f, 1, joined(slice(log, 1, 301), more));
}

CONTRACT_TEST("truncate_before at or below first_index is a no-op", "[truncate_before]") {
  TestType f;
  REQUIRE(f->truncate_before(0));
  REQUIRE(f->truncate_before(1));
  expect_log(*f, 1, {});
  const auto log = append(*f, make_entries(1, 5));
  REQUIRE(f->truncate_before(0));
  REQUIRE(f->truncate_before(1));
  expect_log(*f, 1, log);
  REQUIRE(f->truncate_before(3));
  REQUIRE(f->truncate_before(2));
  REQUIRE(f->truncate_before(3));
  expect_log_across_reopen(f, 3, slice(log, 3, 6));
}

CONTRACT_TEST("truncate_before drops the entries before the index", "[truncate_before]") {
  TestType f;
  const auto log = append(*f, make_varied_entries(1, 10));
  REQUIRE(f->truncate_before(4));
  CHECK(outcome(f->get_entry(3)) == errc::compacted);
  CHECK(outcome(f->term(3)) == errc::compacted);
  CHECK(outcome(f->get_entries(3, 5)) == errc::compacted);
  expect_log_across_reopen(f, 4, slice(log, 4, 11));
  const auto more = append(*f, make_varied_entries(11, 2));
  expect_log_across_reopen(f, 4, joined(slice(log, 4, 11), more));
}

CONTRACT_TEST("truncate_before(last_index + 1) empties the log and the next append is last + 1",
              "[truncate_before]") {
  TestType f;
  append(*f, make_entries(1, 10));
  REQUIRE(f->truncate_before(11));
  expect_log_across_reopen(f, 11, {});
  CHECK(outcome(f->term(10)) == errc::compacted);  // no snapshot
  CHECK(outcome(f->append_entries(make_entries(12, 1))) == errc::gap);
  const auto log = append(*f, make_entries(11, 2, 3));
  expect_log_across_reopen(f, 11, log);
}

CONTRACT_TEST("truncate_before beyond last_index + 1 without a snapshot is out_of_range",
              "[truncate_before][errors]") {
  TestType f;
  CHECK(outcome(f->truncate_before(3)) == errc::out_of_range);
  expect_log(*f, 1, {});
  const auto log = append(*f, make_entries(1, 10));
  CHECK(outcome(f->truncate_before(12)) == errc::out_of_range);
  CHECK(outcome(f->truncate_before(UINT64_MAX)) == errc::out_of_range);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("truncate_before beyond the end installs a snapshot that ends at index - 1",
              "[truncate_before][compaction]") {
  TestType f;
  append(*f, make_entries(1, 10, 1));
  REQUIRE(f->save_snapshot(snapshot_data(100), 100, 7));
  REQUIRE(f->truncate_before(101));
  expect_log_across_reopen(f, 101, {});
  CHECK(f->term(100).value() == 7);
  CHECK(outcome(f->term(99)) == errc::compacted);
  CHECK(outcome(f->get_entries(5, 10)) == errc::compacted);
  CHECK(outcome(f->append_entries(make_entries(102, 1, 7))) == errc::gap);
  const auto log = append(*f, make_entries(101, 3, 7));
  expect_log_across_reopen(f, 101, log);
  CHECK(f->term(100).value() == 7);
}

CONTRACT_TEST("truncate_before beyond the end installs a snapshot on a new log",
              "[truncate_before][compaction]") {
  TestType f;
  REQUIRE(f->save_snapshot(snapshot_data(50), 50, 3));
  REQUIRE(f->truncate_before(51));
  expect_log_across_reopen(f, 51, {});
  CHECK(f->term(50).value() == 3);
  const auto log = append(*f, make_entries(51, 2, 3));
  expect_log_across_reopen(f, 51, log);
}

CONTRACT_TEST("truncate_before beyond the end with a snapshot ending elsewhere is out_of_range",
              "[truncate_before][errors]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 10));
  REQUIRE(f->save_snapshot(snapshot_data(100), 100, 7));
  CHECK(outcome(f->truncate_before(50)) == errc::out_of_range);
  CHECK(outcome(f->truncate_before(100)) == errc::out_of_range);
  CHECK(outcome(f->truncate_before(102)) == errc::out_of_range);
  expect_log_across_reopen(f, 1, log);
}

CONTRACT_TEST("save_snapshot then truncate_before(L + 1) gives the documented index semantics",
              "[truncate_before][compaction]") {
  TestType f;
  append(*f, joined(make_entries(1, 5, 1), make_entries(6, 5, 2)));
  compact(*f, 10, 2);
  expect_log_across_reopen(f, 11, {});
  CHECK(f->term(10).value() == 2);
  CHECK(outcome(f->term(9)) == errc::compacted);
  CHECK(outcome(f->get_entry(10)) == errc::compacted);
  CHECK(outcome(f->read_entry(1)) == errc::compacted);
  CHECK(outcome(f->get_entries(10, 11)) == errc::compacted);
  CHECK(f->get_entries(11, 20).value().empty());
  CHECK(outcome(f->append_entries(make_entries(12, 1, 2))) == errc::gap);
  const auto log = append(*f, make_entries(11, 1, 3));
  expect_log_across_reopen(f, 11, log);
  CHECK(f->term(10).value() == 2);
}

CONTRACT_TEST("compacting to the middle keeps the rest readable and term(L) from the snapshot",
              "[truncate_before][compaction]") {
  TestType f;
  const auto log = append(*f, joined(make_entries(1, 5, 1), make_entries(6, 5, 2)));
  compact(*f, 6, 2);
  CHECK(f->term(6).value() == 2);
  expect_log_across_reopen(f, 7, slice(log, 7, 11));
  CHECK(f->term(6).value() == 2);
}

CONTRACT_TEST("truncate_before across many segments keeps the rest readable",
              "[truncate_before][segments]") {
  TestType f;
  const auto log = make_varied_entries(1, 2000);
  append_in_batches(*f, log);
  REQUIRE(f->truncate_before(700));
  expect_log_across_reopen(f, 700, slice(log, 700, 2001));
  compact(*f, 1500, 1);
  expect_log_across_reopen(f, 1501, slice(log, 1501, 2001));
  const auto more = make_varied_entries(2001, 500);
  append_in_batches(*f, more);
  expect_log_across_reopen(f, 1501, joined(slice(log, 1501, 2001), more));
}

CONTRACT_TEST("the log can be emptied from both ends repeatedly and appends resume",
              "[truncate_after][truncate_before]") {
  TestType f;
  append(*f, make_entries(1, 5));
  REQUIRE(f->truncate_before(6));
  REQUIRE(f->truncate_after(5));
  expect_log(*f, 6, {});
  append(*f, make_entries(6, 5, 2));
  REQUIRE(f->truncate_after(5));
  expect_log_across_reopen(f, 6, {});
  append(*f, make_entries(6, 5, 3));
  REQUIRE(f->truncate_before(11));
  expect_log_across_reopen(f, 11, {});
  const auto log = append(*f, make_entries(11, 2, 4));
  expect_log_across_reopen(f, 11, log);
}

// ---- random sequences against a model -------------------------------------

namespace {

// The contract of append / truncate / snapshot / term, written as plainly as
// possible: the model a storage must agree with after every operation.
struct Model {
  std::uint64_t first = 1;
  std::vector<LogEntry> log;  // log[i] has index first + i
  std::optional<SnapshotMeta> snapshot;

  std::uint64_t last() const { return first + log.size() - 1; }

  std::optional<errc> append(const std::vector<LogEntry>& batch) {
    std::size_t next = 0;
    for (; next < batch.size(); ++next) {
      const LogEntry& e = batch[next];
      if (e.index < first) continue;
      if (e.index > last()) break;
      if (log[e.index - first].term != e.term) return errc::conflict;
    }
    if (next == batch.size()) return std::nullopt;
    if (batch[next].index != last() + 1) return errc::gap;
    log.insert(log.end(), batch.begin() + static_cast<std::ptrdiff_t>(next), batch.end());
    return std::nullopt;
  }

  std::optional<errc> truncate_after(std::uint64_t index) {
    if (index >= last()) return std::nullopt;
    if (index < first - 1) return errc::compacted;
    log.resize(index + 1 - first);
    return std::nullopt;
  }

  std::optional<errc> truncate_before(std::uint64_t index) {
    if (index <= first) return std::nullopt;
    if (index <= last() + 1) {
      log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(index - first));
    } else if (snapshot && snapshot->last_index == index - 1) {
      log.clear();
    } else {
      return errc::out_of_range;
    }
    first = index;
    return std::nullopt;
  }

  // The term at `index`, or the error term() must return.
  std::pair<std::uint64_t, std::optional<errc>> term(std::uint64_t index) const {
    if (index == 0) return {0, std::nullopt};
    if (index > last()) return {0, errc::out_of_range};
    if (index >= first) return {log[index - first].term, std::nullopt};
    if (snapshot && snapshot->last_index == index) return {snapshot->last_term, std::nullopt};
    return {0, errc::compacted};
  }
};

void expect_outcome(const Outcome& got, std::optional<errc> expected) {
  if (expected) {
    CHECK(got == *expected);
  } else {
    CHECK(is_ok(got));
  }
}

}  // namespace

CONTRACT_TEST("random operation sequences agree with a model of the contract",
              "[append][truncate_after][truncate_before][model]") {
  TestType f;
  Model model;
  std::mt19937_64 random(20240611);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) {  // in [lo, hi]
    return lo + random() % (hi - lo + 1);
  };
  auto below = [](std::uint64_t value, std::uint64_t by) { return value > by ? value - by : 0; };
  std::uint64_t current_term = 1;
  int reopens = 0;
  for (int step = 0; step < 600; ++step) {
    const unsigned op = random() % 100;
    if (op < 55) {  // append, often overlapping, sometimes conflicting or leaving a gap
      if (random() % 8 == 0) ++current_term;
      const std::uint64_t start =
          std::max<std::uint64_t>(1, pick(below(model.first, 3), model.last() + 2));
      const std::uint64_t count = pick(1, 12);
      Batch batch;
      for (std::uint64_t i = start; i < start + count; ++i) {
        std::uint64_t term = current_term;
        if (i >= model.first && i <= model.last()) {
          term = random() % 10 == 0 ? model.log[i - model.first].term + 1
                                    : model.log[i - model.first].term;
        }
        batch.push_back(make_entry(i, term, (i * 7 + term) % 200));
      }
      INFO("step " << step << ": append_entries [" << start << ", " << start + count << ")");
      expect_outcome(outcome(f->append_entries(batch)), model.append(batch));
    } else if (op < 70) {
      const std::uint64_t index = pick(below(model.first, 3), model.last() + 2);
      INFO("step " << step << ": truncate_after(" << index << ")");
      expect_outcome(outcome(f->truncate_after(index)), model.truncate_after(index));
    } else if (op < 82) {
      std::uint64_t index = pick(below(model.first, 2), model.last() + 3);
      if (model.snapshot && random() % 3 == 0) index = model.snapshot->last_index + 1;
      INFO("step " << step << ": truncate_before(" << index << ")");
      expect_outcome(outcome(f->truncate_before(index)), model.truncate_before(index));
    } else if (op < 92) {
      const std::uint64_t last_index =
          pick(std::max<std::uint64_t>(1, below(model.first, 1)), model.last() + 4);
      const auto [known, error] = model.term(last_index);
      const std::uint64_t last_term = error ? current_term : known;
      INFO("step " << step << ": save_snapshot(" << last_index << ", " << last_term << ")");
      REQUIRE(f->save_snapshot(snapshot_data(last_index), last_index, last_term));
      model.snapshot = SnapshotMeta{last_index, last_term, 100};
    } else {
      INFO("step " << step << ": reopen");
      f.reopen();
      ++reopens;
    }
    INFO("after step " << step);
    REQUIRE(f->first_index() == model.first);
    REQUIRE(f->last_index() == model.last());
    for (std::uint64_t index = below(model.first, 2); index <= model.last() + 1; ++index) {
      const auto [term, error] = model.term(index);
      const auto got = f->term(index);
      INFO("term(" << index << ")");
      if (error) {
        CHECK(outcome(got) == *error);
      } else {
        REQUIRE(got);
        CHECK(*got == term);
      }
    }
    if (step % 20 == 0) expect_log(*f, model.first, model.log);
  }
  INFO(reopens << " reopens");
  expect_log_across_reopen(f, model.first, model.log);
}

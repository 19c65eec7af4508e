// contract/delete_range_test.cpp — delete_range(first, last), hashicorp's
// DeleteRange: every range around a compacted log against a model of
// storage.hpp's rules (prefix, suffix, whole log, outside, strictly
// inside, first > last), on the storage's own override and on Storage's
// default (through ForwardingStorage), across a reopen; then the next
// append goes where the model says.
#include "contract/expect.hpp"
#include "contract/forwarding_storage.hpp"

using namespace seglog;
using namespace seglog::test;

namespace {

// What delete_range(first, last) leaves of the log [log_first, log_last]:
// the kept range [first, last] (empty when first > last), or the error.
struct Expected {
  std::optional<errc> error;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

// The model, written from storage.hpp's wording, not from the code.
Expected model_delete(std::uint64_t first, std::uint64_t last, std::uint64_t log_first,
                      std::uint64_t log_last) {
  if (first > last) return {errc::invalid_argument};
  const bool empty_log = log_first > log_last;
  const bool outside = empty_log || last < log_first || first > log_last;
  if (outside) return {std::nullopt, log_first, log_last};
  const bool prefix = first <= log_first;
  const bool suffix = last >= log_last;
  if (prefix && suffix) return {std::nullopt, log_first, log_first - 1};
  if (prefix) return {std::nullopt, last + 1, log_last};
  if (suffix) return {std::nullopt, log_first, first - 1};
  return {errc::invalid_argument};
}

// The log every case starts from: [4, 9] of term 1 behind a snapshot at 3.
constexpr std::uint64_t kFirst = 4;
constexpr std::uint64_t kLast = 9;

template <class Fixture>
void prepare(Fixture& f) {
  append(*f, make_entries(1, kLast));
  compact(*f, kFirst - 1, 1);
}

// Runs delete_range(first, last) through `storage` on a prepared fixture
// and checks the outcome, the log across a reopen, and where the next
// append goes.
template <class Fixture>
void check_delete(Fixture& f, Storage& storage, std::uint64_t first, std::uint64_t last) {
  INFO("delete_range(" << first << ", " << last << ") on [" << kFirst << ", " << kLast << "]");
  const Expected want = model_delete(first, last, kFirst, kLast);
  const Outcome got = outcome(storage.delete_range(first, last));
  if (want.error) {
    REQUIRE(got == *want.error);
    expect_log_across_reopen(f, kFirst, slice(make_entries(1, kLast), kFirst, kLast + 1));
    return;
  }
  REQUIRE(is_ok(got));
  const auto kept = slice(make_entries(1, kLast), want.first, want.last + 1);
  expect_log_across_reopen(f, want.first, kept);
  // The log continues at last + 1 with a new term.
  const auto next = make_entries(want.last + 1, 2, 2);
  append(*f, next);
  expect_log_across_reopen(f, want.first, joined(kept, next));
}

}  // namespace

CONTRACT_TEST("delete_range agrees with the model for every range around the log",
              "[delete_range][model]") {
  int cases = 0, refused = 0;
  for (std::uint64_t first = 0; first <= kLast + 2; ++first) {
    for (std::uint64_t last = first == 0 ? 0 : first - 1; last <= kLast + 2; ++last) {
      for (const bool through_default : {false, true}) {
        INFO((through_default ? "Storage's default delete_range" : "the storage's own"));
        TestType f;
        prepare(f);
        ForwardingStorage forwarding(*f);
        Storage& storage = through_default ? static_cast<Storage&>(forwarding) : *f;
        check_delete(f, storage, first, last);
        ++cases;
        if (model_delete(first, last, kFirst, kLast).error) ++refused;
      }
    }
  }
  CHECK(refused > 0);
  CHECK(refused < cases);
  SUCCEED(cases << " ranges, " << refused << " refused");
}

CONTRACT_TEST("delete_range of the whole log empties it at first_index, and appends resume there",
              "[delete_range]") {
  TestType f;
  prepare(f);
  REQUIRE(f->delete_range(0, UINT64_MAX - 1));
  expect_log_across_reopen(f, kFirst, {});
  CHECK(f->term(kFirst - 1).value() == 1);  // the snapshot's
  // hashicorp's follower: a conflicting whole log deleted, the same
  // indices appended again with the leader's term.
  const auto again = make_entries(kFirst, 3, 5);
  append(*f, again);
  expect_log_across_reopen(f, kFirst, again);
}

CONTRACT_TEST("delete_range strictly inside the log says why it is refused", "[delete_range]") {
  TestType f;
  prepare(f);
  const Outcome got = outcome(f->delete_range(kFirst + 1, kLast - 1));
  REQUIRE(got == errc::invalid_argument);
  CHECK_THAT(got.message, Catch::Contains("strictly inside the log [4, 9]") &&
                              Catch::Contains("prefix") && Catch::Contains("suffix"));
  const Outcome reversed = outcome(f->delete_range(6, 5));
  REQUIRE(reversed == errc::invalid_argument);
  CHECK_THAT(reversed.message, Catch::Contains("first is after last"));
}

CONTRACT_TEST("delete_range as compaction and as conflict removal, hashicorp's two uses",
              "[delete_range]") {
  TestType f;
  const auto log = make_varied_entries(1, 1200);
  append_in_batches(*f, log);
  REQUIRE(f->save_snapshot(snapshot_data(700), 700, 1));
  REQUIRE(f->delete_range(1, 600));  // compaction, keeping trailing entries
  expect_log_across_reopen(f, 601, slice(log, 601, 1201));
  REQUIRE(f->delete_range(1001, 1200));  // a follower's conflicting suffix
  const auto leader = make_varied_entries(1001, 50, 2);
  append(*f, leader);
  expect_log_across_reopen(f, 601, joined(slice(log, 601, 1001), leader));
}

CONTRACT_TEST("delete_range on a closed storage is closed, even for bad arguments",
              "[delete_range]") {
  TestType f;
  prepare(f);
  REQUIRE(f->close());
  CHECK(outcome(f->delete_range(1, 2)) == errc::closed);
  CHECK(outcome(f->delete_range(2, 1)) == errc::closed);
  CHECK(outcome(f->delete_range(kFirst + 1, kLast - 1)) == errc::closed);
}

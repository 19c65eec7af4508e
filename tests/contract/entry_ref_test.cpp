// contract/entry_ref_test.cpp — append_entries from EntryRef (payloads the
// caller owns): it stores what the LogEntry overload stores, and refuses,
// skips and validates exactly as it does. (That both write the same bytes
// on disk is golden_write's check: tests/golden.)
#include "contract/expect.hpp"

using namespace seglog;
using namespace seglog::test;

namespace {

// Views of `entries`' payloads: valid while `entries` lives.
std::vector<EntryRef> refs_of(const std::vector<LogEntry>& entries) {
  std::vector<EntryRef> refs;
  refs.reserve(entries.size());
  for (const LogEntry& e : entries) refs.push_back({e.index, e.term, e.type, e.data});
  return refs;
}

Outcome append_refs(Storage& storage, const std::vector<LogEntry>& entries) {
  const auto refs = refs_of(entries);
  return outcome(storage.append_entries(std::span<const EntryRef>(refs)));
}

}  // namespace

CONTRACT_TEST("append_entries from EntryRef stores what the LogEntry overload stores",
              "[append][entry_ref]") {
  TestType f;
  const auto log = make_varied_entries(1, 1500);
  // In batches of 1 to 37, rolling segments, one large entry among them.
  std::size_t done = 0;
  for (std::size_t n = 1; done < log.size(); n = n % 37 + 1) {
    const std::size_t take = std::min(n, log.size() - done);
    REQUIRE(is_ok(append_refs(*f, slice(log, done + 1, done + 1 + take))));
    done += take;
  }
  const std::vector<LogEntry> large{make_entry(1501, 2, kMaxEntrySize, 9)};
  REQUIRE(is_ok(append_refs(*f, large)));
  expect_log_across_reopen(f, 1, joined(log, large));
}

CONTRACT_TEST("append_entries from EntryRef copies the payload: the caller's buffer may change",
              "[append][entry_ref]") {
  TestType f;
  std::vector<std::byte> buffer = payload_for(1, 64);
  const std::vector<EntryRef> refs{{1, 1, 3, buffer}};
  REQUIRE(f->append_entries(std::span<const EntryRef>(refs)));
  const LogEntry stored{1, 1, 3, buffer};
  std::fill(buffer.begin(), buffer.end(), std::byte{0xEE});
  expect_log_across_reopen(f, 1, {stored});
}

CONTRACT_TEST("append_entries from EntryRef of an empty batch or empty payloads works",
              "[append][entry_ref]") {
  TestType f;
  REQUIRE(f->append_entries(std::span<const EntryRef>{}));
  const std::vector<EntryRef> refs{{1, 1, 0, {}}, {2, 1, 255, {}}};
  REQUIRE(f->append_entries(std::span<const EntryRef>(refs)));
  expect_log_across_reopen(f, 1, {LogEntry{1, 1, 0, {}}, LogEntry{2, 1, 255, {}}});
}

CONTRACT_TEST("append_entries from EntryRef refuses and skips exactly as from LogEntry",
              "[append][entry_ref]") {
  const std::uint64_t kMax = UINT64_MAX;
  struct Case {
    const char* what;
    std::vector<LogEntry> batch;
    std::optional<errc> expected;  // nullopt: accepted
  };
  // The log is [3, 10] of term 1 (compacted behind a snapshot at 2).
  const std::vector<Case> cases{
      {"index 0", {make_entry(0, 1)}, errc::invalid_argument},
      {"not consecutive", {make_entry(11, 1), make_entry(13, 1)}, errc::invalid_argument},
      {"UINT64_MAX", {make_entry(kMax, 1)}, errc::invalid_argument},
      {"too large", {make_entry(11, 1, kMaxEntrySize + 1)}, errc::entry_too_large},
      {"too large, even when skipped",
       {make_entry(5, 1, kMaxEntrySize + 1)},
       errc::entry_too_large},
      {"conflict", {make_entry(9, 2), make_entry(10, 2)}, errc::conflict},
      {"gap", {make_entry(12, 1)}, errc::gap},
      {"all compacted", {make_entry(1, 1), make_entry(2, 1)}, std::nullopt},
      {"all stored, same terms", make_entries(4, 7), std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    TestType from_entries, from_refs;
    for (TestType* f : {&from_entries, &from_refs}) {
      append(**f, make_entries(1, 10));
      compact(**f, 2, 1);
    }
    const Outcome want = outcome(from_entries->append_entries(c.batch));
    const Outcome got = append_refs(*from_refs, c.batch);
    if (c.expected) {
      CHECK(want == *c.expected);
    } else {
      CHECK(is_ok(want));
    }
    CHECK(got.code == want.code);
    expect_log_across_reopen(from_refs, 3, slice(make_entries(1, 10), 3, 11));
  }
}

CONTRACT_TEST("append_entries from EntryRef appends the new part of an overlapping batch",
              "[append][entry_ref]") {
  TestType f;
  append(*f, make_entries(1, 5));
  REQUIRE(is_ok(append_refs(*f, make_entries(3, 6))));
  expect_log_across_reopen(f, 1, make_entries(1, 8));
}

CONTRACT_TEST("append_entries from EntryRef on a closed storage is closed", "[append][entry_ref]") {
  TestType f;
  REQUIRE(f->close());
  CHECK(append_refs(*f, make_entries(1, 1)) == errc::closed);
}

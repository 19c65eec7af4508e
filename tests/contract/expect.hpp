// contract/expect.hpp — helpers that keep contract cases to a few lines:
// append a batch, check a whole log through every read (before and after a
// reopen), compact behind a snapshot.
#pragma once

#include "contract/fixtures.hpp"
#include "support/entries.hpp"
#include "support/results.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

namespace seglog::test {

// A batch written in place: `f->append_entries(Batch{a, b})` (std::span has
// no initializer-list constructor in C++20).
using Batch = std::vector<LogEntry>;

// Appends `batch`, requires success and returns the batch.
inline std::vector<LogEntry> append(Storage& storage, std::vector<LogEntry> batch) {
  REQUIRE(storage.append_entries(batch));
  return batch;
}

// Payload sizes of 0 to 699 bytes, varying with the index, so that a few
// thousand entries roll the segmented fixture's 64 KiB segments.
inline std::size_t varied_size(std::uint64_t index) { return (index * 137) % 700; }

// The entry make_varied_entries makes for `index`.
inline LogEntry varied_entry(std::uint64_t index, std::uint64_t term = 1) {
  return make_entry(index, term, varied_size(index), static_cast<std::uint8_t>(index % 5));
}

inline std::vector<LogEntry> make_varied_entries(std::uint64_t first, std::uint64_t count,
                                                 std::uint64_t term = 1) {
  std::vector<LogEntry> out;
  out.reserve(count);
  for (std::uint64_t i = first; i < first + count; ++i) out.push_back(varied_entry(i, term));
  return out;
}

// Appends `entries` in batches of 1 to 37 entries.
inline void append_in_batches(Storage& storage, const std::vector<LogEntry>& entries) {
  std::size_t done = 0;
  for (std::size_t n = 1; done < entries.size(); n = n % 37 + 1) {
    const std::size_t take = std::min(n, entries.size() - done);
    REQUIRE(storage.append_entries(std::span(entries).subspan(done, take)));
    done += take;
  }
}

// a followed by b.
inline std::vector<LogEntry> joined(std::vector<LogEntry> a, const std::vector<LogEntry>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// entries[from - entries.front().index, to - entries.front().index): the
// entries with indices [from, to).
inline std::vector<LogEntry> slice(const std::vector<LogEntry>& entries, std::uint64_t from,
                                   std::uint64_t to) {
  const std::uint64_t base = entries.empty() ? from : entries.front().index;
  return {entries.begin() + static_cast<std::ptrdiff_t>(from - base),
          entries.begin() + static_cast<std::ptrdiff_t>(to - base)};
}

// Checks that the log holds exactly `entries`, the first at `first`:
// first_index and last_index, every entry through get_entry, read_entry and
// term, the whole range through get_entries, and compacted / out_of_range
// just outside it.
inline void expect_log(Storage& storage, std::uint64_t first,
                       const std::vector<LogEntry>& entries) {
  const std::uint64_t last = first + entries.size() - 1;
  REQUIRE(storage.first_index() == first);
  REQUIRE(storage.last_index() == last);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LogEntry& expected = entries[i];
    INFO("entry " << expected.index);
    REQUIRE(expected.index == first + i);  // the case's own expectation
    const auto entry = storage.get_entry(expected.index);
    REQUIRE(entry);
    REQUIRE(*entry == expected);
    const auto view = storage.read_entry(expected.index);
    REQUIRE(view);
    REQUIRE(view->to_entry() == expected);
    const auto term = storage.term(expected.index);
    REQUIRE(term);
    REQUIRE(*term == expected.term);
  }
  CHECK(storage.get_entries(first, last + 1).value() == entries);
  CHECK(outcome(storage.get_entry(first - 1)) == errc::compacted);
  CHECK(outcome(storage.read_entry(first - 1)) == errc::compacted);
  CHECK(outcome(storage.get_entry(last + 1)) == errc::out_of_range);
  CHECK(outcome(storage.read_entry(last + 1)) == errc::out_of_range);
  CHECK(outcome(storage.term(last + 1)) == errc::out_of_range);
}

// expect_log, then reopen the fixture (a no-op in memory) and check again.
template <class Fixture>
void expect_log_across_reopen(Fixture& fixture, std::uint64_t first,
                              const std::vector<LogEntry>& entries) {
  {
    INFO("before reopen");
    expect_log(*fixture, first, entries);
  }
  fixture.reopen();
  INFO("after reopen");
  expect_log(*fixture, first, entries);
}

// The snapshot data the cases save for a snapshot ending at `last_index`.
inline std::vector<std::byte> snapshot_data(std::uint64_t last_index, std::size_t size = 100) {
  return payload_for(last_index ^ 0x5a5a, size);
}

// save_snapshot(.., last_index, last_term), then truncate_before(last_index + 1).
inline void compact(Storage& storage, std::uint64_t last_index, std::uint64_t last_term) {
  REQUIRE(storage.save_snapshot(snapshot_data(last_index), last_index, last_term));
  REQUIRE(storage.truncate_before(last_index + 1));
}

// The writer of the concurrency cases: entries 1..count (make_varied_entries)
// appended 10 at a time, compacted to 400 entries behind every 500, while
// two threads run reader(arg_a, done) and reader(arg_b, done) until it is
// finished. Returns how many of its calls failed.
template <class Reader>
std::uint64_t append_and_compact_under(Storage& storage, std::uint64_t count, Reader reader,
                                       std::uint64_t arg_a, std::uint64_t arg_b) {
  std::atomic<bool> done{false};
  std::uint64_t failures = 0;
  std::thread a(reader, arg_a, std::cref(done)), b(reader, arg_b, std::cref(done));
  for (std::uint64_t i = 1; i <= count; i += 10) {
    if (!storage.append_entries(make_varied_entries(i, 10))) ++failures;
    if (i % 500 == 1 && i > 500 && !storage.truncate_before(i - 400)) ++failures;
  }
  done = true;
  a.join();
  b.join();
  return failures;
}

}  // namespace seglog::test

// multi_segment_test.cpp — SegmentedStorage over many segments: thousands of
// rolls, entries from 0 bytes to larger than a segment, truncations from
// both ends landing on every kind of place in the segment set, compaction
// behind a snapshot, views that outlive all of it, and what the directory
// holds afterwards. Every case ends by comparing the whole log with a model
// (index -> entry) before and after a reopen.
#include "log/log_helpers.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace seglog;
using namespace seglog::test;

namespace {

// Mostly small payloads, every 7th 12-40 KiB (two or three fill a 64 KiB
// segment), some of 0 and 1 bytes, and every 1999th larger than a segment.
std::size_t mixed_size(std::uint64_t index) {
  if (index % 1999 == 0) return 200 * 1024;
  if (index % 11 == 0) return 0;
  if (index % 13 == 0) return 1;
  if (index % 7 == 0) return 12 * 1024 + (index * 7919) % 28'000;
  return (index * 137) % 700;
}

LogEntry mixed_entry(std::uint64_t index, std::uint64_t term) {
  return make_entry(index, term, mixed_size(index), static_cast<std::uint8_t>(index % 5));
}

std::vector<LogEntry> mixed_entries(std::uint64_t first, std::uint64_t count,
                                    std::uint64_t term = 1) {
  std::vector<LogEntry> out;
  out.reserve(count);
  for (std::uint64_t i = first; i < first + count; ++i) out.push_back(mixed_entry(i, term));
  return out;
}

// Entries that replace others at the same indices: other term, type, size
// and bytes.
std::vector<LogEntry> replacement_entries(std::uint64_t first, std::uint64_t count,
                                          std::uint64_t term) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = first; i < first + count; ++i) {
    out.push_back(LogEntry{i, term, static_cast<std::uint8_t>(200 + i % 7),
                           payload_for(i * 31 + 7, (i * 53) % 900 + 1)});
  }
  return out;
}

// The segments of the directory as [first, last] ranges; the newest one's
// last is the log's last index.
struct Range {
  std::uint64_t first;
  std::uint64_t last;
};

std::vector<Range> segment_ranges(const fs::path& dir, std::uint64_t last_index) {
  const auto files = segment_files(dir);
  std::vector<Range> out;
  for (std::size_t k = 0; k < files.size(); ++k) {
    const std::uint64_t last = k + 1 < files.size() ? files[k + 1].first_index - 1 : last_index;
    out.push_back({files[k].first_index, last});
  }
  return out;
}

// A log of about 40 segments (3,000 entries, 64 KiB segments), the newest
// active, plus its model.
struct ManySegments {
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  std::unique_ptr<SegmentedStorage> storage = open_or_fail(options);
  Model model;

  ManySegments() {
    std::vector<LogEntry> entries;
    for (std::uint64_t i = 1; i <= 3000; ++i) {
      entries.push_back(make_entry(i, 1 + i / 1000, i % 50 == 0 ? 5000 : (i * 137) % 700,
                                   static_cast<std::uint8_t>(i % 3)));
    }
    append_all(*storage, model, entries);
    REQUIRE(segment_files(options.dir).size() >= 20);
  }

  std::vector<Range> ranges() const { return segment_ranges(options.dir, storage->last_index()); }
  std::uint64_t last() const { return storage->last_index(); }
  void check(std::uint64_t first) const { expect_model(*storage, model, first, options.dir); }
};

void expect_no_temp_files(const fs::path& dir) { CHECK(count_suffix(dir, ".tmp") == 0); }

// A process crash now — a copy of the live directory, which sees every byte
// written — recovers exactly the log of the model.
void expect_live_copy_opens_to(const ManySegments& log, std::uint64_t first) {
  static int copies = 0;
  Options copy = log.options;
  copy.dir = log.dir.path() / ("crash-copy-" + std::to_string(++copies));
  // Background work (a roll's seal, unlinks) would change files while they
  // are copied; the power-loss tests cover crashes in the middle of it.
  REQUIRE(log.storage->flush());
  copy_dir(log.options.dir, copy.dir);
  INFO("a copy of the live directory");
  auto storage = open_or_fail(copy);
  expect_model(*storage, log.model, first, copy.dir);
  CHECK(storage->stats().torn_tails_cut == 0);
}

void expect_stats_match_directory(SegmentedStorage& storage, bool all_sealed) {
  // Seals after rolls and unlinks after truncate_before run in the
  // background; flush() waits for them.
  REQUIRE(storage.flush());
  const Stats stats = storage.stats();
  const auto files = segment_files(storage.options().dir);
  CHECK(stats.segments == files.size());
  if (all_sealed) {
    CHECK(stats.sealed_segments == stats.segments);
  } else {
    CHECK(stats.sealed_segments + 1 >= stats.segments);
  }
}

}  // namespace

TEST_CASE("24,000 entries of mixed sizes roll over a thousand segments and all read back",
          "[log][multi_segment][rolls]") {
  TempDir dir;
  const Options options = small_options(dir.path() / "log");
  auto storage = open_or_fail(options);
  Model model;
  constexpr std::uint64_t kCount = 24'000;
  append_all(*storage, model, mixed_entries(1, kCount), 64);

  const auto files = segment_files(options.dir);
  WARN("24,000 entries rolled " << files.size() << " segments");
  CHECK(files.size() >= 1000);
  CHECK(files.front().first_index == 1);
  // The last roll's seal (and the mapping it adds to the cache) may still
  // be running in the background: sealed_segments and mapped_segments are
  // exact only after a flush (stats.hpp). Without it this failed on a
  // loaded machine with 1868 sealed of 1869 segments.
  REQUIRE(storage->flush());
  Stats stats = storage->stats();
  CHECK(stats.segments == files.size());
  CHECK(stats.sealed_segments == stats.segments - 1);  // all but the active one
  CHECK(stats.entries_appended == kCount);
  expect_no_temp_files(options.dir);
  expect_model(*storage, model, 1, options.dir);
  CHECK(storage->stats().mapped_segments <= storage->stats().max_mapped_segments + 1);

  reopen(storage);
  stats = storage->stats();
  CHECK(stats.segments == files.size());
  CHECK(stats.sealed_segments == stats.segments);  // close sealed the active one
  CHECK(stats.clean_open);
  CHECK(stats.torn_tails_cut == 0);
  CHECK(stats.leftovers_removed == 0);
  expect_model(*storage, model, 1, options.dir);

  // And the log goes on after the reopen, in a new segment.
  append_all(*storage, model, mixed_entries(kCount + 1, 500));
  CHECK(segment_files(options.dir).size() > files.size());
  reopen(storage);
  expect_model(*storage, model, 1, options.dir);
}

TEST_CASE(
    "entries of 0 bytes, 1 byte, exactly a segment's room and larger than a segment read "
    "back across rolls",
    "[log][multi_segment][sizes]") {
  // 4096 header + record + a footer of one point == 64 KiB exactly.
  constexpr std::size_t kExactFit = kSegmentSize - 4096 - 16 - 32;
  const std::vector<std::size_t> sizes = {
      0,          1,         0, 1, kExactFit, kExactFit + 1, 7, 200 * 1024, 0, 1, 8, 9, 200 * 1024,
      200 * 1024, kMaxEntry, 0, 1, 700,       kExactFit,     0};
  const std::size_t batch = GENERATE(std::size_t{1}, std::size_t{3}, std::size_t{64});
  INFO("batches of " << batch);
  TempDir dir;
  const Options options = small_options(dir.path() / "log");
  auto storage = open_or_fail(options);
  std::vector<LogEntry> entries;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    entries.push_back(make_entry(k + 1, 3, sizes[k], static_cast<std::uint8_t>(k)));
  }
  Model model;
  append_all(*storage, model, entries, batch);
  expect_model(*storage, model, 1, options.dir);

  // An entry that cannot fit a 64 KiB segment starts a segment of its own.
  const auto files = segment_files(options.dir);
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] <= kExactFit) continue;
    INFO("entry " << k + 1 << " of " << sizes[k] << " bytes");
    CHECK(std::any_of(files.begin(), files.end(),
                      [&](const SegmentFile& f) { return f.first_index == k + 1; }));
  }
  expect_stats_match_directory(*storage, false);
  reopen(storage);
  expect_model(*storage, model, 1, options.dir);
  expect_stats_match_directory(*storage, true);
}

TEST_CASE(
    "max_entry_size is enforced for entries larger than a segment and nothing of the "
    "batch is written",
    "[log][multi_segment][sizes][errors]") {
  TempDir dir;
  const Options options = small_options(dir.path() / "log");
  auto storage = open_or_fail(options);
  Model model;
  append_all(*storage, model, mixed_entries(1, 300));
  const auto files_before = segment_files(options.dir).size();

  std::vector<LogEntry> batch = {make_entry(301, 1, 100), make_entry(302, 1, 200 * 1024),
                                 make_entry(303, 1, kMaxEntry + 1), make_entry(304, 1, 0)};
  CHECK(outcome(storage->append_entries(batch)) == errc::entry_too_large);
  CHECK(storage->last_index() == 300);
  CHECK(segment_files(options.dir).size() == files_before);
  expect_no_temp_files(options.dir);

  batch.erase(batch.begin() + 2, batch.end());
  batch.push_back(make_entry(303, 1, kMaxEntry));
  append_all(*storage, model, batch);
  expect_model(*storage, model, 1, options.dir);
  reopen(storage);
  expect_model(*storage, model, 1, options.dir);
  CHECK(outcome(storage->append_entries(
            std::vector<LogEntry>{make_entry(304, 1, kMaxEntry + 1)})) == errc::entry_too_large);
  CHECK(storage->last_index() == 303);
}

TEST_CASE("truncate_after lands on every kind of place in the segment set, then the log goes on",
          "[log][multi_segment][truncate_after]") {
  ManySegments log;
  const auto r = log.ranges();
  const std::size_t mid = r.size() / 2;
  const Range active = r.back();
  const std::vector<std::pair<std::string, std::uint64_t>> places = {
      {"the first entry of a sealed segment", r[mid].first},
      {"the last entry of a sealed segment (the next segment empties)", r[mid].last},
      {"the last entry of the newest sealed segment (the active one empties)",
       r[r.size() - 2].last},
      {"inside a sealed segment", (r[mid].first + r[mid].last) / 2},
      {"the first entry of the active segment", active.first},
      {"inside the active segment", (active.first + active.last) / 2},
      {"the entry before the last", active.last - 1},
      {"the first entry of the log", 1},
      {"first_index - 1 (the log empties)", 0},
  };
  const auto& [place, index] = places[GENERATE(range(0, 9))];
  INFO("truncate_after(" << index << "): " << place);
  REQUIRE(active.last > active.first + 2);  // the active segment has an inside

  REQUIRE(log.storage->truncate_after(index));
  model_truncate_after(log.model, index);
  log.check(1);
  // Only segments up to the one that held index + 1 are left.
  for (const auto& f : segment_files(log.options.dir)) CHECK(f.first_index <= index + 1);
  expect_no_temp_files(log.options.dir);
  expect_stats_match_directory(*log.storage, false);
  expect_live_copy_opens_to(log, 1);

  append_all(*log.storage, log.model, replacement_entries(index + 1, 700, 9));
  log.check(1);
  expect_live_copy_opens_to(log, 1);
  reopen(log.storage);
  log.check(1);
  expect_stats_match_directory(*log.storage, true);
  append_all(*log.storage, log.model, mixed_entries(log.last() + 1, 50, 9));
  reopen(log.storage);
  log.check(1);
  expect_no_temp_files(log.options.dir);
}

TEST_CASE("truncate_before lands on every kind of place in the segment set, then the log goes on",
          "[log][multi_segment][truncate_before]") {
  ManySegments log;
  const auto r = log.ranges();
  const std::size_t mid = r.size() / 2;
  const Range active = r.back();
  const std::vector<std::pair<std::string, std::uint64_t>> places = {
      {"the first entry of a sealed segment (exactly on a boundary)", r[mid].first},
      {"the second entry of a sealed segment", r[mid].first + 1},
      {"the last entry of a sealed segment", r[mid].last},
      {"inside a sealed segment", (r[mid].first + r[mid].last) / 2},
      {"the first entry of the active segment", active.first},
      {"inside the active segment", (active.first + active.last) / 2},
      {"the last entry", active.last},
      {"last_index + 1 (the log empties)", active.last + 1},
      {"the second entry of the log", 2},
  };
  const auto& [place, index] = places[GENERATE(range(0, 9))];
  INFO("truncate_before(" << index << "): " << place);
  REQUIRE(active.last > active.first + 2);

  REQUIRE(log.storage->truncate_before(index));
  model_truncate_before(log.model, index);
  log.check(index);
  // The unlinks and the boundary rewrite finish in the background.
  REQUIRE(log.storage->flush());

  // Whole segments below index are gone; the first file left holds index
  // (or is the newest segment when the log was emptied); none is partial.
  std::size_t expected_files = 0;
  for (const Range& range : r) expected_files += range.last >= index ? 1 : 0;
  expected_files = std::max<std::size_t>(expected_files, 1);
  const auto files = segment_files(log.options.dir);
  CHECK(files.size() == expected_files);
  REQUIRE_FALSE(files.empty());
  CHECK(files.front().first_index <= index);
  for (std::size_t k = 1; k < files.size(); ++k) CHECK(files[k].first_index > index);
  expect_no_temp_files(log.options.dir);
  expect_stats_match_directory(*log.storage, false);
  CHECK(log.storage->stats().pending_rewrites == 0);
  expect_live_copy_opens_to(log, index);

  SECTION("then the log goes on, and truncate_after still works on it") {
    append_all(*log.storage, log.model, mixed_entries(log.last() + 1, 700, 4));
    log.check(index);
    expect_live_copy_opens_to(log, index);
    reopen(log.storage);
    log.check(index);
    expect_stats_match_directory(*log.storage, true);
    REQUIRE(log.storage->truncate_after(index + 10));
    model_truncate_after(log.model, index + 10);
    append_all(*log.storage, log.model, replacement_entries(index + 11, 300, 5));
    reopen(log.storage);
    log.check(index);
  }
  SECTION("then truncate_after(first_index - 1) empties it and appends resume at first_index") {
    REQUIRE(log.storage->truncate_after(index - 1));
    model_truncate_after(log.model, index - 1);
    log.check(index);
    expect_live_copy_opens_to(log, index);
    reopen(log.storage);
    log.check(index);
    append_all(*log.storage, log.model, replacement_entries(index, 300, 6));
    log.check(index);
    reopen(log.storage);
    log.check(index);
  }
  expect_no_temp_files(log.options.dir);
}

TEST_CASE(
    "truncate_before(last_index + 1) over many segments keeps one file and the next "
    "append is last + 1",
    "[log][multi_segment][truncate_before]") {
  ManySegments log;
  const std::uint64_t last = log.last();
  REQUIRE(log.storage->truncate_before(last + 1));
  log.model.clear();
  log.check(last + 1);
  REQUIRE(log.storage->flush());  // the unlinks run in the background
  CHECK(segment_files(log.options.dir).size() == 1);
  CHECK(outcome(log.storage->append_entries(mixed_entries(last + 2, 1))) == errc::gap);
  reopen(log.storage);
  log.check(last + 1);
  append_all(*log.storage, log.model, mixed_entries(last + 1, 1000, 3));
  log.check(last + 1);
  reopen(log.storage);
  log.check(last + 1);
  expect_no_temp_files(log.options.dir);
}

TEST_CASE(
    "a snapshot past the end of a log of many segments, then truncate_before(L + 1), "
    "then L + 1 appended survives a reopen",
    "[log][multi_segment][truncate_before][snapshot]") {
  ManySegments log;
  const std::uint64_t snapshot_index = log.last() + 500;
  const std::vector<std::byte> snapshot_bytes = payload_for(99, 3000);
  REQUIRE(log.storage->save_snapshot(snapshot_bytes, snapshot_index, 7));
  REQUIRE(log.storage->truncate_before(snapshot_index + 1));
  log.model.clear();
  log.check(snapshot_index + 1);
  CHECK(log.storage->term(snapshot_index).value() == 7);
  REQUIRE(log.storage->flush());  // the unlinks run in the background
  CHECK(segment_files(log.options.dir).size() == 1);
  CHECK(outcome(log.storage->append_entries(mixed_entries(snapshot_index + 2, 1))) == errc::gap);

  append_all(*log.storage, log.model, mixed_entries(snapshot_index + 1, 600, 8));
  log.check(snapshot_index + 1);
  reopen(log.storage);
  log.check(snapshot_index + 1);
  CHECK(log.storage->term(snapshot_index).value() == 7);
  CHECK(log.storage->get_snapshot().value().value().data == snapshot_bytes);
  for (const auto& f : segment_files(log.options.dir)) CHECK(f.first_index > snapshot_index);
  expect_no_temp_files(log.options.dir);
}

TEST_CASE("a snapshot past the end with no append before the reopen keeps the log empty at L + 1",
          "[log][multi_segment][truncate_before][snapshot]") {
  ManySegments log;
  const std::uint64_t snapshot_index = log.last() + 3;
  REQUIRE(log.storage->save_snapshot(payload_for(1, 10), snapshot_index, 4));
  REQUIRE(log.storage->truncate_before(snapshot_index + 1));
  log.model.clear();
  reopen(log.storage);
  log.check(snapshot_index + 1);
  CHECK(log.storage->term(snapshot_index).value() == 4);
  append_all(*log.storage, log.model, mixed_entries(snapshot_index + 1, 300, 5));
  reopen(log.storage);
  log.check(snapshot_index + 1);
}

TEST_CASE("views taken before truncations, rolls, compaction and close keep their bytes",
          "[log][multi_segment][views]") {
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  options.max_mapped_segments = 2;  // evictions happen while views are held
  auto storage = open_or_fail(options);
  Model model;
  append_all(*storage, model, mixed_entries(1, 2000));
  const auto ranges = segment_ranges(options.dir, storage->last_index());
  REQUIRE(ranges.size() >= 10);

  // Views of the first and last entry of every segment and one inside.
  std::vector<std::pair<EntryView, LogEntry>> views;
  auto take = [&](std::uint64_t index) {
    auto view = storage->read_entry(index);
    REQUIRE(view);
    views.emplace_back(std::move(*view), model.at(index));
  };
  for (const Range& range : ranges) {
    take(range.first);
    take(range.last);
    take((range.first + range.last) / 2);
  }
  auto expect_views = [&](const char* after) {
    INFO("after " << after);
    for (const auto& [view, expected] : views) {
      REQUIRE(view.index() == expected.index);
      REQUIRE(view.term() == expected.term);
      REQUIRE(view.type() == expected.type);
      REQUIRE(view.to_entry() == expected);
    }
  };

  const std::uint64_t cut = ranges[ranges.size() / 2].first + 2;
  REQUIRE(storage->truncate_after(cut));
  model_truncate_after(model, cut);
  expect_views("truncate_after inside a sealed segment");

  append_all(*storage, model, replacement_entries(cut + 1, 3000, 2));
  expect_views("appends over the truncated indices and many rolls");

  const std::uint64_t compact_to = ranges[ranges.size() - 3].first + 5;
  REQUIRE(storage->truncate_before(compact_to));
  model_truncate_before(model, compact_to);
  expect_views("truncate_before with whole segments unlinked and a boundary rewrite");

  REQUIRE(storage->truncate_after(compact_to + 1));
  model_truncate_after(model, compact_to + 1);
  REQUIRE(storage->truncate_before(compact_to + 2));  // the log is empty now
  model_truncate_before(model, compact_to + 2);
  expect_views("emptying the log from both ends");

  REQUIRE(storage->close());
  expect_views("close");
  storage.reset();
  expect_views("destroying the storage");

  storage = open_or_fail(options);
  expect_model(*storage, model, compact_to + 2, options.dir);
  append_all(*storage, model, mixed_entries(compact_to + 2, 500, 3));
  expect_views("reopening and appending again");
  REQUIRE(storage->close());
}

TEST_CASE("a visit_entries visitor that waits does not hold up the writer",
          "[log][multi_segment][visit][threads]") {
  // The visitor stops in the middle of the first segment and waits while
  // another thread appends (rolling many segments), truncates the end
  // behind it and compacts below it, with a mapping cache of 2 (drops
  // need the table lock exclusively). Held under the table lock, the
  // visitor would block all of it; SegmentLog::scan_range holds the lock
  // only to start each segment's walk.
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  options.max_mapped_segments = 2;
  auto storage = open_or_fail(options);
  Model model;
  append_all(*storage, model, mixed_entries(1, 400));
  const auto ranges = segment_ranges(options.dir, storage->last_index());
  REQUIRE(ranges.size() >= 3);
  const std::uint64_t first_end = ranges[0].last;
  const Model before = model;

  std::atomic<bool> visitor_waiting{false};
  std::atomic<bool> writer_done{false};
  std::atomic<bool> visitor_gave_up{false};  // waited 20 s: the writer was stuck
  std::atomic<std::uint64_t> wrong{0};
  std::vector<std::uint64_t> seen;
  std::thread reader([&] {
    const Status status = storage->visit_entries(1, first_end + 1, [&](const EntryView& view) {
      if (view.to_entry() != before.at(view.index())) ++wrong;
      seen.push_back(view.index());
      if (view.index() == first_end / 2 + 1) {
        visitor_waiting = true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!writer_done && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        visitor_gave_up = !writer_done;
      }
      return true;
    });
    if (!status) ++wrong;
  });
  while (!visitor_waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  append_all(*storage, model, mixed_entries(401, 2000));
  const std::uint64_t cut = storage->last_index() - 100;
  REQUIRE(storage->truncate_after(cut));
  model_truncate_after(model, cut);
  const std::uint64_t compact_to = ranges[2].first + 1;  // above the visited range
  REQUIRE(storage->truncate_before(compact_to));
  model_truncate_before(model, compact_to);
  REQUIRE(storage->flush());
  writer_done = true;
  reader.join();

  CHECK_FALSE(visitor_gave_up);  // the writer never waited for the visitor
  CHECK(wrong == 0);             // and the visitor's bytes stayed right
  std::vector<std::uint64_t> expected(first_end);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(seen == expected);
  expect_model(*storage, model, compact_to, options.dir);
}

TEST_CASE("a truncate_before while a visitor waits ends the range with compacted",
          "[log][multi_segment][visit][threads]") {
  // The range spans the first two segments; while the visitor waits in the
  // first, another thread compacts past the second. The entries of the
  // first are all visited (their mapping stays pinned), then the next
  // segment's start reports compacted, naming the index.
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  auto storage = open_or_fail(options);
  Model model;
  append_all(*storage, model, mixed_entries(1, 400));
  const auto ranges = segment_ranges(options.dir, storage->last_index());
  REQUIRE(ranges.size() >= 4);
  const std::uint64_t first_end = ranges[0].last;
  const std::uint64_t compact_to = ranges[2].first + 1;

  std::atomic<bool> visitor_waiting{false};
  std::atomic<bool> compacted{false};
  std::vector<std::uint64_t> seen;
  std::uint64_t wrong = 0;
  Status status;
  std::thread reader([&] {
    status = storage->visit_entries(1, ranges[1].last + 1, [&](const EntryView& view) {
      if (view.to_entry() != model.at(view.index())) ++wrong;
      seen.push_back(view.index());
      if (view.index() == 1) {
        visitor_waiting = true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!compacted && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
      return true;
    });
  });
  while (!visitor_waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Model after = model;
  REQUIRE(storage->truncate_before(compact_to));
  model_truncate_before(after, compact_to);
  REQUIRE(storage->flush());
  compacted = true;
  reader.join();

  CHECK(wrong == 0);
  std::vector<std::uint64_t> expected(first_end);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(seen == expected);
  REQUIRE_FALSE(status);
  CHECK(status.error() == errc::compacted);
  CHECK_THAT(status.error().message(), Catch::Contains("index " + std::to_string(first_end + 1)));
  expect_model(*storage, after, compact_to, options.dir);
}

TEST_CASE(
    "a streaming writer has its spares before its first segment is half full; a writer that "
    "syncs every batch does not",
    "[log][multi_segment][spares]") {
  // 8 MiB segments: 1 MiB unsynced (a streaming writer) is far from half.
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  options.segment_size = 8ull << 20;
  SECTION("streaming: 1.5 MiB appended without a sync") {
    auto storage = open_or_fail(options);
    Model model;
    append_all(*storage, model, make_entries(1, 384, 1, 4096), 16);
    REQUIRE(storage->flush());  // the spare thread's work included
    CHECK(count_suffix(options.dir, ".spare") == 2);
    CHECK(segment_files(options.dir).size() == 1);
    expect_model(*storage, model, 1, options.dir);
    REQUIRE(storage->close());
    CHECK(count_suffix(options.dir, ".spare") == 0);
  }
  SECTION("syncing: 2 MiB in synced batches of 64 KiB") {
    auto storage = open_or_fail(options);
    for (std::uint64_t first = 1; first <= 512; first += 16) {
      REQUIRE(storage->append_entries(make_entries(first, 16, 1, 4096)));
      REQUIRE(storage->sync());
    }
    REQUIRE(storage->flush());
    CHECK(count_suffix(options.dir, ".spare") == 0);
    REQUIRE(storage->close());
  }
}

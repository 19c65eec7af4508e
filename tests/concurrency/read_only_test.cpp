// read_only_test.cpp — a read-only handle beside a writer, one step at a
// time (docs/design.md, "Read-only opens beside a live writer"; issue 12,
// defects 2 and 3): a sealed segment's file removed or replaced by the
// writer is `stale`, never a crash, never another file's bytes; an
// unsealed segment is served from the open's private copy; an OS failure
// during a read-only open is io_error, never a shorter log.
#include <seglog/seglog.hpp>

#include "support/entries.hpp"
#include "support/sanitized.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace seglog;
using seglog::test::make_entries;
using seglog::test::TempDir;

namespace {

constexpr std::size_t kPayload = 300;  // ~190 records per 64 KiB segment

Options writer_options(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 * 1024;
  o.index_interval_bytes = 256;
  return o;
}

Options reader_options(const std::filesystem::path& dir) {
  Options o = writer_options(dir);
  o.read_only = true;
  o.max_mapped_segments = 1;  // every read of another segment evicts
  return o;
}

std::unique_ptr<SegmentedStorage> open_or_fail(const Options& options) {
  auto opened = SegmentedStorage::open(options);
  if (!opened) FAIL("open: " << opened.error());
  return std::move(*opened);
}

// The entry `index` of `term` as make_entries made it.
bool is_entry(const EntryView& v, std::uint64_t index, std::uint64_t term) {
  return v.index() == index && v.term() == term &&
         v.to_entry() == seglog::test::make_entry(index, term, kPayload);
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A writer in a child process that appends `count` entries from `first`,
// syncs and dies without close: the newest segment stays unsealed, to be
// scanned (or copied, by a read-only open) by the next open.
void append_sync_and_die(const Options& options, std::uint64_t first, std::uint64_t count) {
  const pid_t writer = ::fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    auto opened = SegmentedStorage::open(options);
    if (!opened) ::_exit(3);
    if (!(*opened)->append_entries(make_entries(first, count, 1, kPayload))) ::_exit(4);
    if (!(*opened)->sync()) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(writer, &status, 0) == writer);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("read-only: a sealed segment replaced by a new file of the same name is stale",
          "[read_only][stale]") {
  TempDir dir;
  auto writer = open_or_fail(writer_options(dir.path()));
  REQUIRE(writer->append_entries(make_entries(1, 600, 1, kPayload)));
  REQUIRE(writer->flush());  // the rolls' seals are done: all but the newest sealed
  const auto before = segment_files(dir.path());
  REQUIRE(before.size() >= 3);

  auto reader = open_or_fail(reader_options(dir.path()));
  REQUIRE(reader->last_index() == 600);
  auto first = reader->read_entry(1);
  REQUIRE(first.has_value());
  CHECK(is_entry(*first, 1, 1));
  // The second segment's mapping evicts the first's (max_mapped_segments 1).
  auto second = reader->read_entry(300);
  REQUIRE(second.has_value());
  CHECK(is_entry(*second, 300, 1));

  // Everything goes; the same indices come back with term 2, in files of
  // the same names (same sizes: the same boundaries), 1.seg renamed over
  // the emptied one: each a new file with a new salt, the newest active
  // at full size until its seal trims it.
  REQUIRE(writer->truncate_after(0));
  REQUIRE(writer->append_entries(make_entries(1, 600, 2, kPayload)));
  REQUIRE(writer->flush());
  CHECK(segment_files(dir.path()) == before);

  // The second segment is still mapped by the reader: the bytes its open saw.
  auto again = reader->read_entry(301);
  REQUIRE(again.has_value());
  CHECK(is_entry(*again, 301, 1));
  // The first one's mapping was evicted: mapping it again by its path finds
  // the new file, which is stale, not the new file's bytes under the old view.
  auto evicted = reader->read_entry(2);
  REQUIRE_FALSE(evicted.has_value());
  CHECK(evicted.error() == errc::stale);
  INFO(evicted.error());
  // A segment the reader never mapped: replaced too.
  auto later = reader->read_entry(500);
  REQUIRE_FALSE(later.has_value());
  CHECK(later.error() == errc::stale);
  auto term = reader->term(100);
  REQUIRE_FALSE(term.has_value());
  CHECK(term.error() == errc::stale);
  auto range = reader->get_entries(1, 601);
  REQUIRE_FALSE(range.has_value());
  CHECK(range.error() == errc::stale);
  CHECK(reader->visit_entries(150, 450, [](const EntryView&) { return true; }).error() ==
        errc::stale);

  // The writer seals (trims) the newest file; nothing the reader does
  // touches it.
  REQUIRE(writer->close());
  for (std::uint64_t i = 1; i <= 600; i += 37) {
    auto r = reader->read_entry(i);
    if (r) {
      CHECK(is_entry(*r, i, 1));
    } else {
      CHECK(r.error() == errc::stale);
    }
  }
  // Views taken before keep their bytes.
  CHECK(is_entry(*first, 1, 1));
  CHECK(is_entry(*second, 300, 1));
  CHECK(is_entry(*again, 301, 1));
  // Reopening is the cure.
  auto fresh = open_or_fail(reader_options(dir.path()));
  auto now = fresh->read_entry(300);
  REQUIRE(now.has_value());
  CHECK(is_entry(*now, 300, 2));
}

TEST_CASE("read-only: a sealed segment removed by truncate_before is stale", "[read_only][stale]") {
  TempDir dir;
  auto writer = open_or_fail(writer_options(dir.path()));
  REQUIRE(writer->append_entries(make_entries(1, 800, 1, kPayload)));
  REQUIRE(writer->flush());
  auto reader = open_or_fail(reader_options(dir.path()));
  REQUIRE(reader->first_index() == 1);
  REQUIRE(writer->truncate_before(700));
  REQUIRE(writer->flush());  // the unlinks and the boundary rewrite are done
  auto gone = reader->read_entry(10);
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error() == errc::stale);
  INFO(gone.error());
  // The boundary segment (holding 700) was rewritten under another name
  // and unlinked too.
  auto boundary = reader->read_entry(700);
  REQUIRE_FALSE(boundary.has_value());
  CHECK(boundary.error() == errc::stale);
  // The newest segment was never replaced: still readable.
  auto newest = reader->read_entry(800);
  REQUIRE(newest.has_value());
  CHECK(is_entry(*newest, 800, 1));
}

TEST_CASE("read-only: another segment's bytes renamed over a segment's name are stale",
          "[read_only][stale]") {
  TempDir dir;
  {
    auto writer = open_or_fail(writer_options(dir.path()));
    REQUIRE(writer->append_entries(make_entries(1, 600, 1, kPayload)));
    REQUIRE(writer->close());
  }
  auto reader = open_or_fail(reader_options(dir.path()));
  const auto files = segment_files(dir.path());
  REQUIRE(files.size() >= 3);
  // A copy of the third file takes the second one's name.
  const auto copy = dir.path() / "copy.tmp";
  std::filesystem::copy_file(files[2], copy);
  std::filesystem::rename(copy, files[1]);
  auto second_first = std::stoull(files[1].stem().string());
  auto r = reader->read_entry(second_first);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::stale);
}

TEST_CASE("read-only: an unsealed segment is read from the open's copy, whatever the writer does",
          "[read_only][copy]") {
  TempDir dir;
  auto writer = open_or_fail(writer_options(dir.path()));
  REQUIRE(writer->append_entries(make_entries(1, 150, 1, kPayload)));  // one active segment
  REQUIRE(writer->sync());
  auto reader = open_or_fail(reader_options(dir.path()));
  REQUIRE(reader->last_index() == 150);
  std::vector<EntryView> views;
  for (std::uint64_t i = 1; i <= 150; i += 10) {
    auto v = reader->read_entry(i);
    REQUIRE(v.has_value());
    views.push_back(*v);
  }
  // Roll (the segment is sealed and trimmed), cut into it, remove it and
  // create a file of the same name.
  REQUIRE(writer->append_entries(make_entries(151, 400, 1, kPayload)));
  REQUIRE(writer->flush());
  REQUIRE(writer->truncate_after(50));
  REQUIRE(writer->append_entries(make_entries(51, 300, 2, kPayload)));
  REQUIRE(writer->truncate_after(0));
  REQUIRE(writer->append_entries(make_entries(1, 100, 3, kPayload)));
  REQUIRE(writer->close());
  for (std::uint64_t i = 1; i <= 150; ++i) {
    auto v = reader->read_entry(i);
    REQUIRE(v.has_value());
    CHECK(is_entry(*v, i, 1));
  }
  auto all = reader->get_entries(1, 151);
  REQUIRE(all.has_value());
  CHECK(all->size() == 150);
  for (const EntryView& v : views) CHECK(is_entry(v, v.index(), 1));
}

// Defect 3 of issue 12: mapping the newest segment failed with ENOMEM and
// the read-only open served the log before it (here: an empty log). The
// address space of a child process is limited so that the open's one big
// mapping (the 256 MiB segment's, or its private copy's reservation) fails
// and nothing else does.
TEST_CASE("read-only: an OS failure scanning the newest segment is io_error, not a shorter log",
          "[read_only][io_error]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  SUCCEED("skipped: a sanitizer's shadow memory does not live under RLIMIT_AS");
#else
  TempDir dir;
  Options options = writer_options(dir.path());
  options.segment_size = 256ull << 20;
  // The segment stays unsealed at its preallocated 256 MiB.
  append_sync_and_die(options, 1, 100);

  enum Outcome { io_error = 10, shorter = 11, whole = 12, other_error = 13, no_limit = 14 };
  const pid_t reader = ::fork();
  REQUIRE(reader >= 0);
  if (reader == 0) {
    // The address space in use now, plus 64 MiB: room for everything the
    // open allocates (the sparse points of 256 MiB at 256 B are 8 MiB) but
    // not for a 256 MiB mapping.
    long pages = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    if (pages <= 0) ::_exit(no_limit);
    const rlim_t limit =
        static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (64ull << 20);
    const rlimit rl{limit, limit};
    if (::setrlimit(RLIMIT_AS, &rl) != 0) ::_exit(no_limit);
    Options ro = options;
    ro.read_only = true;
    auto opened = SegmentedStorage::open(ro);
    if (!opened) ::_exit(opened.error() == errc::io_error ? io_error : other_error);
    ::_exit((*opened)->last_index() == 100 ? whole : shorter);
  }
  int status = 0;
  REQUIRE(::waitpid(reader, &status, 0) == reader);
  REQUIRE(WIFEXITED(status));
  const int outcome = WEXITSTATUS(status);
  INFO("outcome " << outcome
                  << " (10 io_error, 11 a shorter log, 12 the whole log: the "
                     "mapping did not fail, 13 another error, 14 no limit set)");
  CHECK(outcome == io_error);

  // Without the limit the same open serves every entry.
  Options ro = options;
  ro.read_only = true;
  auto full = open_or_fail(ro);
  CHECK(full->last_index() == 100);
  auto last = full->read_entry(100);
  REQUIRE(last.has_value());
  CHECK(is_entry(*last, 100, 1));
#endif
}

// Issue 12, defect 3, with descriptors running out (EMFILE): a read-only
// handle must answer io_error, never a shorter log or a log without its
// snapshot. In a child, first the open itself with no descriptor left,
// then with one more each time until it succeeds; then a handle opened
// normally whose process has used up every descriptor, reading every
// entry (the reader maps one segment at a time, so each read of another
// segment opens its file again), the snapshot and the hard state: each
// answer is right or io_error. (The open needs a few descriptors at a
// time, not one per file: a sweep over how many are left reaches only the
// first few files it opens; the reads after the open reach the rest.)
TEST_CASE("read-only: running out of descriptors is io_error, never less data",
          "[read_only][io_error]") {
  if (seglog::test::kSanitized) {
    SUCCEED("skipped: a sanitizer's runtime needs file descriptors of its own");
    return;
  }
  TempDir dir;
  {
    auto writer = open_or_fail(writer_options(dir.path()));
    REQUIRE(writer->append_entries(make_entries(1, 300, 1, kPayload)));
    const std::vector<std::byte> data(1000, std::byte{7});
    const std::vector<std::byte> metadata(10, std::byte{9});
    REQUIRE(writer->save_snapshot(data, 50, 1, metadata));
    REQUIRE(writer->save_state({2, "b", 40}));
    REQUIRE(writer->close());
  }
  // The newest segment stays unsealed (read from a private copy by the
  // reader).
  append_sync_and_die(writer_options(dir.path()), 301, 100);
  REQUIRE(segment_files(dir.path()).size() >= 3);

  enum Outcome { io_error = 10, less = 11, whole = 12, other_error = 13, no_limit = 14 };
  // In the child: how the handle answers, read by read.
  auto read_all = [](SegmentedStorage& log) -> int {
    int errors = 0;
    auto note = [&errors](const seglog::Error& e) {
      if (e != errc::io_error) ::_exit(other_error);
      ++errors;
    };
    if (log.first_index() != 1 || log.last_index() != 400) return less;
    for (std::uint64_t i = 1; i <= 400; ++i) {
      auto v = log.read_entry(i);
      if (!v) {
        note(v.error());
        continue;
      }
      if (!is_entry(*v, i, 1)) return less;
    }
    if (auto snapshot = log.get_snapshot(); !snapshot) {
      note(snapshot.error());
    } else if (!snapshot->has_value() || (*snapshot)->meta.last_index != 50 ||
               (*snapshot)->meta.metadata.size() != 10 || (*snapshot)->data.size() != 1000) {
      return less;
    }
    if (auto state = log.get_state(); !state) {
      note(state.error());
    } else if (state->current_term != 2 || state->commit_index != 40) {
      return less;
    }
    return errors > 0 ? io_error : whole;
  };
  auto run_child = [&](int spare, bool exhaust_after_open) {
    const pid_t reader = ::fork();
    REQUIRE(reader >= 0);
    if (reader == 0) {
      if (spare >= 0) {
        // Every descriptor taken, then `spare` of them given back.
        std::vector<int> taken;
        for (int fd; (fd = ::dup(0)) >= 0;) taken.push_back(fd);
        if (errno != EMFILE || taken.size() < static_cast<std::size_t>(spare)) ::_exit(no_limit);
        for (int k = 0; k < spare; ++k) {
          ::close(taken.back());
          taken.pop_back();
        }
      }
      auto opened = SegmentedStorage::open(reader_options(dir.path()));
      if (!opened) ::_exit(opened.error() == errc::io_error ? io_error : other_error);
      if (exhaust_after_open) {
        // Every descriptor left taken: the handle's next open() fails.
        while (::dup(0) >= 0) {
        }
        if (errno != EMFILE) ::_exit(no_limit);
      }
      ::_exit(read_all(**opened));
    }
    int status = 0;
    REQUIRE(::waitpid(reader, &status, 0) == reader);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
  };
  const char* legend =
      " (10 io_error, 11 less than the directory holds, 12 all of it, 13 another error, "
      "14 no limit set)";

  // The open with no descriptor left, then one more each time, until it
  // has what it needs: before that, io_error every time.
  int spare = 0;
  for (;; ++spare) {
    REQUIRE(spare < 64);
    const int outcome = run_child(spare, false);
    INFO("descriptors left for the open: " << spare << ", outcome " << outcome << legend);
    REQUIRE((outcome == io_error || outcome == whole));
    if (outcome == whole) break;
  }
  CHECK(spare >= 1);
  // Descriptors used up after the open: reads of segments no longer
  // mapped, the snapshot and the state need new ones.
  const int exhausted = run_child(-1, true);
  INFO("descriptors used up after the open: outcome " << exhausted << legend);
  CHECK(exhausted == io_error);
  // And with descriptors, the same handle's answers are all right.
  CHECK(run_child(-1, false) == whole);
}

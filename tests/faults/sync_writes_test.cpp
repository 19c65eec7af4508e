// sync_writes_test.cpp — how the active segment writes for a writer that
// syncs often (src/log/segment.hpp: record_destination, write_staged,
// extend_runway): batches go out as one pwrite per publish (or per staging
// buffer's worth), a streaming writer's small batches and records over the
// staging buffer store through the mapping, a failed pwrite falls back to
// the mapping, and zeros written
// ahead of the records before small syncs leave no unwritten (fallocated)
// extent there, which recovery reads as a clean end.
#include <seglog/seglog.hpp>

#include "format/record.hpp"
#include "format/segment_header.hpp"
#include "support/entries.hpp"
#include "support/fault_hook.hpp"
#include "support/results.hpp"
#include "support/small_options.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace seglog;
using seglog::test::FaultFilter;
using seglog::test::make_entries;
using seglog::test::ScopedFault;
using Op = seglog::detail::fault::Op;
namespace fs = std::filesystem;

namespace {

// The segment's constants as the tests rely on them (active_writer.hpp):
// the staging buffer, the streaming mark, the smallest batch a streaming
// writer writes with pwrite, the largest batch that gets a runway.
constexpr std::uint64_t kStagingBytes = 256ull << 10;
constexpr std::uint64_t kStreamingBytes = 1ull << 20;
constexpr std::uint64_t kStoredBatchBytes = 1024;
constexpr std::uint64_t kRunwayMaxBatch = 64ull << 10;

// 8 MiB segments: every case stays below half of one, so nothing rolls and
// no spare is prepared in the background (segment_log.cpp asks for spares
// once the active segment is half full).
Options sync_options(const fs::path& dir) {
  Options o = seglog::test::small_options(dir);
  o.segment_size = 8ull << 20;
  o.index_interval_bytes = 4096;
  return o;
}

std::unique_ptr<SegmentedStorage> open_or_fail(const Options& options) {
  auto opened = SegmentedStorage::open(options);
  INFO(seglog::test::describe(seglog::test::outcome(opened)));
  REQUIRE(opened);
  return std::move(*opened);
}

bool is_segment_name(const std::string& name) { return name.ends_with(".seg"); }

// Records the calls on segment files (".seg", not ".seg.tmp" or ".spare")
// in order, failed ones too; a test reads them between its own calls.
class SegmentCalls final : public seglog::detail::fault::Hook {
 public:
  struct Seen {
    Op op;
    int err;
  };
  SegmentCalls() { seglog::detail::fault::set_hook(this); }
  ~SegmentCalls() override { seglog::detail::fault::set_hook(nullptr); }
  SegmentCalls(const SegmentCalls&) = delete;
  SegmentCalls& operator=(const SegmentCalls&) = delete;

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  // The calls seen since `mark` (a size() read earlier).
  std::vector<Seen> since(std::size_t mark) const {
    std::lock_guard lock(mu_);
    return {seen_.begin() + static_cast<std::ptrdiff_t>(mark), seen_.end()};
  }
  // The calls `action` made.
  template <class Action>
  std::vector<Seen> during(Action&& action) const {
    const std::size_t mark = size();
    action();
    return since(mark);
  }

  int before(const seglog::detail::fault::Call&) override { return 0; }
  void after(const seglog::detail::fault::Call& call, int err) override {
    if (!is_segment_name(call.path.filename().string())) return;
    std::lock_guard lock(mu_);
    seen_.push_back({call.op, err});
  }

 private:
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

std::size_t count_op(const std::vector<SegmentCalls::Seen>& calls, Op op) {
  return static_cast<std::size_t>(
      std::count_if(calls.begin(), calls.end(), [op](const auto& c) { return c.op == op; }));
}

std::string describe(const std::vector<SegmentCalls::Seen>& calls) {
  std::string out;
  for (const auto& c : calls) {
    out += std::string(seglog::detail::fault::op_name(c.op)) + (c.err != 0 ? "(failed) " : " ");
  }
  return out.empty() ? "(none)" : out;
}

// `seen` is `writes` pwrites on the segment and nothing else.
void expect_only_writes(const std::vector<SegmentCalls::Seen>& seen, std::size_t writes) {
  INFO("calls on the segment: " << describe(seen));
  CHECK(count_op(seen, Op::write) == writes);
  CHECK(seen.size() == writes);
}

// What the log was given, to compare reads against.
struct Model {
  std::vector<LogEntry> entries;  // entries[i].index == i + 1

  std::uint64_t last() const { return entries.size(); }
  std::vector<LogEntry> next(std::uint64_t count, std::size_t size) {
    auto batch = make_entries(last() + 1, count, 1, size);
    entries.insert(entries.end(), batch.begin(), batch.end());
    return batch;
  }
  std::uint64_t record_bytes_upto(std::uint64_t last_index) const {
    std::uint64_t bytes = 0;
    for (std::uint64_t i = 0; i < last_index; ++i) {
      bytes += seglog::detail::record_bytes(entries[i].data.size());
    }
    return bytes;
  }
};

// Every entry of the model up to `last` reads back byte-exact.
void expect_entries(const SegmentedStorage& storage, const Model& model, std::uint64_t last) {
  REQUIRE(storage.last_index() == last);
  std::uint64_t mismatches = 0;
  for (std::uint64_t i = 1; i <= last; ++i) {
    auto entry = storage.get_entry(i);
    if (!entry || !(*entry == model.entries[i - 1])) {
      if (++mismatches <= 3) {
        INFO("index " << i << ": " << seglog::test::describe(seglog::test::outcome(entry)));
        CHECK(entry);
        if (entry) CHECK(*entry == model.entries[i - 1]);
      }
    }
  }
  CHECK(mismatches == 0);
}

void append_or_fail(SegmentedStorage& storage, const std::vector<LogEntry>& batch) {
  auto s = storage.append_entries(batch);
  INFO(seglog::test::describe(seglog::test::outcome(s)));
  REQUIRE(s);
}

void sync_or_fail(SegmentedStorage& storage) {
  auto s = storage.sync();
  INFO(seglog::test::describe(seglog::test::outcome(s)));
  REQUIRE(s);
}

// A fresh log in a temporary directory (sync_options), what was given to
// it, and the check that closes it and reads everything back after a
// reopen.
struct LogUnderTest {
  seglog::test::TempDir dir;
  Options options = sync_options(dir.path());
  Model model;
  std::unique_ptr<SegmentedStorage> storage = open_or_fail(options);

  LogUnderTest() = default;
  // Starts in the sync regime: `synced` entries of 100 B, synced.
  explicit LogUnderTest(std::uint64_t synced) {
    append_or_fail(*storage, model.next(synced, 100));
    sync_or_fail(*storage);
  }
  std::unique_ptr<SegmentedStorage> close_reopen_and_expect_all() {
    REQUIRE(storage->close());
    storage.reset();
    auto reopened = open_or_fail(options);
    expect_entries(*reopened, model, model.last());
    return reopened;
  }
};

fs::path only_segment(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (is_segment_name(e.path().filename().string())) found.push_back(e.path());
  }
  REQUIRE(found.size() == 1);
  return found.front();
}

std::vector<std::byte> read_range(const fs::path& path, std::uint64_t offset,
                                  std::uint64_t length) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<std::byte> out(length);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(length));
  REQUIRE(in.gcount() == static_cast<std::streamsize>(length));
  return out;
}

void zero_range(const fs::path& path, std::uint64_t offset, std::uint64_t length) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekp(static_cast<std::streamoff>(offset));
  const std::vector<char> zeros(length, 0);
  f.write(zeros.data(), static_cast<std::streamsize>(length));
  REQUIRE(f);
}

// The offset one past the last nonzero byte of the file (0: all zero).
std::uint64_t end_of_nonzero(const fs::path& path) {
  const auto bytes = read_range(path, 0, fs::file_size(path));
  const auto last =
      std::find_if(bytes.rbegin(), bytes.rend(), [](std::byte b) { return b != std::byte{0}; });
  return static_cast<std::uint64_t>(bytes.rend() - last);
}

// ---- FIEMAP ------------------------------------------------------------------

// What FIEMAP says about [offset, offset + length) of a file.
struct ExtentReport {
  int err = 0;               // the ioctl's errno, 0 when it worked
  bool unwritten = false;    // some extent in the range is flagged unwritten
  bool fully_mapped = true;  // the extents cover the range with no hole
};

ExtentReport extents_of(const fs::path& path, std::uint64_t offset, std::uint64_t length) {
  ExtentReport report;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  constexpr std::uint32_t kMaxExtents = 256;
  // uint64_t storage keeps the struct and its extents aligned.
  std::vector<std::uint64_t> buffer(
      (sizeof(fiemap) + kMaxExtents * sizeof(fiemap_extent)) / sizeof(std::uint64_t) + 1);
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = offset;
  map->fm_length = length;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = kMaxExtents;
  if (::ioctl(fd, FS_IOC_FIEMAP, map) != 0) {
    report.err = errno;
    ::close(fd);
    return report;
  }
  ::close(fd);
  REQUIRE(map->fm_mapped_extents < kMaxExtents);  // a few KiB: a handful of extents
  std::uint64_t covered = offset;
  for (std::uint32_t i = 0; i < map->fm_mapped_extents; ++i) {
    const fiemap_extent& e = map->fm_extents[i];
    if (e.fe_logical + e.fe_length <= offset || e.fe_logical >= offset + length) continue;
    if (e.fe_flags & FIEMAP_EXTENT_UNWRITTEN) report.unwritten = true;
    if (e.fe_logical > covered) report.fully_mapped = false;
    covered = std::max<std::uint64_t>(covered, e.fe_logical + e.fe_length);
  }
  if (covered < offset + length) report.fully_mapped = false;
  return report;
}

}  // namespace

// ---- 1. where records go -------------------------------------------------------

TEST_CASE("a writer that syncs small batches writes each batch with one pwrite",
          "[faults][sync_writes]") {
  LogUnderTest log(10);
  Model& model = log.model;
  {
    auto& storage = log.storage;
    SegmentCalls calls;
    for (int round = 0; round < 3; ++round) {
      INFO("round " << round);
      // The staged records, in one write, and nothing else (no sync).
      expect_only_writes(calls.during([&] {
        append_or_fail(*storage, model.next(16, 100 + static_cast<std::size_t>(round) * 37));
      }),
                         1);
      expect_entries(*storage, model, model.last());
      sync_or_fail(*storage);
      expect_entries(*storage, model, model.last());
    }
    // A batch over the staging buffer in small records: one pwrite per
    // buffer's worth, still below the streaming mark.
    expect_only_writes(calls.during([&] {
      append_or_fail(*storage, model.next(3000, 100));  // 3000 x 136 B = 408,000 B
    }),
                       2);
    expect_entries(*storage, model, model.last());
    sync_or_fail(*storage);
  }
  (void)log.close_reopen_and_expect_all();
}

TEST_CASE("a streaming writer writes batches with pwrite and stores small ones",
          "[faults][sync_writes]") {
  LogUnderTest log(4);
  Model& model = log.model;
  {
    auto& storage = log.storage;
    SegmentCalls calls;
    // 1,100 x 1,032 B = 1,135,200 B unsynced in one batch: past the
    // streaming mark, and still one pwrite per staging buffer's worth
    // (254 records of 1,032 B fill one), never a store.
    std::size_t mark = calls.size();
    append_or_fail(*storage, model.next(1100, 1000));
    REQUIRE(model.record_bytes_upto(model.last()) - model.record_bytes_upto(4) >= kStreamingBytes);
    {
      const auto seen = calls.since(mark);
      INFO("calls on the segment: " << describe(seen));
      CHECK(count_op(seen, Op::write) == 5);
      CHECK(count_op(seen, Op::sync) == 0);
    }
    expect_entries(*storage, model, model.last());
    // Streaming now: a batch under kStoredBatchBytes is stored through the
    // mapping (no call at all), a larger one is one pwrite.
    REQUIRE(5 * seglog::detail::record_bytes(100) < kStoredBatchBytes);
    REQUIRE(20 * seglog::detail::record_bytes(100) >= kStoredBatchBytes);
    for (int round = 0; round < 4; ++round) {
      INFO("round " << round);
      expect_only_writes(calls.during([&] { append_or_fail(*storage, model.next(5, 100)); }), 0);
      expect_only_writes(calls.during([&] { append_or_fail(*storage, model.next(1, 500)); }), 0);
      expect_only_writes(calls.during([&] { append_or_fail(*storage, model.next(20, 100)); }), 1);
      expect_only_writes(calls.during([&] { append_or_fail(*storage, model.next(1, 5000)); }), 1);
      expect_entries(*storage, model, model.last());
    }
    expect_entries(*storage, model, model.last());
    // A sync after a streamed batch (over kRunwayMaxBatch): the state slot
    // and the fdatasync, no zeros.
    mark = calls.size();
    sync_or_fail(*storage);
    {
      const auto seen = calls.since(mark);
      INFO("calls on the segment: " << describe(seen));
      CHECK(count_op(seen, Op::write) == 1);
      CHECK(count_op(seen, Op::sync) == 1);
    }
    expect_entries(*storage, model, model.last());
    // Synced again: the next small batch is staged once more.
    mark = calls.size();
    append_or_fail(*storage, model.next(8, 100));
    CHECK(count_op(calls.since(mark), Op::write) == 1);
    sync_or_fail(*storage);
  }
  (void)log.close_reopen_and_expect_all();
}

TEST_CASE("a record larger than the staging buffer is stored through the mapping",
          "[faults][sync_writes]") {
  LogUnderTest log(4);
  Model& model = log.model;
  {
    auto& storage = log.storage;
    SegmentCalls calls;
    REQUIRE(seglog::detail::record_bytes(300 << 10) > kStagingBytes);
    expect_only_writes(calls.during([&] { append_or_fail(*storage, model.next(1, 300 << 10)); }),
                       0);
    expect_entries(*storage, model, model.last());
    sync_or_fail(*storage);
    expect_entries(*storage, model, model.last());
    // Small records around a large one in one batch: the staged ones
    // before it are written first, the ones after it staged anew.
    std::vector<LogEntry> batch = model.next(5, 200);
    const auto large = model.next(1, 280 << 10);
    const auto after = model.next(5, 200);
    batch.insert(batch.end(), large.begin(), large.end());
    batch.insert(batch.end(), after.begin(), after.end());
    expect_only_writes(calls.during([&] { append_or_fail(*storage, batch); }), 2);
    expect_entries(*storage, model, model.last());
    sync_or_fail(*storage);
  }
  (void)log.close_reopen_and_expect_all();
}

// ---- 2. a failing pwrite --------------------------------------------------------

TEST_CASE("a failed pwrite of staged records falls back to the mapping", "[faults][sync_writes]") {
  LogUnderTest log(10);
  Model& model = log.model;
  {
    auto& storage = log.storage;
    {
      // Only the active segment's writes (not the .tmp a roll prepares).
      ScopedFault eio(Op::write, EIO, FaultFilter().named(".seg").sparing(".tmp"));
      append_or_fail(*storage, model.next(16, 100));
      CHECK(eio.hits() == 1);
      // Over the staging buffer: two staged pwrites, both failing.
      append_or_fail(*storage, model.next(3000, 100));
      CHECK(eio.hits() == 3);
      expect_entries(*storage, model, model.last());
    }
    // The state slot is a write too: the sync comes after the fault.
    sync_or_fail(*storage);
    CHECK_FALSE(storage->stats().sync_failed);
    expect_entries(*storage, model, model.last());
    append_or_fail(*storage, model.next(16, 100));
    sync_or_fail(*storage);
  }
  CHECK(log.close_reopen_and_expect_all()->stats().torn_tails_cut == 0);
}

TEST_CASE("a streaming writer's stores and pwrites, mixed over many prefault chunks, read back",
          "[faults][sync_writes]") {
  LogUnderTest log(10);
  Model& model = log.model;
  {
    auto& storage = log.storage;
    // 6 MiB unsynced, batch after batch: past the streaming mark the
    // prefaulter populates 2 MiB chunks ahead while the writer stores
    // small batches and writes large ones into the same chunks (or
    // populates a chunk itself when it catches up).
    std::mt19937_64 rng(7);
    auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    for (int batch = 0; batch < 96; ++batch) {
      const bool small = below(3) == 0;
      append_or_fail(*storage,
                     small ? model.next(1 + below(6), 100) : model.next(64, 500 + below(1000)));
      if (batch % 16 == 15) expect_entries(*storage, model, model.last());
    }
    sync_or_fail(*storage);
    CHECK_FALSE(storage->stats().sync_failed);
    expect_entries(*storage, model, model.last());
  }
  CHECK(log.close_reopen_and_expect_all()->stats().torn_tails_cut == 0);
}

TEST_CASE("a failed zeros write ahead of the records does not fail the sync",
          "[faults][sync_writes]") {
  LogUnderTest log;
  Model& model = log.model;
  {
    auto& storage = log.storage;
    append_or_fail(*storage, model.next(16, 100));
    {
      // The first sync of a small batch writes the state slot (1st write)
      // and the zeros ahead (2nd): fail only the zeros.
      ScopedFault eio(Op::write, EIO, FaultFilter().named(".seg").sparing(".tmp").nth(2));
      sync_or_fail(*storage);
      CHECK(eio.hits() == 1);
    }
    CHECK_FALSE(storage->stats().sync_failed);
    expect_entries(*storage, model, model.last());
    {
      // Nothing was written ahead, so the next small sync tries again.
      SegmentCalls calls;
      append_or_fail(*storage, model.next(16, 100));
      const std::size_t mark = calls.size();
      sync_or_fail(*storage);
      const auto seen = calls.since(mark);
      INFO("calls on the segment: " << describe(seen));
      CHECK(count_op(seen, Op::write) == 2);
      CHECK(count_op(seen, Op::sync) == 1);
    }
    {
      // Every write failing from here: the staged records fall back to the
      // mapping, but the state slot cannot be written, so sync must fail
      // (and stay failed): the runway's tolerance must not hide that.
      ScopedFault eio(Op::write, EIO, FaultFilter().named(".seg").sparing(".tmp"));
      append_or_fail(*storage, model.next(16, 100));
      auto s = storage->sync();
      CHECK_FALSE(s);
      if (!s) CHECK(s.error() == errc::io_error);
    }
    CHECK(storage->stats().sync_failed);
    CHECK(storage->sync().error() == errc::io_error);
    (void)storage->close();
  }
  // What the two good syncs made durable is there.
  auto reopened = open_or_fail(log.options);
  REQUIRE(reopened->last_index() >= 32);
  expect_entries(*reopened, model, reopened->last_index());
}

// ---- 3. the runway's schedule -----------------------------------------------------

TEST_CASE("small syncs write zeros ahead of the records every few syncs", "[faults][sync_writes]") {
  LogUnderTest log;
  Model& model = log.model;
  auto& storage = log.storage;
  constexpr int kCycles = 40;
  SegmentCalls calls;
  int zeros_writes = 0;
  std::vector<int> zeros_at;  // the cycles whose sync wrote zeros
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    std::size_t mark = calls.size();
    append_or_fail(*storage, model.next(16, 100));  // 16 x 136 B = 2,176 B
    {
      const auto seen = calls.since(mark);
      INFO("cycle " << cycle << ", append: " << describe(seen));
      CHECK(count_op(seen, Op::write) == 1);
      // The first append also installs the segment (the rename to .seg).
      CHECK(seen.size() == (cycle == 0 ? 2u : 1u));
    }
    mark = calls.size();
    sync_or_fail(*storage);
    const auto seen = calls.since(mark);
    INFO("cycle " << cycle << ", sync: " << describe(seen));
    // The state slot, maybe the zeros, then the fdatasync that makes both
    // durable: zeros written after it would cost the next sync a commit.
    REQUIRE(!seen.empty());
    CHECK(seen.back().op == Op::sync);
    CHECK(count_op(seen, Op::sync) == 1);
    const std::size_t writes = count_op(seen, Op::write);
    CHECK((writes == 1 || writes == 2));
    CHECK(seen.size() == writes + 1);
    if (writes == 2) {
      ++zeros_writes;
      zeros_at.push_back(cycle);
    }
  }
  std::string cycles;
  for (int c : zeros_at) cycles += std::to_string(c) + " ";
  INFO("zeros written at cycles: " << cycles);
  REQUIRE_FALSE(zeros_at.empty());
  CHECK(zeros_at.front() == 0);
  CHECK(zeros_writes >= kCycles / 8 - 1);
  CHECK(zeros_writes <= kCycles / 4 + 1);
  expect_entries(*storage, model, model.last());
  REQUIRE(storage->close());
}

TEST_CASE("syncs of batches over 64 KiB write no zeros", "[faults][sync_writes]") {
  LogUnderTest log;
  Model& model = log.model;
  auto& storage = log.storage;
  SegmentCalls calls;
  for (int cycle = 0; cycle < 10; ++cycle) {
    std::size_t mark = calls.size();
    append_or_fail(*storage, model.next(8, 10000));  // 8 x 10,032 B = 80,256 B
    REQUIRE(8 * seglog::detail::record_bytes(10000) > kRunwayMaxBatch);
    CHECK(count_op(calls.since(mark), Op::write) == 1);  // staged: below 256 KiB
    mark = calls.size();
    sync_or_fail(*storage);
    const auto seen = calls.since(mark);
    INFO("cycle " << cycle << ", sync: " << describe(seen));
    CHECK(count_op(seen, Op::write) == 1);  // the state slot only
    CHECK(count_op(seen, Op::sync) == 1);
  }
  // Back to small batches: the runway starts at the first small sync.
  std::size_t mark = calls.size();
  append_or_fail(*storage, model.next(16, 100));
  CHECK(count_op(calls.since(mark), Op::write) == 1);
  mark = calls.size();
  sync_or_fail(*storage);
  CHECK(count_op(calls.since(mark), Op::write) == 2);
  expect_entries(*storage, model, model.last());
  REQUIRE(storage->close());
}

// ---- 4. on disk: no unwritten extent ahead of the records ------------------------------

TEST_CASE("after small syncs the blocks past the records are written, not unwritten",
          "[faults][sync_writes][fiemap]") {
  LogUnderTest log;
  Model& model = log.model;
  auto& storage = log.storage;
  constexpr std::uint64_t kBatch = 16;
  constexpr std::size_t kPayload = 100;
  const std::uint64_t batch_bytes = kBatch * seglog::detail::record_bytes(kPayload);
  for (int cycle = 0; cycle < 12; ++cycle) {
    append_or_fail(*storage, model.next(kBatch, kPayload));
    sync_or_fail(*storage);
  }
  REQUIRE(storage->flush());
  const fs::path segment = only_segment(log.options.dir);
  const std::uint64_t capacity = fs::file_size(segment);
  REQUIRE(capacity == log.options.segment_size);
  const std::uint64_t records_end =
      seglog::detail::kSegmentHeaderBytes + model.record_bytes_upto(model.last());
  // The records end where the format says: the last record's payload ends
  // within its last 8-byte-aligned bytes, and zeros follow.
  const std::uint64_t nonzero_end = end_of_nonzero(segment);
  CHECK(nonzero_end <= records_end);
  CHECK(nonzero_end > records_end - seglog::detail::record_bytes(kPayload));
  // Two syncs' worth ahead are always covered after a small sync.
  const std::uint64_t ahead = 2 * batch_bytes;
  const auto zeros = read_range(segment, records_end, ahead);
  CHECK(std::all_of(zeros.begin(), zeros.end(), [](std::byte b) { return b == std::byte{0}; }));

  const ExtentReport far_end = extents_of(segment, capacity - 4096, 4096);
  const ExtentReport past_records = extents_of(segment, records_end, ahead);
  if (far_end.err != 0) {
    WARN("FIEMAP is not supported under " << log.options.dir << " (" << std::strerror(far_end.err)
                                          << "): the extents past the records were not checked");
    CHECK((far_end.err == EOPNOTSUPP || far_end.err == ENOTTY || far_end.err == EINVAL));
  } else if (!far_end.unwritten) {
    WARN("the file system under " << log.options.dir
                                  << " reports no unwritten extent in a fallocated file "
                                     "(tmpfs?): the runway's effect cannot be seen here");
    REQUIRE(past_records.err == 0);
    CHECK(past_records.fully_mapped);
  } else {
    REQUIRE(past_records.err == 0);
    CHECK(far_end.fully_mapped);
    CHECK(past_records.fully_mapped);
    INFO("records end at " << records_end << ", checked " << ahead << " bytes past them");
    CHECK_FALSE(past_records.unwritten);
  }
  expect_entries(*storage, model, model.last());
  REQUIRE(storage->close());
}

// ---- 5. a crash after the runway: zeros are a clean end ------------------------------

TEST_CASE("a crash after small syncs recovers every synced entry with no torn tail",
          "[faults][sync_writes]") {
  seglog::test::TempDir dir;
  const Options options = sync_options(dir.path() / "live");
  Model model;
  auto storage = open_or_fail(options);
  for (int cycle = 0; cycle < 20; ++cycle) {
    append_or_fail(*storage, model.next(16, 100));
    sync_or_fail(*storage);
  }
  const std::uint64_t synced_last = model.last();
  const std::uint64_t synced_end =
      seglog::detail::kSegmentHeaderBytes + model.record_bytes_upto(synced_last);
  append_or_fail(*storage, model.next(10, 100));  // never synced
  const std::uint64_t written_end =
      seglog::detail::kSegmentHeaderBytes + model.record_bytes_upto(model.last());
  REQUIRE(storage->flush());  // no background work changes files mid-copy

  // Two images of the still open log: every written page kept (a process
  // crash), and the unsynced records lost (their pages never reached the
  // disk: the runway's zeros, or unwritten blocks, read as zeros).
  const Options kept = sync_options(dir.path() / "kept");
  const Options lost = sync_options(dir.path() / "lost");
  fs::copy(options.dir, kept.dir, fs::copy_options::recursive);
  fs::copy(options.dir, lost.dir, fs::copy_options::recursive);
  zero_range(only_segment(lost.dir), synced_end, written_end - synced_end);
  REQUIRE(storage->close());
  storage.reset();

  for (const auto& [image, last] : {std::pair{kept, model.last()}, std::pair{lost, synced_last}}) {
    INFO("image " << image.dir.filename() << ", expecting entries 1.." << last);
    Model expected = model;
    expected.entries.resize(last);
    {
      auto reopened = open_or_fail(image);
      const Stats stats = reopened->stats();
      CHECK(stats.torn_tails_cut == 0);
      CHECK(stats.torn_bytes_cut == 0);
      CHECK_FALSE(stats.clean_open);
      expect_entries(*reopened, expected, last);
      // Appends go on after the recovered end, in the same segment.
      for (int cycle = 0; cycle < 3; ++cycle) {
        append_or_fail(*reopened, expected.next(16, 100));
        sync_or_fail(*reopened);
      }
      expect_entries(*reopened, expected, expected.last());
      REQUIRE(reopened->close());
    }
    auto again = open_or_fail(image);
    CHECK(again->stats().torn_tails_cut == 0);
    expect_entries(*again, expected, expected.last());
  }
}

// ---- rolls: runways reaching the end of a segment, footers after them --------------

TEST_CASE("small syncs across rolls keep every entry, sealed and reopened",
          "[faults][sync_writes]") {
  seglog::test::TempDir dir;
  // 64 KiB segments: a runway of 8 syncs' worth reaches the end of each
  // one, where its seal then writes the footer.
  const Options options = seglog::test::small_options(dir.path());
  Model model;
  {
    auto storage = open_or_fail(options);
    for (int cycle = 0; cycle < 120; ++cycle) {
      append_or_fail(*storage, model.next(16, 100 + static_cast<std::size_t>(cycle % 7) * 13));
      sync_or_fail(*storage);
    }
    REQUIRE(storage->flush());
    CHECK(storage->stats().sealed_segments >= 3);
    expect_entries(*storage, model, model.last());
    REQUIRE(storage->close());
  }
  auto reopened = open_or_fail(options);
  CHECK(reopened->stats().torn_tails_cut == 0);
  expect_entries(*reopened, model, model.last());
  auto all = reopened->get_entries(1, model.last() + 1);
  REQUIRE(all);
  CHECK(*all == model.entries);
}

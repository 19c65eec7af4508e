// tests/log/prefault_test.cpp — Prefault (log/prefault.hpp): the chunks
// claimed ahead of a streaming writer become resident in the page cache,
// and population never changes a byte: not the writer's (stored through
// the mapping or written with pwrite, while the prefaulter runs beside
// it, falls behind, or never runs), not the file's unwritten zeros;
// nothing is populated below the first claim or after stop().
#include "io/file.hpp"
#include "io/mapped_file.hpp"
#include "log/prefault.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using seglog::detail::File;
using seglog::detail::MappedFile;
using seglog::detail::Prefault;

constexpr std::uint64_t kFileBytes = 24ull << 20;
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kChunk = Prefault::kChunk;

// The byte the writer writes at `offset`: never zero, so a zero found
// under the writer's range is a byte lost.
std::byte pattern(std::uint64_t offset) {
  return static_cast<std::byte>(1 + (offset * 131 + offset / 4096) % 255);
}

struct Fixture {
  seglog::test::TempDir dir;
  std::filesystem::path path = dir.path() / "segment";
  std::shared_ptr<MappedFile> map;

  File file;

  // A segment's file: preallocated (unwritten extents, which read as
  // zeros) and not in the page cache.
  Fixture() : file(open_new(path)) {
    REQUIRE(file.preallocate(kFileBytes).has_value());
    auto mapped = MappedFile::map(path, MappedFile::Access::read_write, kFileBytes);
    REQUIRE(mapped.has_value());
    map = *mapped;
  }

  static File open_new(const std::filesystem::path& path) {
    auto file = File::open(path, File::Mode::create_new);
    REQUIRE(file.has_value());
    return std::move(*file);
  }

  std::shared_ptr<Prefault> prefault(std::uint64_t first) {
    return std::make_shared<Prefault>(map, first);
  }

  // Pages of [from, to) in the page cache (mincore over the mapping;
  // `from` rounded down to a page).
  std::uint64_t resident_pages(std::uint64_t from, std::uint64_t to) const {
    const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    from = from / page * page;
    std::vector<unsigned char> in((to - from + page - 1) / page);
    REQUIRE(::mincore(map->data() + from, to - from, in.data()) == 0);
    return static_cast<std::uint64_t>(
        std::count_if(in.begin(), in.end(), [](unsigned char c) { return (c & 1) != 0; }));
  }

  // What the file holds, read with pread (not through the mapping).
  std::vector<std::byte> contents() {
    auto file = File::open(path, File::Mode::read_only);
    REQUIRE(file.has_value());
    std::vector<std::byte> bytes(kFileBytes);
    REQUIRE(file->read_at(0, bytes).has_value());
    return bytes;
  }
};

// The writer's loop as Segment drives it: records of `record` bytes from
// `first`, a claim of `ahead` past the cursor after every 64 records, each
// record written after ready(): stored through the mapping, or (every
// other batch of 64) written with pwrite, as ActiveWriter does for small
// and large batches. `on_claim` runs the prefaulter.
template <typename OnClaim>
std::uint64_t write_stream(Prefault& prefault, Fixture& f, std::uint64_t first, std::uint64_t end,
                           std::uint64_t record, std::uint64_t ahead, OnClaim on_claim) {
  std::uint64_t cursor = first;
  std::uint64_t claimed = first;
  int in_batch = 0;
  bool stores = true;
  std::vector<std::byte> bytes(record);
  while (cursor + record <= end) {
    prefault.ready(cursor, cursor + record);
    if (stores) {
      for (std::uint64_t i = cursor; i < cursor + record; ++i) f.map->data()[i] = pattern(i);
    } else {
      for (std::uint64_t i = 0; i < record; ++i) bytes[i] = pattern(cursor + i);
      REQUIRE(f.file.write_at(cursor, bytes).has_value());
    }
    cursor += record;
    if (++in_batch == 64) {
      in_batch = 0;
      stores = !stores;
      const std::uint64_t from = std::max(claimed, cursor);
      const std::uint64_t to = std::min((cursor + ahead) / kChunk * kChunk, end);
      if (to > from) {
        prefault.extend(from, to);
        claimed = to;
        on_claim();
      }
    }
  }
  return cursor;
}

void expect_written(const std::vector<std::byte>& bytes, std::uint64_t from, std::uint64_t to) {
  std::uint64_t bad = 0;
  std::uint64_t first_bad = 0;
  for (std::uint64_t i = from; i < to; ++i) {
    if (bytes[i] != pattern(i) && bad++ == 0) first_bad = i;
  }
  INFO("first byte not as written at offset " << first_bad);
  CHECK(bad == 0);
}

void expect_zeros(const std::vector<std::byte>& bytes, std::uint64_t from, std::uint64_t to) {
  CHECK(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                    bytes.begin() + static_cast<std::ptrdiff_t>(to),
                    [](std::byte b) { return b == std::byte{0}; }));
}

}  // namespace

TEST_CASE("a prefaulter thread racing the writer never changes a byte") {
  Fixture f;
  const std::uint64_t first = 4096 + 100;  // not chunk-aligned, as a cursor is
  auto prefault = f.prefault(first);
  for (std::uint64_t i = 0; i < first; ++i) f.map->data()[i] = pattern(i);

  // The prefaulter runs on its own thread, woken per claim, as the log's
  // BackgroundWorker runs it; odd record sizes cross chunk boundaries.
  std::atomic<int> claims{0};
  std::atomic<bool> done{false};
  std::thread prefaulter([&] {
    int seen = 0;
    while (!done.load()) {
      if (claims.load() != seen) {
        seen = claims.load();
        prefault->run();
      } else {
        std::this_thread::yield();
      }
    }
    prefault->run();
  });
  const std::uint64_t end = kFileBytes - 3 * kMiB;
  const std::uint64_t cursor =
      write_stream(*prefault, f, first, end, 277, 8 * kMiB, [&] { claims.fetch_add(1); });
  prefault->stop();
  done.store(true);
  prefaulter.join();

  const auto bytes = f.contents();
  expect_written(bytes, 0, cursor);
  expect_zeros(bytes, cursor, kFileBytes);
}

TEST_CASE("a writer whose prefaulter never runs populates ahead itself, and its bytes survive") {
  Fixture f;
  const std::uint64_t first = 2 * kMiB + 12345;
  auto prefault = f.prefault(first);
  const std::uint64_t end = 12 * kMiB;
  const std::uint64_t cursor = write_stream(*prefault, f, first, end, 1000, 4 * kMiB, [] {});
  // The writer took every pending chunk up to the end of what it wrote:
  // the rest of its last chunk is resident.
  const std::uint64_t chunk_end = std::min((cursor / kChunk + 1) * kChunk, end);
  CHECK(f.resident_pages(cursor, chunk_end) == (chunk_end - cursor / 4096 * 4096) / 4096);
  prefault->stop();
  prefault->run();  // after stop(): must populate nothing

  const auto bytes = f.contents();
  expect_zeros(bytes, 0, first);
  expect_written(bytes, first, cursor);
  expect_zeros(bytes, cursor, kFileBytes);
}

TEST_CASE("run() makes the claimed chunks resident, and nothing else") {
  Fixture f;
  const std::uint64_t first = kChunk;
  auto prefault = f.prefault(first);
  REQUIRE(f.resident_pages(0, kFileBytes) == 0);
  prefault->extend(first, 3 * kChunk);
  prefault->run();
  CHECK(f.resident_pages(first, 3 * kChunk) == 2 * kChunk / 4096);
  CHECK(f.resident_pages(0, first) == 0);
  // A huge-page fault reads one 2 MiB folio ahead too (the kernel's
  // read-ahead under MADV_HUGEPAGE), never more.
  CHECK(f.resident_pages(4 * kChunk, kFileBytes) == 0);
  prefault->stop();
  expect_zeros(f.contents(), 0, kFileBytes);
}

TEST_CASE("stop() leaves pending chunks unpopulated, and ready() past them does not wait") {
  Fixture f;
  const std::uint64_t first = kChunk;
  auto prefault = f.prefault(first);
  prefault->extend(first, 3 * kChunk);
  prefault->stop();
  prefault->run();
  // After stop nothing is pending: this returns at once, populating nothing.
  prefault->ready(first, 2 * kChunk + 10);
  CHECK(f.resident_pages(0, kFileBytes) == 0);
}

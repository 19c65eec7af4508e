// tests/log/prefault_test.cpp — Prefault (log/prefault.hpp): zeros ahead of
// a streaming writer land before the writer's bytes, never over them,
// whether the prefaulter thread keeps ahead, falls behind, or never runs;
// nothing is zeroed below the first claim or after stop().
#include "io/file.hpp"
#include "io/mapped_file.hpp"
#include "log/prefault.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

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

// The byte the writer stores at `offset`: never zero, so a zero found
// under the writer's range is a zeroing that landed after it.
std::byte pattern(std::uint64_t offset) {
  return static_cast<std::byte>(1 + (offset * 131 + offset / 4096) % 255);
}

struct Fixture {
  seglog::test::TempDir dir;
  std::filesystem::path path = dir.path() / "segment";
  std::shared_ptr<MappedFile> map;

  Fixture() {
    auto file = File::open(path, File::Mode::create_new);
    REQUIRE(file.has_value());
    REQUIRE(file->preallocate(kFileBytes).has_value());
    // Bytes that are not zero, so "was it zeroed" can be told apart.
    std::vector<std::byte> ones(kFileBytes, std::byte{0xEE});
    REQUIRE(file->write_at(0, ones).has_value());
    auto mapped = MappedFile::map(path, MappedFile::Access::read_write, kFileBytes);
    REQUIRE(mapped.has_value());
    map = *mapped;
  }

  std::shared_ptr<Prefault> prefault(std::uint64_t first) {
    auto file = File::open(path, File::Mode::read_write);
    REQUIRE(file.has_value());
    return std::make_shared<Prefault>(std::move(*file), map, first);
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
// `first`, a claim of `ahead` past the cursor after every `batch` records,
// each record stored only after ready(). `on_claim` runs the prefaulter.
template <typename OnClaim>
std::uint64_t write_stream(Prefault& prefault, std::byte* base, std::uint64_t first,
                           std::uint64_t end, std::uint64_t record, std::uint64_t ahead,
                           OnClaim on_claim) {
  std::uint64_t cursor = first;
  std::uint64_t claimed = first;
  int in_batch = 0;
  while (cursor + record <= end) {
    prefault.ready(cursor, cursor + record);
    for (std::uint64_t i = cursor; i < cursor + record; ++i) base[i] = pattern(i);
    cursor += record;
    if (++in_batch == 64) {
      in_batch = 0;
      const std::uint64_t from = std::max(claimed, cursor);
      const std::uint64_t to = std::min((cursor + ahead) / kMiB * kMiB, end);
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

void expect_untouched(const std::vector<std::byte>& bytes, std::uint64_t from, std::uint64_t to) {
  CHECK(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                    bytes.begin() + static_cast<std::ptrdiff_t>(to),
                    [](std::byte b) { return b == std::byte{0xEE}; }));
}

}  // namespace

TEST_CASE("a prefaulter thread racing the writer never zeroes a byte the writer stored") {
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
  const std::uint64_t cursor = write_stream(*prefault, f.map->data(), first, end, 277, 8 * kMiB,
                                            [&] { claims.fetch_add(1); });
  prefault->stop();
  done.store(true);
  prefaulter.join();

  const auto bytes = f.contents();
  expect_written(bytes, 0, cursor);
  // Past the writer, only zeros (claimed and zeroed) or untouched bytes.
  CHECK(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(cursor), bytes.end(),
                    [](std::byte b) { return b == std::byte{0} || b == std::byte{0xEE}; }));
}

TEST_CASE("a writer whose prefaulter never runs zeroes ahead itself, and its bytes survive") {
  Fixture f;
  const std::uint64_t first = 2 * kMiB + 12345;
  auto prefault = f.prefault(first);
  const std::uint64_t end = 12 * kMiB;
  const std::uint64_t cursor =
      write_stream(*prefault, f.map->data(), first, end, 1000, 4 * kMiB, [] {});
  prefault->stop();
  prefault->run();  // after stop(): must zero nothing

  const auto bytes = f.contents();
  expect_untouched(bytes, 0, first);  // below the first claim: never zeroed
  expect_written(bytes, first, cursor);
  // The writer took every pending chunk up to the end of what it wrote:
  // the rest of its last chunk is zeros, and nothing past the claims moved.
  const std::uint64_t chunk_end = (cursor / kMiB + 1) * kMiB;
  CHECK(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(cursor),
                    bytes.begin() + static_cast<std::ptrdiff_t>(std::min(chunk_end, end)),
                    [](std::byte b) { return b == std::byte{0}; }));
  expect_untouched(bytes, end, kFileBytes);
}

TEST_CASE("stop() leaves pending chunks unzeroed, and ready() past them does not wait") {
  Fixture f;
  const std::uint64_t first = kMiB;
  auto prefault = f.prefault(first);
  prefault->extend(first, 6 * kMiB);
  prefault->stop();
  prefault->run();
  // After stop nothing is pending: this returns at once, zeroing nothing.
  prefault->ready(first, 5 * kMiB);
  expect_untouched(f.contents(), 0, kFileBytes);
}

TEST_CASE("a claim past bytes the writer stored beyond the old limit never zeroes them") {
  Fixture f;
  const std::uint64_t first = kMiB;
  auto prefault = f.prefault(first);
  prefault->extend(first, 2 * kMiB);
  // The writer runs past the claim (taking the pending chunk itself)...
  prefault->ready(first, 3 * kMiB + 10);
  for (std::uint64_t i = first; i < 3 * kMiB + 10; ++i) f.map->data()[i] = pattern(i);
  // ...then claims again from its cursor.
  prefault->extend(3 * kMiB + 10, 5 * kMiB);
  prefault->run();
  prefault->stop();

  const auto bytes = f.contents();
  expect_written(bytes, first, 3 * kMiB + 10);
  CHECK(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(3 * kMiB + 10),
                    bytes.begin() + static_cast<std::ptrdiff_t>(5 * kMiB),
                    [](std::byte b) { return b == std::byte{0}; }));
  expect_untouched(bytes, 5 * kMiB, kFileBytes);
}

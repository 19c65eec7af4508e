// readers_writer_test.cpp — invariant 5 of docs/design.md under stress:
// reader threads holding EntryViews re-check their bytes while one writer
// appends, rolls, syncs, and runs truncate_after and truncate_before.
// A reader must never see a changed byte, a torn entry, or an index
// outside [first, last] at its read.
#include <seglog/seglog.hpp>

#include "support/results.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace seglog;

namespace {

// The payload of (index, term): its size and every byte follow from both,
// so a reader can check any entry it gets without knowing the history.
std::size_t payload_size(std::uint64_t index, std::uint64_t term) {
  return static_cast<std::size_t>((index * 31 + term * 17) % 700);
}

std::vector<std::byte> payload(std::uint64_t index, std::uint64_t term) {
  std::vector<std::byte> out(payload_size(index, term));
  std::uint64_t x = index * 0x9E3779B97F4A7C15ull ^ term;
  for (auto& b : out) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<std::byte>(x >> 56);
  }
  return out;
}

bool entry_ok(const EntryView& view, std::uint64_t index) {
  if (view.index() != index) return false;
  const auto expected = payload(index, view.term());
  // memcmp must not see the null pointers of empty spans (UBSan).
  return view.data().size() == expected.size() &&
         (expected.empty() ||
          std::memcmp(view.data().data(), expected.data(), expected.size()) == 0);
}

struct Failures {
  std::atomic<std::uint64_t> wrong_bytes{0};
  std::atomic<std::uint64_t> out_of_window{0};
  std::atomic<std::uint64_t> unexpected_errors{0};
  std::mutex first_error_mu;
  std::string first_error;  // the first unexpected error, for the report
  void unexpected(const Error& error) {
    if (unexpected_errors.fetch_add(1) == 0) {
      std::lock_guard lock(first_error_mu);
      first_error = seglog::test::describe(seglog::test::outcome(Status(error)));
    }
  }
  std::atomic<std::uint64_t> reads{0};
  std::atomic<std::uint64_t> rechecks{0};
};

}  // namespace

TEST_CASE("readers never see changed, torn or out-of-range entries while the writer works",
          "[concurrency]") {
  seglog::test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.segment_size = 64 * 1024;
  options.index_interval_bytes = 256;
  options.max_mapped_segments = 4;  // force mapping churn
  auto storage = SegmentedStorage::open(options).value();

  std::atomic<bool> stop{false};
  Failures failures;
  std::atomic<std::uint64_t> writer_ops{0};

  auto reader = [&](unsigned seed) {
    std::mt19937_64 rng(seed);
    std::vector<EntryView> held;
    while (!stop.load(std::memory_order_relaxed)) {
      const std::uint64_t first = storage->first_index();
      const std::uint64_t last = storage->last_index();
      if (last < first) continue;
      const std::uint64_t index = first + rng() % (last - first + 1);
      auto view = storage->read_entry(index);
      failures.reads.fetch_add(1, std::memory_order_relaxed);
      if (view) {
        if (!entry_ok(*view, index)) failures.wrong_bytes.fetch_add(1);
        if (held.size() < 256) {
          held.push_back(*view);
        } else {
          held[rng() % held.size()] = *view;
        }
      } else if (view.error() != errc::compacted && view.error() != errc::out_of_range) {
        failures.unexpected(view.error());
        UNSCOPED_INFO(view.error().message());
      }
      // first_index() only grows: below a first index seen before the call,
      // a read is compacted, never an entry.
      if (first > 1) {
        auto below = storage->read_entry(first - 1 - rng() % first);
        if (below || below.error() != errc::compacted) failures.out_of_window.fetch_add(1);
      }
      // Views must stay valid and unchanged whatever the writer did since.
      if (!held.empty() && rng() % 8 == 0) {
        for (const EntryView& h : held) {
          if (!entry_ok(h, h.index())) failures.wrong_bytes.fetch_add(1);
        }
        failures.rechecks.fetch_add(1, std::memory_order_relaxed);
      }
      if (rng() % 16 == 0) {
        const std::uint64_t from = first + rng() % (last - first + 1);
        auto range = storage->get_entries(from, from + 32, 1 << 20);
        if (range) {
          std::uint64_t expect = from;
          for (const LogEntry& e : *range) {
            if (e.index != expect++ || e.data != payload(e.index, e.term)) {
              failures.wrong_bytes.fetch_add(1);
            }
          }
        } else if (range.error() != errc::compacted && range.error() != errc::out_of_range) {
          failures.unexpected(range.error());
        }
      }
    }
  };

  auto writer = [&] {
    std::mt19937_64 rng(7);
    std::uint64_t term = 1;
    // SEGLOG_STRESS_SECONDS lengthens the run (docs/reliability.md).
    const char* seconds_env = std::getenv("SEGLOG_STRESS_SECONDS");
    const int seconds = seconds_env != nullptr ? std::max(1, std::atoi(seconds_env)) : 3;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::uint64_t next = storage->last_index() + 1;
      std::vector<LogEntry> batch;
      const std::uint64_t n = 1 + rng() % 64;
      for (std::uint64_t k = 0; k < n; ++k) {
        batch.push_back(LogEntry{next + k, term, 0, payload(next + k, term)});
      }
      REQUIRE(storage->append_entries(batch));
      const auto dice = rng() % 100;
      if (dice < 20) {
        REQUIRE(storage->sync());
      } else if (dice < 26) {
        const std::uint64_t last = storage->last_index();
        const std::uint64_t first = storage->first_index();
        const std::uint64_t cut = last - std::min<std::uint64_t>(rng() % 200, last - first);
        ++term;  // entries re-appended after a cut come from a newer leader
        REQUIRE(storage->truncate_after(cut));
      } else if (dice < 30) {
        const std::uint64_t last = storage->last_index();
        const std::uint64_t first = storage->first_index();
        if (last > first + 2000) REQUIRE(storage->truncate_before(last - 1000 - rng() % 500));
      }
      writer_ops.fetch_add(1, std::memory_order_relaxed);
    }
    stop.store(true);
  };

  std::vector<std::thread> threads;
  for (unsigned r = 0; r < 3; ++r) threads.emplace_back(reader, 100 + r);
  std::thread w(writer);
  w.join();
  for (auto& t : threads) t.join();

  const Stats stats = storage->stats();
  WARN("writer ops " << writer_ops.load() << ", reads " << failures.reads.load()
                     << ", view rechecks " << failures.rechecks.load() << ", segments "
                     << stats.segments << ", boundary rewrites " << stats.boundary_rewrites);
  CHECK(writer_ops.load() > 100);
  CHECK(failures.reads.load() > 1000);
  CHECK(failures.wrong_bytes.load() == 0);
  CHECK(failures.out_of_window.load() == 0);
  INFO("first unexpected error: " << failures.first_error);
  CHECK(failures.unexpected_errors.load() == 0);
  REQUIRE(storage->close());
}

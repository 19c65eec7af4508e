// c_api/c_api_threads_test.cpp — the C ABI's thread rules (docs/c-api.md,
// "Threads"), as a cgo caller exercises them: writer calls that never
// overlap but each come from a different OS thread (a goroutine that
// moved), readers on other threads beside them, and views released on a
// thread other than the one that took them.
#include <seglog/seglog.h>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using seglog::test::TempDir;

constexpr std::uint64_t kEntries = 2000;
constexpr int kWriterThreads = 4;

void fill(std::uint64_t index, unsigned char (&payload)[64]) {
  for (std::size_t i = 0; i < sizeof payload; ++i)
    payload[i] = static_cast<unsigned char>(index + i);
}

void run(seglog_storage* log) {
  // The writer's turn passes from thread to thread: one call at a time,
  // never two at once, never twice in a row on the same thread.
  std::mutex turn_mu;
  std::condition_variable turn;
  std::uint64_t next = 1;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriterThreads; ++w) {
    threads.emplace_back([&, w] {
      unsigned char payload[64];
      for (;;) {
        std::unique_lock lock(turn_mu);
        turn.wait(lock, [&] {
          return next > kEntries || (next - 1) % kWriterThreads == static_cast<std::uint64_t>(w);
        });
        if (next > kEntries) return;
        fill(next, payload);
        const seglog_entry e{next, 1, 0, payload, sizeof payload};
        if (seglog_append(log, &e, 1, nullptr) != SEGLOG_OK) ++failures;
        if (next % 64 == 0 && seglog_sync(log, nullptr) != SEGLOG_OK) ++failures;
        if (next % 500 == 0 && seglog_truncate_before(log, next - 100, nullptr) != SEGLOG_OK) {
          ++failures;
        }
        ++next;
        turn.notify_all();
      }
    });
  }
  // Readers: each view is released by the next reader thread, not its own.
  std::mutex handoff_mu;
  std::vector<seglog_view> handoff;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      unsigned char payload[64];
      std::uint64_t reads = 0;
      while (!done.load() || reads == 0) {
        const std::uint64_t last = seglog_last_index(log);
        const std::uint64_t first = seglog_first_index(log);
        if (last < first) continue;
        const std::uint64_t index = first + reads % (last - first + 1);
        seglog_view v{};
        const seglog_errc code = seglog_read_entry(log, index, &v, nullptr);
        if (code == SEGLOG_COMPACTED) continue;  // a truncate_before meanwhile
        if (code != SEGLOG_OK) {
          ++failures;
          continue;
        }
        fill(index, payload);
        if (v.len != sizeof payload || std::memcmp(v.data, payload, v.len) != 0) ++failures;
        std::lock_guard lock(handoff_mu);
        handoff.push_back(v);
        if (handoff.size() > 8) {
          seglog_view_release(&handoff.front());
          handoff.erase(handoff.begin());
        }
        ++reads;
      }
    });
  }
  for (int w = 0; w < kWriterThreads; ++w) threads[w].join();
  done = true;
  for (std::size_t t = kWriterThreads; t < threads.size(); ++t) threads[t].join();
  seglog_views_release(handoff.data(), handoff.size());
  CHECK(failures.load() == 0);
  CHECK(seglog_last_index(log) == kEntries);
  // close from yet another thread.
  seglog_errc closed = SEGLOG_INTERNAL;
  std::thread([&] { closed = seglog_close(log, nullptr); }).join();
  CHECK(closed == SEGLOG_OK);
}

}  // namespace

TEST_CASE("writer calls from a different thread each time, readers beside them (segmented)") {
  TempDir dir;
  const std::string path = (dir / "log").string();
  seglog_options options;
  seglog_options_init(&options);
  options.dir = path.c_str();
  options.segment_size = 64 << 10;  // rolls and seals on the way
  seglog_storage* log = nullptr;
  REQUIRE(seglog_open(&options, &log, nullptr) == SEGLOG_OK);
  run(log);
  seglog_storage_free(log);
}

TEST_CASE("writer calls from a different thread each time, readers beside them (memory)") {
  seglog_storage* log = nullptr;
  REQUIRE(seglog_open_memory(0, &log, nullptr) == SEGLOG_OK);
  run(log);
  seglog_storage_free(log);
}

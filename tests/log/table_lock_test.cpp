// table_lock_test.cpp — TableLock, the segment table's reader-writer lock:
// readers share it, a writer excludes readers and other writers, a waiting
// writer turns new readers away (no writer starvation), and every waiter
// wakes. Run under TSan in CI (tsan stage), which also checks that the
// lock orders the data it guards.
#include "log/table_lock.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

using seglog::detail::TableLock;
using namespace std::chrono_literals;

namespace {

// Polls `done` for up to 10 s; false if it never became true.
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST_CASE("readers hold the table lock together", "[table_lock]") {
  TableLock lock;
  std::shared_lock first(lock);
  std::atomic<bool> second_in{false};
  std::thread reader([&] {
    std::shared_lock second(lock);
    second_in = true;
  });
  CHECK(eventually([&] { return second_in.load(); }));
  reader.join();
}

TEST_CASE("a writer waits for the readers and holds readers off", "[table_lock]") {
  TableLock lock;
  auto reading = std::make_unique<std::shared_lock<TableLock>>(lock);
  std::atomic<bool> writer_in{false};
  std::thread writer([&] {
    std::unique_lock exclusive(lock);
    writer_in = true;
    std::this_thread::sleep_for(20ms);
    writer_in = false;
  });
  // Wait for the writer to announce itself, however late its thread starts.
  REQUIRE(eventually([&] { return lock.writer_present(); }));
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(writer_in.load());  // the reader still holds it
  // A reader arriving while the writer waits queues behind the writer.
  std::atomic<bool> late_reader_in{false};
  std::atomic<bool> late_saw_writer{false};
  std::thread late_reader([&] {
    std::shared_lock shared(lock);
    late_saw_writer = writer_in.load();
    late_reader_in = true;
  });
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(late_reader_in.load());
  reading.reset();  // the last reader leaves: the writer goes first
  writer.join();
  late_reader.join();
  CHECK(late_reader_in.load());
  CHECK_FALSE(late_saw_writer.load());  // it never overlapped the writer
}

TEST_CASE("the table lock keeps a shared invariant under contention", "[table_lock]") {
  // Writers keep a == b; a reader that sees them differ saw a torn update.
  TableLock lock;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::atomic<std::uint64_t> torn{0};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::shared_lock shared(lock);
        if (a != b) torn.fetch_add(1);
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  constexpr int kWriters = 2;
  constexpr int kWritesEach = 20000;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWritesEach; ++i) {
        std::unique_lock exclusive(lock);
        ++a;
        ++b;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[3 + w].join();
  stop = true;
  for (int r = 0; r < 3; ++r) threads[r].join();
  CHECK(torn.load() == 0);
  CHECK(a == std::uint64_t{kWriters} * kWritesEach);
  CHECK(b == a);
  CHECK(reads.load() > 0);
}

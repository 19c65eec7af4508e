// background_test.cpp — BackgroundWorker::wait_until_at_most, the seal
// bound of SegmentLog::append (kSealsBehind): it returns only once at most
// `count` tasks of its kind are queued or running, counts the running one,
// and ignores tasks of other kinds queued between them.
#include "log/background.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <random>
#include <thread>

using seglog::detail::BackgroundWorker;
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

TEST_CASE("wait_until_at_most returns once no more than count tasks of its kind are left",
          "[log][background]") {
  std::mt19937 rng(20261207);
  for (int iteration = 0; iteration < 20; ++iteration) {
    const std::size_t seals = std::uniform_int_distribution<std::size_t>(1, 6)(rng);
    const std::size_t count = std::uniform_int_distribution<std::size_t>(0, seals)(rng);
    INFO("iteration " << iteration << ": " << seals << " seals, wait for at most " << count);

    std::atomic<std::size_t> released{0};  // seal k may finish once released > k
    std::atomic<std::size_t> finished{0};
    std::atomic<bool> returned{false};
    {
      BackgroundWorker worker;
      for (std::size_t k = 0; k < seals; ++k) {
        worker.post(BackgroundWorker::Kind::seal, [&, k] {
          while (released.load() <= k) std::this_thread::sleep_for(100us);
          finished.fetch_add(1);
        });
        // Other kinds between the seals: never counted, never waited for.
        if (std::bernoulli_distribution(0.5)(rng)) {
          worker.post(BackgroundWorker::Kind::compaction, [] {});
        }
      }
      std::thread waiter([&] {
        worker.wait_until_at_most(BackgroundWorker::Kind::seal, count);
        returned.store(true);
      });
      for (std::size_t done = 0; done <= seals; ++done) {
        REQUIRE(eventually([&] { return finished.load() == done; }));
        if (seals - done > count) {
          // One seal running and the rest queued: still more than count.
          std::this_thread::sleep_for(5ms);
          REQUIRE_FALSE(returned.load());
        } else {
          REQUIRE(eventually([&] { return returned.load(); }));
        }
        released.store(done + 1);
      }
      waiter.join();
    }
    CHECK(finished.load() == seals);
  }
}

TEST_CASE("wait_until_at_most on an idle worker returns at once", "[log][background]") {
  BackgroundWorker worker;
  worker.wait_until_at_most(BackgroundWorker::Kind::seal, 0);
  worker.post(BackgroundWorker::Kind::spare, [] {});
  worker.wait_until_at_most(BackgroundWorker::Kind::seal, 0);  // a spare is not a seal
  worker.wait(BackgroundWorker::kAll);
  SUCCEED("returned");
}

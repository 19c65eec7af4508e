// kill9_test.cpp — invariant 2 of docs/design.md against a real process
// death: a child appends (syncing now and then) and reports each
// acknowledged (synced) index through a pipe; the parent kills it with
// SIGKILL at a random moment, reopens, and checks that every acknowledged
// entry is present and intact and that nothing else is.
#include <seglog/seglog.hpp>

#include "support/entries.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

using namespace seglog;

namespace {

// SEGLOG_KILLS raises the count for long runs (docs/reliability.md).
int kill_count() {
  const char* env = std::getenv("SEGLOG_KILLS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 200;
}

Options crash_options(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 * 1024;  // many rolls, so kills land in them too
  o.index_interval_bytes = 512;
  return o;
}

std::size_t size_of(std::uint64_t index) { return static_cast<std::size_t>(index % 300); }

// What the child reports once its open has returned (no index is this).
constexpr std::uint64_t kOpened = ~std::uint64_t{0};

// The child: opens, says so, then appends forever, reporting each synced
// index. Never returns.
[[noreturn]] void run_writer(const std::filesystem::path& dir, int report_fd, unsigned seed) {
  auto opened = SegmentedStorage::open(crash_options(dir));
  if (!opened) _exit(3);
  Storage& storage = **opened;
  if (::write(report_fd, &kOpened, sizeof kOpened) != sizeof kOpened) _exit(6);
  std::mt19937_64 rng(seed);
  for (;;) {
    const std::uint64_t next = storage.last_index() + 1;
    std::vector<LogEntry> batch;
    const std::uint64_t n = 1 + rng() % 40;
    for (std::uint64_t i = next; i < next + n; ++i) {
      batch.push_back(seglog::test::make_entry(i, 1, size_of(i)));
    }
    if (!storage.append_entries(batch)) _exit(4);
    if (rng() % 4 == 0) {
      if (!storage.sync()) _exit(5);
      const std::uint64_t acked = storage.last_index();
      if (::write(report_fd, &acked, sizeof acked) != sizeof acked) _exit(6);
    }
    if (rng() % 200 == 0 && storage.last_index() > 5000) {
      if (!storage.truncate_before(storage.last_index() - 3000)) _exit(7);
    }
  }
}

// Waits for the child's kOpened report (the first thing it writes).
bool wait_opened(int report_fd) {
  pollfd ready{report_fd, POLLIN, 0};
  if (::poll(&ready, 1, 60'000) != 1) return false;
  std::uint64_t first = 0;
  return ::read(report_fd, &first, sizeof first) == sizeof first && first == kOpened;
}

}  // namespace

TEST_CASE("entries acknowledged by sync survive SIGKILL at any moment, and nothing else appears",
          "[crash][kill9]") {
  seglog::test::TempDir dir;
  std::mt19937_64 rng(2026);
  std::uint64_t max_acked = 0;
  int killed_mid_run = 0;
  std::uint64_t torn_tails = 0;
  for (int round = 0; round < kill_count(); ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      run_writer(dir.path(), fds[1], static_cast<unsigned>(round));
    }
    ::close(fds[1]);
    // One kill in eight lands at once, in the child's start or its open's
    // recovery. The others wait until the open has returned and land in
    // the appends: timed from the fork instead, a slow start (a loaded
    // machine, a sanitizer's runtime) left every kill before the first
    // sync, and the test checked nothing.
    if (round % 8 != 0 && !wait_opened(fds[0])) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      FAIL("round " << round << ": the writer did not open within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 25000));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    // The child must have died by our signal, not by an error of its own.
    REQUIRE(WIFSIGNALED(status));
    if (WTERMSIG(status) == SIGKILL) ++killed_mid_run;
    std::uint64_t acked = 0;
    while (::read(fds[0], &acked, sizeof acked) == sizeof acked) {
      if (acked != kOpened) max_acked = std::max(max_acked, acked);
    }
    ::close(fds[0]);

    auto reopened = SegmentedStorage::open(crash_options(dir.path()));
    REQUIRE(reopened.has_value());
    SegmentedStorage& storage = **reopened;
    INFO("round " << round << ", acknowledged " << max_acked);
    REQUIRE(storage.last_index() >= max_acked);
    torn_tails += storage.stats().torn_tails_cut;
    // Every entry still in the log is the one appended at its index: the
    // newest few thousand, and a sample of the rest.
    const std::uint64_t first = storage.first_index();
    const std::uint64_t last = storage.last_index();
    const std::uint64_t from = last > first + 3000 ? last - 3000 : first;
    auto check = [&](std::uint64_t i) {
      auto e = storage.get_entry(i);
      REQUIRE(e.has_value());
      REQUIRE(e->term == 1);
      REQUIRE(e->data == seglog::test::payload_for(i, size_of(i)));
    };
    for (std::uint64_t i = from; i <= last; ++i) check(i);
    for (int k = 0; k < 100 && from > first; ++k) check(first + rng() % (from - first));
    REQUIRE(storage.get_entry(last + 1).error() == errc::out_of_range);
    REQUIRE(storage.close());
  }
  WARN(kill_count() << " kills (" << killed_mid_run << " by SIGKILL), last acknowledged index "
                    << max_acked << ", torn tails cut at reopen " << torn_tails);
  CHECK(killed_mid_run == kill_count());
  CHECK(max_acked > 0);
}

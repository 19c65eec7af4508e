// live_reader_test.cpp — read-only opens beside a live writer
// (docs/design.md, "Read-only opens beside a live writer"; issue 12,
// defect 2). Writer processes append with 64 KiB segments (so rolls,
// seals and their trims come every few hundred entries) and run random
// truncate_after, truncate_before, sync, close-and-reopen; the test
// SIGKILLs them at random moments and starts the next one on the same
// directory. Reader processes, and reader threads inside each writer
// process, open the directory read-only in a loop and check every byte they
// read: each payload is a pure function of (index, term), so a reader
// needs no word from the writer. A read may fail only with `stale` (the
// writer removed or replaced a file since the open); any signal death, any
// other error and any wrong byte fails the test.
//
// SEGLOG_LIVE_SECONDS sets the run time (default 12).
#include <seglog/seglog.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace seglog;

namespace {

using Clock = std::chrono::steady_clock;

double run_seconds() {
  const char* env = std::getenv("SEGLOG_LIVE_SECONDS");
  return env != nullptr ? std::max(1.0, std::atof(env)) : 12.0;
}

// ---- entries: every byte follows from (index, term) ---------------------------

std::size_t payload_size(std::uint64_t index, std::uint64_t term) {
  return static_cast<std::size_t>((index * 31 + term * 17) % 700);
}

std::uint8_t type_of(std::uint64_t index, std::uint64_t term) {
  return static_cast<std::uint8_t>((index ^ term) % 5);
}

std::vector<std::byte> payload(std::uint64_t index, std::uint64_t term) {
  std::vector<std::byte> out(payload_size(index, term));
  std::uint64_t x = index * 0x9E3779B97F4A7C15ull ^ (term << 17);
  for (auto& b : out) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<std::byte>(x >> 56);
  }
  return out;
}

LogEntry make_entry(std::uint64_t index, std::uint64_t term) {
  return LogEntry{index, term, type_of(index, term), payload(index, term)};
}

// ---- what every process reports, in memory shared across fork -----------------

constexpr int kCodes = 32;

struct Shared {
  std::atomic<std::uint64_t> opens{0};
  std::atomic<std::uint64_t> reads{0};        // read_entry + term
  std::atomic<std::uint64_t> range_reads{0};  // get_entries + visit_entries
  std::atomic<std::uint64_t> entries_checked{0};
  std::atomic<std::uint64_t> bytes_checked{0};
  std::atomic<std::uint64_t> views_rechecked{0};
  std::atomic<std::uint64_t> open_errors[kCodes];
  std::atomic<std::uint64_t> read_errors[kCodes];
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> writer_ops{0};
  std::atomic<std::uint64_t> writer_appended{0};
  std::atomic<std::uint64_t> writer_truncate_after{0};
  std::atomic<std::uint64_t> writer_truncate_before{0};
  std::atomic<std::uint64_t> writer_reopens{0};
  std::atomic<std::uint64_t> in_writer_reader_opens{0};
  std::atomic<int> failure_claimed{0};
  char failure[1024];
};

Shared* shared = nullptr;

// errc's names, by value (include/seglog/error.hpp), for the summary.
const char* code_name(int value) {
  static const char* const names[] = {
      "?",         "not_found", "corrupted",       "out_of_range",     "compacted",
      "gap",       "conflict",  "entry_too_large", "invalid_argument", "locked",
      "read_only", "closed",    "no_space",        "io_error",         "stale"};
  return value >= 0 && value < static_cast<int>(std::size(names)) ? names[value] : "?";
}

int code_slot(const Error& e) {
  const int v = e.code().value();
  return v >= 0 && v < kCodes ? v : 0;
}

void fail(const std::string& what) {
  shared->failures.fetch_add(1);
  if (shared->failure_claimed.exchange(1) == 0) {
    std::snprintf(shared->failure, sizeof shared->failure, "pid %d: %s",
                  static_cast<int>(::getpid()), what.c_str());
  }
}

// ---- a reader: one read-only handle after another -------------------------------

bool check_bytes(std::uint64_t index, std::uint64_t term, std::uint8_t type,
                 std::span<const std::byte> data) {
  const auto expected = payload(index, term);
  shared->bytes_checked.fetch_add(data.size(), std::memory_order_relaxed);
  shared->entries_checked.fetch_add(1, std::memory_order_relaxed);
  // memcmp must not see the null pointers of empty spans (UBSan).
  return type == type_of(index, term) && data.size() == expected.size() &&
         (expected.empty() || std::memcmp(data.data(), expected.data(), expected.size()) == 0);
}

bool check_view(const EntryView& v, std::uint64_t index) {
  return v.index() == index && check_bytes(index, v.term(), v.type(), v.data());
}

class Reader {
 public:
  Reader(std::filesystem::path dir, unsigned seed) : dir_(std::move(dir)), rng_(seed) {}

  void run_until(Clock::time_point deadline, std::atomic<std::uint64_t>* opens_counter) {
    while (Clock::now() < deadline) {
      one_handle();
      if (opens_counter != nullptr) opens_counter->fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  // A read error is allowed only as `stale`; the handle is then done.
  bool read_error(const Error& e, const char* call, std::uint64_t index) {
    shared->read_errors[code_slot(e)].fetch_add(1);
    if (e == errc::stale) return false;
    fail(std::string(call) + "(" + std::to_string(index) + "): " + e.code().message() + ": " +
         e.message());
    return false;
  }

  // Every read of one handle sees one log: an index read twice has one term.
  bool same_term(std::uint64_t index, std::uint64_t term) {
    auto [it, inserted] = terms_.emplace(index, term);
    if (!inserted && it->second != term) {
      fail("index " + std::to_string(index) + " read with term " + std::to_string(term) + " and " +
           std::to_string(it->second) + " from one handle");
      return false;
    }
    return true;
  }

  void keep(const EntryView& v) {
    if (held_.size() < 64) {
      held_.push_back(v);
    } else {
      held_[rng_() % held_.size()] = v;
    }
  }

  void one_handle() {
    Options o;
    o.dir = dir_;
    o.read_only = true;
    o.segment_size = 64 * 1024;
    o.index_interval_bytes = 256;
    o.max_mapped_segments = 2;  // evictions, then maps again by path
    auto opened = SegmentedStorage::open(o);
    shared->opens.fetch_add(1, std::memory_order_relaxed);
    if (!opened) {
      shared->open_errors[code_slot(opened.error())].fetch_add(1);
      // stale: a file the open listed went away meanwhile; retry.
      if (opened.error() != errc::stale) {
        fail("read-only open: " + opened.error().code().message() + ": " +
             opened.error().message());
      }
      return;
    }
    Storage& s = **opened;
    terms_.clear();
    const std::uint64_t first = s.first_index();
    const std::uint64_t last = s.last_index();
    // Half the handles only open: the open's scan of the newest segment is
    // where a seal's trim used to land (SIGBUS), so it is tried often.
    const int ops = rng_() % 2 == 0 ? 0 : 1 + static_cast<int>(rng_() % 40);
    // A read-only handle does not follow the writer: its range is fixed.
    for (int op = 0; op < ops && last >= first; ++op) {
      if (s.first_index() != first || s.last_index() != last) {
        fail("a read-only handle's range moved");
        return;
      }
      const std::uint64_t index = first + rng_() % (last - first + 1);
      switch (rng_() % 6) {
        case 0:
        case 1: {
          auto v = s.read_entry(index);
          shared->reads.fetch_add(1, std::memory_order_relaxed);
          if (!v) {
            if (!read_error(v.error(), "read_entry", index)) return;
            break;
          }
          if (!check_view(*v, index)) {
            fail("read_entry(" + std::to_string(index) + "): wrong bytes (term " +
                 std::to_string(v->term()) + ")");
            return;
          }
          if (!same_term(index, v->term())) return;
          keep(*v);
          break;
        }
        case 2: {
          auto t = s.term(index);
          shared->reads.fetch_add(1, std::memory_order_relaxed);
          if (!t) {
            if (!read_error(t.error(), "term", index)) return;
            break;
          }
          if (*t == 0 || !same_term(index, *t)) {
            if (*t == 0) fail("term(" + std::to_string(index) + ") is 0");
            return;
          }
          break;
        }
        case 3:
        case 4: {
          const std::uint64_t end = index + 1 + rng_() % 400;
          auto r = s.get_entries(index, end, rng_() % 2 ? UINT64_MAX : 16 * 1024);
          shared->range_reads.fetch_add(1, std::memory_order_relaxed);
          if (!r) {
            if (!read_error(r.error(), "get_entries", index)) return;
            break;
          }
          if (r->empty()) {
            fail("get_entries(" + std::to_string(index) + ") returned nothing");
            return;
          }
          std::uint64_t expect = index;
          std::uint64_t prev_term = 0;
          for (const LogEntry& e : *r) {
            if (e.index != expect++ || !check_bytes(e.index, e.term, e.type, e.data) ||
                e.term < prev_term) {
              fail("get_entries(" + std::to_string(index) + "): wrong entry at " +
                   std::to_string(e.index));
              return;
            }
            prev_term = e.term;
            if (!same_term(e.index, e.term)) return;
          }
          if (r->back().index > last) {
            fail("get_entries went past the handle's last index");
            return;
          }
          break;
        }
        default: {
          const std::uint64_t end = index + 1 + rng_() % 800;
          std::uint64_t expect = index;
          std::uint64_t prev_term = 0;
          bool wrong = false;
          auto st = s.visit_entries(index, end, [&](const EntryView& v) {
            if (!check_view(v, expect) || v.term() < prev_term || !same_term(expect, v.term())) {
              wrong = true;
              return false;
            }
            prev_term = v.term();
            if (rng_() % 64 == 0) keep(v);
            ++expect;
            return true;
          });
          shared->range_reads.fetch_add(1, std::memory_order_relaxed);
          if (wrong) {
            fail("visit_entries(" + std::to_string(index) + "): wrong entry at " +
                 std::to_string(expect));
            return;
          }
          if (!st) {
            if (!read_error(st.error(), "visit_entries", index)) return;
            break;
          }
          if (expect == index) {
            fail("visit_entries(" + std::to_string(index) + ") visited nothing");
            return;
          }
          break;
        }
      }
    }
    // Views outlive their handle and every change the writer made since.
    if (!held_.empty() && rng_() % 4 == 0) {
      for (const EntryView& v : held_) {
        if (!check_view(v, v.index())) {
          fail("a held view changed (index " + std::to_string(v.index()) + ")");
          return;
        }
      }
      shared->views_rechecked.fetch_add(held_.size(), std::memory_order_relaxed);
    }
  }

  std::filesystem::path dir_;
  std::mt19937_64 rng_;
  std::map<std::uint64_t, std::uint64_t> terms_;
  std::vector<EntryView> held_;
};

// ---- the writer process -----------------------------------------------------------

Options writer_options(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 * 1024;
  o.index_interval_bytes = 256;
  o.max_mapped_segments = 4;
  return o;
}

// Exit codes of a writer that stopped on its own.
constexpr int kWriterDone = 0;
constexpr int kWriterFailed = 3;

[[noreturn]] void writer_exit(int code) {
  std::fflush(stdout);
  ::_exit(code);
}

// Appends and changes the log at random until `deadline`, with read-only
// reader threads in the same process; a writer the parent does not kill
// closes and exits. Never returns.
[[noreturn]] void run_writer(const std::filesystem::path& dir, unsigned seed,
                             Clock::time_point deadline) {
  std::mt19937_64 rng(seed);
  auto opened = SegmentedStorage::open(writer_options(dir));
  if (!opened) {
    fail("writer open: " + opened.error().code().message() + ": " + opened.error().message());
    writer_exit(kWriterFailed);
  }
  std::unique_ptr<SegmentedStorage> storage = std::move(*opened);

  // Readers inside the writer's own process: a SIGBUS here kills the writer.
  std::vector<std::thread> readers;
  for (unsigned t = 0; t < 2; ++t) {
    readers.emplace_back([&dir, deadline, seed, t] {
      Reader reader(dir, seed * 7 + t + 1);
      reader.run_until(deadline, &shared->in_writer_reader_opens);
    });
  }

  // The current term: terms never decrease along the log, and each
  // truncate_after starts a higher one, so an index may come back with a
  // new term but never a new payload for the same (index, term).
  auto term_now = [&]() -> std::uint64_t {
    const std::uint64_t last = storage->last_index();
    if (last == 0 || last < storage->first_index()) return 1;
    auto t = storage->term(last);
    return t ? std::max<std::uint64_t>(*t, 1) : 1;
  };
  std::uint64_t term = term_now();
  auto check = [&](const Status& s, const char* what) {
    if (!s) {
      fail(std::string("writer ") + what + ": " + s.error().code().message() + ": " +
           s.error().message());
      writer_exit(kWriterFailed);
    }
  };
  while (Clock::now() < deadline) {
    shared->writer_ops.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t first = storage->first_index();
    const std::uint64_t last = storage->last_index();
    const unsigned op = static_cast<unsigned>(rng() % 100);
    if (op < 76) {
      // Batches of up to ~3 segments: some roll once or more.
      const std::uint64_t n = 1 + (rng() % 8 == 0 ? rng() % 500 : rng() % 60);
      std::vector<LogEntry> batch;
      batch.reserve(n);
      for (std::uint64_t i = last + 1; i <= last + n; ++i) batch.push_back(make_entry(i, term));
      check(storage->append_entries(batch), "append_entries");
      shared->writer_appended.fetch_add(n, std::memory_order_relaxed);
    } else if (op < 84) {
      check(storage->sync(), "sync");
    } else if (op < 90) {
      if (last > first + 1) {
        // Cut into the active segment or into older, sealed ones.
        const std::uint64_t span = std::min<std::uint64_t>(last - first, 600);
        const std::uint64_t keep = last - 1 - rng() % span;
        check(storage->truncate_after(keep), "truncate_after");
        ++term;
        shared->writer_truncate_after.fetch_add(1, std::memory_order_relaxed);
      }
    } else if (op < 94) {
      if (last > first + 300) {
        // Keep the log short (a few dozen segments); whole segments go,
        // the boundary is rewritten in the background.
        const std::uint64_t span = last - first;
        const std::uint64_t to = first + (span > 6000 ? span - 3000 : 1 + rng() % (span / 3));
        check(storage->truncate_before(to), "truncate_before");
        shared->writer_truncate_before.fetch_add(1, std::memory_order_relaxed);
      }
    } else if (op < 96) {
      check(storage->close(), "close");
      storage.reset();
      auto again = SegmentedStorage::open(writer_options(dir));
      if (!again) {
        fail("writer reopen: " + again.error().code().message() + ": " + again.error().message());
        writer_exit(kWriterFailed);
      }
      storage = std::move(*again);
      term = std::max(term, term_now());
      shared->writer_reopens.fetch_add(1, std::memory_order_relaxed);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 3));
    }
  }
  for (auto& t : readers) t.join();
  check(storage->close(), "close");
  writer_exit(kWriterDone);
}

[[noreturn]] void run_reader_process(const std::filesystem::path& dir, unsigned seed,
                                     Clock::time_point deadline) {
  Reader reader(dir, seed);
  reader.run_until(deadline, nullptr);
  writer_exit(0);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

// A temporary directory under `base`, removed at the end.
class TempDirIn {
 public:
  explicit TempDirIn(const std::filesystem::path& base) {
    std::string pattern = (base / "seglog-live-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDirIn() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDirIn(const TempDirIn&) = delete;
  TempDirIn& operator=(const TempDirIn&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One run of `seconds` on a new directory under `base`.
void run_live(const std::filesystem::path& base, double seconds, std::uint64_t seed) {
  TempDirIn dir(base);
  REQUIRE(!dir.path().empty());
  void* memory =
      ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(memory != MAP_FAILED);
  shared = new (memory) Shared();

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  std::mt19937_64 rng(seed);
  std::vector<std::string> deaths;

  // A first log, so that the first readers have segments to open.
  {
    auto storage = SegmentedStorage::open(writer_options(dir.path())).value();
    std::vector<LogEntry> batch;
    for (std::uint64_t i = 1; i <= 1000; ++i) batch.push_back(make_entry(i, 1));
    REQUIRE(storage->append_entries(batch));
    REQUIRE(storage->close());
  }

  // Reader processes for the whole run.
  constexpr int kReaderProcesses = 2;
  std::vector<pid_t> readers;
  for (int r = 0; r < kReaderProcesses; ++r) {
    const unsigned seed = static_cast<unsigned>(rng());
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) run_reader_process(dir.path(), seed, deadline);
    readers.push_back(pid);
  }

  // Writer processes, one after another: each is SIGKILLed at a random
  // moment or, now and then, left to close and exit by itself.
  int writers = 0;
  int kills = 0;
  int clean_exits = 0;
  while (Clock::now() < deadline) {
    const bool kill_it = rng() % 4 != 0;
    const auto life = std::chrono::milliseconds(100 + rng() % 1400);
    const auto writer_deadline = std::min(deadline, Clock::now() + life);
    const unsigned seed = static_cast<unsigned>(rng());
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      run_writer(dir.path(), seed, kill_it ? deadline + std::chrono::seconds(60) : writer_deadline);
    }
    ++writers;
    int status = 0;
    if (kill_it) {
      std::this_thread::sleep_until(writer_deadline);
      // A writer may have died on its own meanwhile: that is a failure
      // whatever the reason, reported below.
      if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
          ++kills;
          continue;
        }
      }
    } else {
      REQUIRE(::waitpid(pid, &status, 0) == pid);
      if (WIFEXITED(status) && WEXITSTATUS(status) == kWriterDone) {
        ++clean_exits;
        continue;
      }
    }
    deaths.push_back("writer " + std::to_string(writers) + ": " + describe_status(status));
  }
  for (const pid_t pid : readers) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      deaths.push_back("reader process " + std::to_string(pid) + ": " + describe_status(status));
    }
  }
  const double took = std::chrono::duration<double>(Clock::now() - start).count();

  // What was tried, for whoever reads the output.
  std::string errors;
  for (int c = 0; c < kCodes; ++c) {
    const std::uint64_t o = shared->open_errors[c].load();
    const std::uint64_t r = shared->read_errors[c].load();
    if (o + r == 0) continue;
    errors += std::string("    ") + code_name(c) + ": " + std::to_string(o) + " opens, " +
              std::to_string(r) + " reads\n";
  }
  std::printf(
      "live readers on %s: %.1f s; writers %d (%d SIGKILLed, %d closed), writer ops %llu "
      "(appended %llu entries, %llu truncate_after, %llu truncate_before, %llu reopens)\n"
      "  read-only opens %llu (%llu in writer processes), point reads %llu, range reads %llu,\n"
      "  entries checked %llu, bytes checked %llu, held views re-checked %llu\n"
      "  errors by code:\n%s",
      base.c_str(), took, writers, kills, clean_exits,
      static_cast<unsigned long long>(shared->writer_ops.load()),
      static_cast<unsigned long long>(shared->writer_appended.load()),
      static_cast<unsigned long long>(shared->writer_truncate_after.load()),
      static_cast<unsigned long long>(shared->writer_truncate_before.load()),
      static_cast<unsigned long long>(shared->writer_reopens.load()),
      static_cast<unsigned long long>(shared->opens.load()),
      static_cast<unsigned long long>(shared->in_writer_reader_opens.load()),
      static_cast<unsigned long long>(shared->reads.load()),
      static_cast<unsigned long long>(shared->range_reads.load()),
      static_cast<unsigned long long>(shared->entries_checked.load()),
      static_cast<unsigned long long>(shared->bytes_checked.load()),
      static_cast<unsigned long long>(shared->views_rechecked.load()),
      errors.empty() ? "    (none)\n" : errors.c_str());
  std::fflush(stdout);

  std::string all_deaths;
  for (const auto& d : deaths) all_deaths += d + "\n";
  INFO("processes that died: " << (all_deaths.empty() ? "none\n" : all_deaths));
  INFO("first failure: " << (shared->failure_claimed.load() ? shared->failure : "none"));
  CHECK(deaths.empty());
  CHECK(shared->failures.load() == 0);
  CHECK(shared->opens.load() > 0);
  CHECK(shared->entries_checked.load() > 0);
  CHECK(writers > 1);

  shared->~Shared();
  ::munmap(memory, sizeof(Shared));
  shared = nullptr;
}

}  // namespace

// The disk's file system (TMPDIR, else /tmp) for a third of the time, and
// tmpfs (/dev/shm), where the writer rolls several times faster and so
// races the readers more often, for the rest.
TEST_CASE("read-only opens beside a live writer never crash and read only right bytes",
          "[concurrency][live]") {
  const double seconds = run_seconds();
  std::error_code ec;
  const std::filesystem::path shm = "/dev/shm";
  const bool have_shm = std::filesystem::is_directory(shm, ec) && ::access(shm.c_str(), W_OK) == 0;
  SECTION("on the temporary directory's file system") {
    run_live(std::filesystem::temp_directory_path(), have_shm ? seconds / 3 : seconds, 20261212);
  }
  if (have_shm) {
    SECTION("on tmpfs") { run_live(shm, seconds * 2 / 3, 20261213); }
  }
}

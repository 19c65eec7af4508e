// step_failure_test.cpp — every step of every multi-step operation fails in
// turn (EIO, then ENOSPC) through the fault seam, and the process stops at
// each step in turn (every later call fails; then reopen): the call reports
// io_error/no_space or succeeds, reads go on, nothing synced is lost,
// a failed fsync of a segment is sticky (never a later sync() success), and
// writes work again once the fault clears (at once, or after a reopen when
// the failure was sticky).
#include <seglog/seglog.hpp>

#include "power_loss/expected_state.hpp"
#include "power_loss/scratch_dir.hpp"
#include "support/fault_hook.hpp"
#include "support/results.hpp"
#include "support/small_options.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <functional>
#include <iostream>
#include <map>
#include <random>

using namespace seglog;
using seglog::test::FailCalls;
using seglog::test::FailNthCall;
using seglog::test::FaultOp;
using seglog::test::power_loss_entries;
using seglog::test::power_loss_entry;
using seglog::test::ScratchDir;
using seglog::test::small_options;

namespace {

constexpr std::uint64_t kPrepared = 600;  // about three 64 KiB segments
// More than any sweep's durable steps (the sweep stops at the first step
// number its operation does not reach).
constexpr int kMaxSteps = 400;

// One operation to sweep, and what the log may hold after it.
struct Sweep {
  std::string name;
  // Under the fault. (Unsynced appends the operation needs go in `before`.)
  std::function<Status(SegmentedStorage&)> operation;
  std::function<void(SegmentedStorage&)> before = [](SegmentedStorage&) {};
  std::uint64_t first_after = 1;          // the first index once it succeeded
  std::uint64_t synced_last = kPrepared;  // never lost
  std::uint64_t max_last = kPrepared;     // never more
  std::uint64_t last_after = 0;           // exact last once it succeeded (0: any)
  bool closes = false;
  // restart_log(restart_at, restart_term): the log may also be the
  // restarted one, empty at restart_at (0: not a restart).
  std::uint64_t restart_at = 0;
  std::uint64_t restart_term = 0;
  // More checks on the reopened log.
  std::function<void(SegmentedStorage&)> check_after = [](SegmentedStorage&) {};
};

// The log is the restarted one of a restart_log sweep.
bool restarted(const Sweep& sweep, const SegmentedStorage& s) {
  return sweep.restart_at != 0 && s.first_index() == sweep.restart_at &&
         s.last_index() == sweep.restart_at - 1;
}

// Every entry in [first, last] is the one appended (all term 1 here).
std::string check_entries(const SegmentedStorage& s) {
  const std::uint64_t first = s.first_index();
  const std::uint64_t last = s.last_index();
  if (last < first) return {};
  auto read = s.get_entries(first, last + 1);
  if (!read)
    return "get_entries [" + std::to_string(first) + ", " + std::to_string(last) +
           "]: " + seglog::test::describe(seglog::test::outcome(read));
  for (const LogEntry& e : *read) {
    const LogEntry want = power_loss_entry(e.index, 1);
    if (e.term != want.term || e.data != want.data) {
      return "entry " + std::to_string(e.index) + " differs";
    }
  }
  if (read->size() != last - first + 1) return "short read";
  return {};
}

struct SweepCounts {
  int steps = 0;
  int reported = 0;   // the call returned the error
  int swallowed = 0;  // the call succeeded (a logged, non-essential step)
  int sticky = 0;     // later writes refused until reopen
  std::map<std::string, int> failed_ops;
};

// A fresh log in `dir` with kPrepared synced entries and the sweep's own
// preparation, with no background work left: the steps counted from here
// are the operation's own (and its background work's).
std::unique_ptr<SegmentedStorage> prepared_log(const Sweep& sweep, const ScratchDir& dir) {
  auto opened = SegmentedStorage::open(small_options(dir.path()));
  REQUIRE(opened);
  std::unique_ptr<SegmentedStorage> s = std::move(*opened);
  REQUIRE(s->append_entries(power_loss_entries(1, kPrepared, 1)));
  REQUIRE(s->sync());
  sweep.before(*s);
  REQUIRE(s->flush());
  return s;
}

// Reopens `dir` after the sweep's operation failed or stopped: the log
// holds the state before or after it (nothing synced lost, nothing removed
// back), `more(r)` checks what the caller knows besides, the files beside
// the log open too (old or new: tests/meta checks which), and writes work.
template <class More>
void check_reopens(const Sweep& sweep, const ScratchDir& dir, More more) {
  auto again = SegmentedStorage::open(small_options(dir.path()));
  REQUIRE(again);
  SegmentedStorage& r = **again;
  CHECK(check_entries(r) == "");
  if (restarted(sweep, r)) {
    CHECK(r.term(sweep.restart_at - 1).value() == sweep.restart_term);
  } else {
    CHECK((r.first_index() == 1 || r.first_index() == sweep.first_after));
    CHECK(r.last_index() >= sweep.synced_last);
    CHECK(r.last_index() <= sweep.max_last);
  }
  more(r);
  sweep.check_after(r);
  CHECK(r.get_state());
  CHECK(r.get_cluster_config());
  CHECK(r.get_snapshot());
  const std::uint64_t next = std::max(r.last_index() + 1, r.first_index());
  CHECK(r.append_entries(power_loss_entries(next, 1, 1)));
  CHECK(r.sync());
  CHECK(r.close());
}

// Fails step n of the sweep with err on a fresh log; returns false when
// the operation has fewer than n steps.
bool fail_step(const Sweep& sweep, int n, int err, SweepCounts& counts) {
  ScratchDir dir;
  std::unique_ptr<SegmentedStorage> s = prepared_log(sweep, dir);

  Status result;
  bool hit = false;
  std::string failed;
  FaultOp failed_op = FaultOp::write;
  {
    FailNthCall fault(n, err);
    result = sweep.operation(*s);
    // flush() waits for the operation's background work (a roll's seal,
    // truncate_before's unlinks and rewrite, the next segment's
    // preparation), so its steps fail in turn too; sync() reports a
    // failed background seal.
    if (!sweep.closes) {
      (void)s->flush();
      (void)s->sync();
    }
    fault.disarm();
    hit = fault.hit();
    failed = fault.failed_call();
    failed_op = fault.failed_op();
  }
  if (!hit) return false;
  INFO(sweep.name << ": step " << n << " (" << failed << ") failed with "
                  << (err == EIO ? "EIO" : "ENOSPC") << ", the call returned "
                  << seglog::test::describe(seglog::test::outcome(result)));
  ++counts.steps;
  ++counts.failed_ops[failed.substr(0, failed.find(' '))];
  if (result) {
    ++counts.swallowed;
  } else {
    ++counts.reported;
    CHECK((result.error() == errc::io_error || result.error() == errc::no_space));
  }
  const bool segment_fsync = failed_op == FaultOp::sync && failed.ends_with(".seg");
  if (!sweep.closes) {
    // Reads go on, whatever failed.
    CHECK(check_entries(*s) == "");
    CHECK((restarted(sweep, *s) || s->last_index() >= sweep.synced_last));
    // The fault is gone. A failed fsync of a segment may have lost pages:
    // no later sync() may report success.
    auto synced = s->sync();
    if (!synced) {
      ++counts.sticky;
      CHECK(synced.error() == errc::io_error);
      CHECK(s->append_entries(power_loss_entries(s->last_index() + 1, 1, 1)).error() ==
            errc::io_error);
      CHECK(s->sync().error() == errc::io_error);
    } else {
      CHECK_FALSE(segment_fsync);
      // Not sticky: writes work again on the same handle.
      const std::uint64_t next = std::max(s->last_index() + 1, s->first_index());
      CHECK(s->append_entries(power_loss_entries(next, 1, 1)));
      CHECK(s->sync());
      CHECK(s->get_entry(next).value().data == power_loss_entry(next, 1).data);
      CHECK(s->truncate_after(next - 1));
    }
    (void)s->close();
  }
  s.reset();

  // Reopen: nothing synced lost, nothing removed back, writes work.
  check_reopens(sweep, dir, [&](SegmentedStorage& r) {
    if (result) {
      CHECK(r.first_index() == sweep.first_after);
      if (sweep.last_after != 0) CHECK(r.last_index() == sweep.last_after);
    }
  });
  return true;
}

// The process stops at step n of the sweep (every call from it on fails,
// as if the process died there), the handle is dropped, and the directory
// must reopen to the state before or after the operation (invariant 4 for
// a process crash: what reached the page cache survives). Returns false
// when the operation has fewer than n steps.
bool stop_at_step(const Sweep& sweep, int n) {
  ScratchDir dir;
  std::unique_ptr<SegmentedStorage> s = prepared_log(sweep, dir);
  bool hit = false;
  std::string stopped;
  {
    FailNthCall fault(n, EIO, true);
    (void)sweep.operation(*s);
    if (!sweep.closes) (void)s->flush();
    s.reset();  // its close fails too: the process is gone
    hit = fault.hit();
    stopped = fault.failed_call();
  }
  if (!hit) return false;
  INFO(sweep.name << ": the process stopped at step " << n << " (" << stopped << ")");
  check_reopens(sweep, dir, [](SegmentedStorage&) {});
  return true;
}

void sweep_every_step(const Sweep& sweep) {
  int stops = 0;
  for (int n = 1; n < kMaxSteps; ++n) {
    if (!stop_at_step(sweep, n)) break;
    ++stops;
  }
  std::cout << "process stops, " << sweep.name << ": stopped at each of " << stops
            << " steps, reopened each\n";
  CHECK(stops > 0);
  for (int err : {EIO, ENOSPC}) {
    SweepCounts counts;
    for (int n = 1; n < kMaxSteps; ++n) {
      if (!fail_step(sweep, n, err, counts)) break;
    }
    std::cout << "step failures, " << sweep.name << " (" << (err == EIO ? "EIO" : "ENOSPC")
              << "): " << counts.steps << " steps failed in turn; the call failed "
              << counts.reported << ", succeeded " << counts.swallowed << " (a logged step or "
              << "background work); sticky afterwards " << counts.sticky << "; failed ops:";
    for (const auto& [op, k] : counts.failed_ops) std::cout << " " << op << " " << k << ";";
    std::cout << "\n";
    CHECK(counts.steps > 0);
  }
}

}  // namespace

TEST_CASE("each step of a roll fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "roll (append of 400 entries)";
  sweep.operation = [](SegmentedStorage& s) {
    return s.append_entries(power_loss_entries(kPrepared + 1, 400, 1));
  };
  sweep.max_last = kPrepared + 400;
  sweep_every_step(sweep);
}

TEST_CASE("each step of a sync fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "sync";
  sweep.before = [](SegmentedStorage& s) {
    REQUIRE(s.append_entries(power_loss_entries(kPrepared + 1, 50, 1)));
  };
  sweep.operation = [](SegmentedStorage& s) { return s.sync(); };
  sweep.max_last = kPrepared + 50;
  sweep.last_after = kPrepared + 50;
  sweep_every_step(sweep);
}

TEST_CASE("each step of truncate_after into a sealed segment fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "truncate_after(250)";
  sweep.operation = [](SegmentedStorage& s) { return s.truncate_after(250); };
  sweep.synced_last = 250;
  sweep.last_after = 250;
  sweep_every_step(sweep);
}

TEST_CASE("each step of truncate_after into the active segment fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "truncate_after(580)";
  sweep.operation = [](SegmentedStorage& s) { return s.truncate_after(580); };
  sweep.synced_last = 580;
  sweep.last_after = 580;
  sweep_every_step(sweep);
}

TEST_CASE("each step of truncate_before with a boundary rewrite fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "truncate_before(350)";
  sweep.operation = [](SegmentedStorage& s) { return s.truncate_before(350); };
  sweep.first_after = 350;
  sweep_every_step(sweep);
}

TEST_CASE("each step of truncate_before into the active segment fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "truncate_before(590)";
  sweep.operation = [](SegmentedStorage& s) { return s.truncate_before(590); };
  sweep.first_after = 590;
  sweep_every_step(sweep);
}

TEST_CASE("each step of a snapshot commit and a state save fails in turn", "[faults][steps]") {
  Sweep snapshot;
  snapshot.name = "save_snapshot(300)";
  snapshot.operation = [](SegmentedStorage& s) {
    return s.save_snapshot(seglog::test::snapshot_data(300), 300, 1);
  };
  sweep_every_step(snapshot);
  Sweep state;
  state.name = "save_state";
  state.operation = [](SegmentedStorage& s) { return s.save_state({7, "n3", 500}); };
  sweep_every_step(state);
}

TEST_CASE("each step of restart_log fails in turn: the old log or the restarted one",
          "[faults][steps][restart_log]") {
  // Inside the log, and past its end.
  for (const std::uint64_t at : {300ull, 900ull}) {
    Sweep sweep;
    sweep.name = "restart_log(" + std::to_string(at) + ", 2)";
    sweep.operation = [at](SegmentedStorage& s) { return s.restart_log(at, 2); };
    sweep.restart_at = at;
    sweep.restart_term = 2;
    sweep.first_after = at;
    sweep.last_after = at - 1;
    sweep_every_step(sweep);
  }
}

TEST_CASE("each step of set_value fails in turn: the old value or the new one",
          "[faults][steps][kv]") {
  const std::vector<std::byte> key{std::byte{'t'}};
  const std::vector<std::byte> old_value(8, std::byte{1});
  // An append into the preallocated file, and (a value too big for the
  // space left) a rewrite to a fresh file.
  for (const std::size_t size : {std::size_t{8}, kMaxKvValueBytes}) {
    const std::vector<std::byte> new_value(size, std::byte{2});
    Sweep sweep;
    sweep.name = "set_value (" + std::to_string(size) + " bytes)";
    sweep.before = [=](SegmentedStorage& s) { REQUIRE(s.set_value(key, old_value)); };
    sweep.operation = [=](SegmentedStorage& s) {
      Status set = s.set_value(key, new_value);
      // Whatever failed, the store reads the old or the new value; after
      // a reopen too (check_after).
      const auto now = s.get_value(key);
      CHECK((now.value() == old_value || now.value() == new_value));
      if (set) CHECK(now.value() == new_value);
      return set;
    };
    sweep.check_after = [=](SegmentedStorage& r) {
      const auto now = r.get_value(key);
      REQUIRE(now);
      CHECK((*now == old_value || *now == new_value));
    };
    sweep_every_step(sweep);
  }
}

TEST_CASE("each step of close fails in turn", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "close";
  sweep.before = [](SegmentedStorage& s) {
    REQUIRE(s.append_entries(power_loss_entries(kPrepared + 1, 30, 1)));
  };
  sweep.operation = [](SegmentedStorage& s) { return s.close(); };
  sweep.closes = true;
  sweep.max_last = kPrepared + 30;
  sweep.last_after = kPrepared + 30;
  sweep_every_step(sweep);
}

// Several rolls in flight at once: a batch that rolls three times queues
// three seals (each behind its directory sync) before any of them runs, so
// a failure of one finds the others still queued. Whatever step fails,
// the work queued after it must not make the directory worse than the
// failure did: the reopen keeps every synced entry and opens.
TEST_CASE("each step fails in turn while several rolls are in flight", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "three rolls in one batch, then sync";
  sweep.operation = [](SegmentedStorage& s) {
    Status first = s.append_entries(power_loss_entries(kPrepared + 1, 900, 1));
    Status synced = s.sync();
    return first ? synced : first;
  };
  sweep.max_last = kPrepared + 900;
  sweep.last_after = kPrepared + 900;
  sweep_every_step(sweep);
}

// Rolls, seals, spares and a boundary rewrite queued together: the batch
// before truncate_before queues its seals, truncate_before queues its
// unlinks and rewrite behind them, the next batch rolls again (taking
// spares and queueing more seals) before anything is flushed. The first
// failing call's result is the scenario's; the calls after it still run,
// as a caller that does not stop at an error would make them.
TEST_CASE("each step fails in turn with rolls, a rewrite and spares in flight", "[faults][steps]") {
  Sweep sweep;
  sweep.name = "rolls, truncate_before(700), more rolls, truncate_after(1500), sync";
  sweep.operation = [](SegmentedStorage& s) {
    Status result;
    auto step = [&](Status status) {
      if (result && !status) result = status;
    };
    step(s.append_entries(power_loss_entries(kPrepared + 1, 600, 1)));
    step(s.truncate_before(700));
    step(s.append_entries(power_loss_entries(kPrepared + 601, 600, 1)));
    step(s.truncate_after(1500));
    step(s.sync());
    return result;
  };
  sweep.first_after = 700;
  sweep.max_last = kPrepared + 1200;
  sweep.last_after = 1500;
  sweep_every_step(sweep);
}

// Two failures in flight at once, at random steps of the scenario above
// with the most background work: the second lands while the first one's
// consequences (skipped seals, a postponed rewrite, prepared files to
// unlink) are still queued. Seeded, so a failure names its case.
TEST_CASE("two failures at random steps while rolls and a rewrite are in flight",
          "[faults][steps]") {
  std::mt19937_64 random(12);
  int trials = 0;
  int reopened = 0;
  std::map<std::string, int> outcomes;
  for (int trial = 0; trial < 60; ++trial) {
    std::uniform_int_distribution<int> step(1, 80);
    const int a = step(random);
    int b = step(random);
    while (b == a) b = step(random);
    const int err_a = random() % 2 ? EIO : ENOSPC;
    const int err_b = random() % 2 ? EIO : ENOSPC;
    ScratchDir dir;
    std::unique_ptr<SegmentedStorage> s;
    {
      auto opened = SegmentedStorage::open(small_options(dir.path()));
      REQUIRE(opened);
      s = std::move(*opened);
    }
    REQUIRE(s->append_entries(power_loss_entries(1, kPrepared, 1)));
    REQUIRE(s->sync());
    REQUIRE(s->flush());
    Status result;
    std::vector<std::string> failed;
    {
      FailCalls faults({{a, err_a}, {b, err_b}});
      auto step_of = [&](Status status) {
        if (result && !status) result = status;
      };
      step_of(s->append_entries(power_loss_entries(kPrepared + 1, 600, 1)));
      step_of(s->truncate_before(700));
      step_of(s->append_entries(power_loss_entries(kPrepared + 601, 600, 1)));
      step_of(s->truncate_after(1500));
      step_of(s->sync());
      (void)s->flush();
      faults.disarm();
      failed = faults.failed_calls();
    }
    INFO("trial " << trial << ": steps " << a << " and " << b << " failed (" << failed.size()
                  << " reached: " << (failed.empty() ? "" : failed.front())
                  << (failed.size() > 1 ? ", " + failed.back() : "") << "); the scenario returned "
                  << seglog::test::describe(seglog::test::outcome(result)));
    ++trials;
    ++outcomes[result ? "ok"
                      : seglog::test::errc_name(static_cast<errc>(result.error().code().value()))];
    if (!result) CHECK((result.error() == errc::io_error || result.error() == errc::no_space));
    // Reads go on, and nothing synced is lost on the failing handle.
    CHECK(check_entries(*s) == "");
    CHECK(s->last_index() >= kPrepared);
    (void)s->close();
    s.reset();
    auto again = SegmentedStorage::open(small_options(dir.path()));
    REQUIRE(again);
    SegmentedStorage& r = **again;
    CHECK(check_entries(r) == "");
    CHECK((r.first_index() == 1 || r.first_index() == 700));
    CHECK(r.last_index() >= std::max<std::uint64_t>(kPrepared, r.first_index() - 1));
    CHECK(r.last_index() <= kPrepared + 1200);
    if (result) {
      CHECK(r.first_index() == 700);
      CHECK(r.last_index() == 1500);
    }
    const std::uint64_t next = std::max(r.last_index() + 1, r.first_index());
    CHECK(r.append_entries(power_loss_entries(next, 1, 1)));
    CHECK(r.sync());
    CHECK(r.close());
    ++reopened;
  }
  std::cout << "two failures in flight: " << trials << " trials, reopened " << reopened
            << "; the scenario returned:";
  for (const auto& [name, k] : outcomes) std::cout << " " << name << " " << k << ";";
  std::cout << "\n";
}

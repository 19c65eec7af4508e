// no_space_contract_test.cpp — what ENOSPC from the OS becomes (issue 12,
// defect 4): no_space only where nothing changed and the log stays usable;
// a failure that leaves the log refusing writes is io_error, and its
// message names the ENOSPC. Each call below has each step of each kind
// (the n-th create, write, sync, ... it makes) fail in turn; a write after
// the fault is gone tells which of the two happened.
#include <seglog/seglog.hpp>

#include "support/entries.hpp"
#include "support/fault_hook.hpp"
#include "support/results.hpp"
#include "support/small_options.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace seglog;
using seglog::test::describe;
using seglog::test::FaultFilter;
using seglog::test::is_ok;
using seglog::test::make_entries;
using seglog::test::outcome;
using seglog::test::Outcome;
using seglog::test::ScopedFault;
using seglog::test::small_options;
using Op = seglog::detail::fault::Op;

namespace {

// Every kind of call that changes the disk, except the prefaulter's zeros
// (a failure there only costs speed: sync_writes_test.cpp).
const std::vector<Op> kOps = {Op::create, Op::write,          Op::preallocate, Op::truncate,
                              Op::sync,   Op::sync_directory, Op::rename,      Op::unlink};

// strerror(ENOSPC) is "No space left on device".
bool names_enospc(std::string message) {
  std::transform(message.begin(), message.end(), message.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return message.find("no space left") != std::string::npos;
}

// What a caller can see of a storage, to tell "nothing changed".
struct Visible {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  PersistentState state;
  std::optional<ClusterConfig> cluster;
  std::optional<SnapshotMeta> snapshot;
  bool operator==(const Visible&) const = default;
};

Visible look(const SegmentedStorage& s) {
  Visible v;
  v.first = s.first_index();
  v.last = s.last_index();
  v.state = s.get_state().value();
  v.cluster = s.get_cluster_config().value();
  if (auto snap = s.get_snapshot().value()) v.snapshot = snap->meta;
  return v;
}

std::vector<std::byte> snapshot_bytes(std::uint64_t last_index) {
  return seglog::test::payload_for(last_index ^ 0x77, 300);
}

// Appends one entry after the log's end and syncs it: what a log that stays
// usable must allow once the fault is gone.
Outcome write_after(SegmentedStorage& s) {
  Outcome appended = outcome(s.append_entries(make_entries(s.last_index() + 1, 1, 9, 40)));
  if (!is_ok(appended)) return appended;
  return outcome(s.sync());
}

std::string code_name(const Outcome& o) {
  if (is_ok(o)) return "ok";
  return o.code->category() == error_category()
             ? seglog::test::errc_name(static_cast<errc>(o.code->value()))
             : o.code->message();
}

struct Scenario {
  const char* name;
  std::function<void(SegmentedStorage&)> setup;
  std::function<Status(SegmentedStorage&)> call;
};

void append_synced(SegmentedStorage& s, std::uint64_t first, std::uint64_t count,
                   std::size_t size) {
  REQUIRE(s.append_entries(make_entries(first, count, 1, size)));
  REQUIRE(s.sync());
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"sync()",
       [](SegmentedStorage& s) {
         append_synced(s, 1, 50, 16);
         REQUIRE(s.append_entries(make_entries(51, 50, 1, 16)));
       },
       [](SegmentedStorage& s) { return s.sync(); }},
      {"truncate_after inside the active segment",
       [](SegmentedStorage& s) { append_synced(s, 1, 100, 100); },
       [](SegmentedStorage& s) { return s.truncate_after(50); }},
      {"truncate_after across segments",
       [](SegmentedStorage& s) { append_synced(s, 1, 1500, 100); },
       [](SegmentedStorage& s) { return s.truncate_after(100); }},
      {"truncate_before inside the log",
       [](SegmentedStorage& s) { append_synced(s, 1, 1500, 100); },
       [](SegmentedStorage& s) { return s.truncate_before(1000); }},
      {"a snapshot install into an empty log",
       [](SegmentedStorage& s) { REQUIRE(s.save_snapshot(snapshot_bytes(500), 500, 2)); },
       [](SegmentedStorage& s) { return s.truncate_before(501); }},
      {"a snapshot install past the log",
       [](SegmentedStorage& s) {
         append_synced(s, 1, 100, 100);
         REQUIRE(s.save_snapshot(snapshot_bytes(500), 500, 2));
       },
       [](SegmentedStorage& s) { return s.truncate_before(501); }},
      {"append_entries with rolls", [](SegmentedStorage& s) { append_synced(s, 1, 100, 100); },
       [](SegmentedStorage& s) { return s.append_entries(make_entries(101, 1500, 1, 100)); }},
      {"save_state",
       [](SegmentedStorage& s) {
         REQUIRE(s.save_state({1, "a", 0}));
       },
       [](SegmentedStorage& s) {
         return s.save_state({2, "b", 5});
       }},
      {"save_cluster_config",
       [](SegmentedStorage& s) {
         REQUIRE(s.save_cluster_config({1, 1, {{"a", "h:1", true}}}));
       },
       [](SegmentedStorage& s) {
         return s.save_cluster_config({4, 2, {{"a", "h:1", true}, {"b", "h:2", false}}});
       }},
      {"save_snapshot",
       [](SegmentedStorage& s) {
         append_synced(s, 1, 100, 100);
         REQUIRE(s.save_snapshot(snapshot_bytes(10), 10, 1));
       },
       [](SegmentedStorage& s) { return s.save_snapshot(snapshot_bytes(50), 50, 1); }},
  };
  return all;
}

struct Tally {
  int cases = 0, ok = 0, no_space = 0, io_error_refusing = 0, io_error_usable = 0;
};

// One case: the scenario's call with the n-th `op` failing with ENOSPC.
// False when the call (and the background work it queued) made fewer than
// n such calls.
bool run_case(const Scenario& scenario, Op op, int n, Tally& tally) {
  seglog::test::TempDir dir;
  const Options options = small_options(dir.path());
  auto storage = SegmentedStorage::open(options).value();
  SegmentedStorage& s = *storage;
  scenario.setup(s);
  REQUIRE(s.flush());  // no background work of the setup runs under the fault
  const Visible before = look(s);
  Outcome result, flushed;
  {
    // Spares are prepared in the background at times of their own; a
    // failure there is logged and retried inline by the next roll.
    ScopedFault fault(op, ENOSPC, FaultFilter().sparing(".spare").nth(n));
    result = outcome(scenario.call(s));
    flushed = outcome(s.flush());  // the seals, unlinks and rewrite it queued
    if (fault.hits() == 0) return false;
  }
  ++tally.cases;
  INFO(scenario.name << ", the " << n << "-th " << seglog::detail::fault::op_name(op)
                     << " fails with ENOSPC: returned " << describe(result) << ", then flush "
                     << describe(flushed));
  CHECK((is_ok(result) || result == errc::no_space || result == errc::io_error));
  if (result == errc::io_error) CHECK(names_enospc(result.message));
  if (result == errc::no_space) {
    // Nothing changed, and the log stays usable.
    CHECK(look(s) == before);
    CHECK(is_ok(flushed));
    CHECK_FALSE(s.stats().sync_failed);
  }
  const Outcome after = write_after(s);
  if (is_ok(after)) {
    CHECK_FALSE(s.stats().sync_failed);
    if (is_ok(result)) ++tally.ok;
    if (result == errc::no_space) ++tally.no_space;
    if (result == errc::io_error) ++tally.io_error_usable;
  } else {
    ++tally.io_error_refusing;
    INFO("the write after it: " << describe(after));
    CHECK(result != errc::no_space);
    // The first error the caller heard of said io_error, naming the ENOSPC,
    // and so does every refusal after it; no later sync succeeds.
    const Outcome& first = is_ok(result) ? flushed : result;
    CHECK(first == errc::io_error);
    CHECK(names_enospc(first.message));
    CHECK(after == errc::io_error);
    CHECK(names_enospc(after.message));
    CHECK(outcome(s.sync()) == errc::io_error);
    CHECK(s.stats().sync_failed);
  }
  (void)s.close();
  storage.reset();
  // Whatever happened, the directory opens again and takes writes.
  auto reopened = SegmentedStorage::open(options);
  REQUIRE(reopened);
  CHECK(is_ok(write_after(**reopened)));
  return true;
}

}  // namespace

TEST_CASE("ENOSPC at any step is no_space only where nothing changed, else io_error naming it",
          "[faults][no_space][contract]") {
  Tally tally;
  for (const Scenario& scenario : scenarios()) {
    for (Op op : kOps) {
      for (int n = 1; n <= 64 && run_case(scenario, op, n, tally); ++n) {
      }
    }
  }
  WARN(tally.cases << " failing steps: " << tally.ok << " calls succeeded, " << tally.no_space
                   << " no_space (log usable), " << tally.io_error_refusing
                   << " io_error with the log refusing writes, " << tally.io_error_usable
                   << " io_error with the log usable");
  CHECK(tally.no_space > 0);
  CHECK(tally.io_error_refusing > 0);
}

// The cases the issue names, one by one, so a failure reads plainly.
TEST_CASE("ENOSPC from the fdatasync of sync() is io_error, and the log refuses writes",
          "[faults][no_space][contract]") {
  seglog::test::TempDir dir;
  auto storage = SegmentedStorage::open(small_options(dir.path())).value();
  REQUIRE(storage->append_entries(make_entries(1, 50)));
  REQUIRE(storage->sync());
  REQUIRE(storage->append_entries(make_entries(51, 50)));
  Outcome synced;
  {
    ScopedFault full(Op::sync, ENOSPC, FaultFilter().sparing(".spare"));
    synced = outcome(storage->sync());
    CHECK(full.hits() == 1);
  }
  CHECK(synced == errc::io_error);
  CHECK(names_enospc(synced.message));
  CHECK(storage->stats().sync_failed);
  // Never retried into a false success.
  const Outcome again = outcome(storage->sync());
  CHECK(again == errc::io_error);
  CHECK(names_enospc(again.message));
  CHECK(outcome(storage->append_entries(make_entries(101, 1))) == errc::io_error);
}

TEST_CASE(
    "ENOSPC in truncate_after, truncate_before and a snapshot install is io_error when "
    "the log then refuses writes",
    "[faults][no_space][contract]") {
  struct Case {
    const char* name;
    std::function<Status(SegmentedStorage&)> call;
  };
  const std::vector<Case> cases = {
      {"truncate_after", [](SegmentedStorage& s) { return s.truncate_after(50); }},
      {"truncate_before", [](SegmentedStorage& s) { return s.truncate_before(50); }},
  };
  for (const Op op : {Op::write, Op::sync}) {
    // truncate_after and truncate_before: their state-slot pwrite and the
    // fdatasync after it.
    for (std::size_t which = 0; which < cases.size(); ++which) {
      INFO(cases[which].name << ", every " << seglog::detail::fault::op_name(op)
                             << " failing with ENOSPC");
      seglog::test::TempDir dir;
      auto storage = SegmentedStorage::open(small_options(dir.path())).value();
      REQUIRE(storage->append_entries(make_entries(1, 100)));
      REQUIRE(storage->sync());
      REQUIRE(storage->flush());
      Outcome result;
      {
        ScopedFault full(op, ENOSPC, FaultFilter().sparing(".spare"));
        result = outcome(cases[which].call(*storage));
        CHECK(full.hits() >= 1);
      }
      CHECK(result == errc::io_error);
      CHECK(names_enospc(result.message));
      CHECK(outcome(storage->append_entries(make_entries(storage->last_index() + 1, 1))) ==
            errc::io_error);
    }
  }
  // A snapshot install into a log that never held a segment: the new
  // segment's own steps (on its .tmp: preallocate, header write, fdatasync)
  // leave nothing behind and the log usable: no_space; the steps after it
  // (the start index written and synced, the rename, the directory sync)
  // leave it refusing writes: io_error.
  for (const Op op : {Op::write, Op::sync, Op::preallocate, Op::rename, Op::sync_directory}) {
    for (int n = 1;; ++n) {
      INFO("snapshot install into an empty log, the "
           << n << "-th " << seglog::detail::fault::op_name(op) << " failing with ENOSPC");
      seglog::test::TempDir dir;
      auto storage = SegmentedStorage::open(small_options(dir.path())).value();
      REQUIRE(storage->save_snapshot(snapshot_bytes(100), 100, 3));
      Outcome result;
      {
        ScopedFault full(op, ENOSPC, FaultFilter().sparing(".spare").nth(n));
        result = outcome(storage->truncate_before(101));
        if (full.hits() == 0) break;
      }
      const Outcome after = write_after(*storage);
      INFO("returned " << describe(result) << ", the write after it " << describe(after));
      if (result == errc::no_space) {
        CHECK(storage->first_index() == 1);
        CHECK(is_ok(outcome(storage->truncate_before(101))));
        CHECK(storage->first_index() == 101);
        CHECK(is_ok(write_after(*storage)));
      } else {
        CHECK(result == errc::io_error);
        CHECK(names_enospc(result.message));
        CHECK(after == errc::io_error);
      }
    }
  }
}

// The saves beside the log never make it refuse writes. ENOSPC before
// their rename changed nothing: no_space. ENOSPC from the directory fsync
// after it: the new file is already what get_* returns, so not no_space.
TEST_CASE(
    "ENOSPC in a save is no_space before its rename and io_error after it; the log "
    "stays usable either way",
    "[faults][no_space][contract]") {
  struct Save {
    const char* name;
    std::function<Status(SegmentedStorage&)> call;
    std::function<bool(SegmentedStorage&)> took_effect;
  };
  const std::vector<Save> saves = {
      {"save_state",
       [](SegmentedStorage& s) {
         return s.save_state({7, "b", 3});
       },
       [](SegmentedStorage& s) {
         return s.get_state().value() == PersistentState{7, "b", 3};
       }},
      {"save_cluster_config",
       [](SegmentedStorage& s) {
         return s.save_cluster_config({2, 2, {{"b", "h:2", true}}});
       },
       [](SegmentedStorage& s) {
         return s.get_cluster_config().value() == ClusterConfig{2, 2, {{"b", "h:2", true}}};
       }},
      {"save_snapshot",
       [](SegmentedStorage& s) { return s.save_snapshot(snapshot_bytes(40), 40, 2); },
       [](SegmentedStorage& s) {
         auto snap = s.get_snapshot().value();
         return snap && snap->meta == SnapshotMeta{40, 2, 300};
       }},
      // The streaming writer's commit makes the same promise.
      {"begin_snapshot + commit",
       [](SegmentedStorage& s) -> Status {
         auto writer = s.begin_snapshot(41, 2);
         if (!writer) return writer.error();
         const auto bytes = snapshot_bytes(41);
         if (auto w = writer->write(bytes); !w) return w.error();
         auto committed = writer->commit();
         if (!committed) return committed.error();
         return {};
       },
       [](SegmentedStorage& s) {
         auto snap = s.get_snapshot().value();
         return snap && snap->meta.last_index == 41;
       }},
  };
  for (const Save& save : saves) {
    for (const Op op : {Op::create, Op::write, Op::sync, Op::sync_directory}) {
      INFO(save.name << ", its " << seglog::detail::fault::op_name(op) << " failing with ENOSPC");
      seglog::test::TempDir dir;
      auto storage = SegmentedStorage::open(small_options(dir.path())).value();
      append_synced(*storage, 1, 10, 16);
      Outcome result;
      {
        ScopedFault full(op, ENOSPC);
        result = outcome(save.call(*storage));
        CHECK(full.hits() == 1);
      }
      INFO("returned " << describe(result));
      CHECK(names_enospc(result.message));
      if (op == Op::sync_directory) {
        CHECK(result == errc::io_error);
        CHECK(save.took_effect(*storage));
      } else {
        CHECK(result == errc::no_space);
        CHECK_FALSE(save.took_effect(*storage));
      }
      CHECK_FALSE(storage->stats().sync_failed);
      CHECK(is_ok(write_after(*storage)));
      CHECK(is_ok(outcome(save.call(*storage))));
      CHECK(save.took_effect(*storage));
    }
  }
}

// Random operations with random failures (EIO or ENOSPC, on a random step
// of a random kind) checked against the contract after every call: a call
// that returned no_space leaves a log whose next append succeeds once the
// fault is gone; a log that refuses writes refuses each with io_error, and
// the call that made it refuse did not return no_space.
TEST_CASE("random operations under random EIO and ENOSPC keep the no_space contract",
          "[faults][no_space][contract][random]") {
  const std::uint64_t seed = GENERATE(1, 2, 3, 4, 5, 6, 7, 8);
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  auto pick = [&rng](std::uint64_t n) { return n == 0 ? 0 : rng() % n; };
  seglog::test::TempDir dir;
  const Options options = small_options(dir.path());
  auto storage = SegmentedStorage::open(options).value();
  std::map<std::string, int> results;  // "<call> -> <outcome>", for the output
  int reopens = 0;
  for (int step = 0; step < 250; ++step) {
    SegmentedStorage& s = *storage;
    // Background work of earlier calls runs outside the next fault.
    const Outcome before_step = outcome(s.flush());
    if (!is_ok(before_step) || s.stats().sync_failed) {
      INFO("step " << step << ": flush " << describe(before_step));
      CHECK(before_step == errc::io_error);
    }
    if (s.stats().sync_failed) {
      // Refusing writes: every refusal is io_error; then start over.
      CHECK(outcome(s.append_entries(make_entries(s.last_index() + 1, 1))) == errc::io_error);
      CHECK(outcome(s.sync()) == errc::io_error);
      (void)s.close();
      storage.reset();
      auto reopened = SegmentedStorage::open(options);
      REQUIRE(reopened);
      storage = std::move(*reopened);
      ++reopens;
      continue;
    }
    const std::uint64_t first = s.first_index();
    const std::uint64_t last = s.last_index();
    std::optional<ScopedFault> fault;
    if (pick(3) == 0) {
      fault.emplace(kOps[pick(kOps.size())], pick(2) == 0 ? EIO : ENOSPC,
                    FaultFilter().nth(static_cast<int>(1 + pick(4))));
    }
    std::string call;
    Status status;
    switch (pick(8)) {
      case 0:
      case 1:
        call = "append_entries";
        status = s.append_entries(
            make_entries(last + 1, 1 + pick(400), 1, static_cast<std::size_t>(pick(600))));
        break;
      case 2:
        call = "sync";
        status = s.sync();
        break;
      case 3:
        call = "truncate_after";
        status = s.truncate_after(first - 1 + pick(last - first + 2));
        break;
      case 4:
        call = "truncate_before";
        status = s.truncate_before(first + pick(last - first + 2));
        break;
      case 5:
        call = "snapshot install";
        status = s.save_snapshot(snapshot_bytes(last + 5), last + 5, 1);
        if (status) status = s.truncate_before(last + 6);
        break;
      case 6:
        call = "save_state";
        status = s.save_state({static_cast<std::uint64_t>(step), "n", last});
        break;
      default:
        call = "close and reopen";
        status = s.close();
        fault.reset();
        storage.reset();
        {
          auto reopened = SegmentedStorage::open(options);
          REQUIRE(reopened);
          storage = std::move(*reopened);
        }
        break;
    }
    fault.reset();
    const Outcome result = outcome(status);
    results[call + " -> " + code_name(result)]++;
    INFO("step " << step << ": " << call << " returned " << describe(result));
    CHECK((is_ok(result) || result == errc::no_space || result == errc::io_error));
    SegmentedStorage& now = *storage;
    if (result == errc::no_space) {
      CHECK_FALSE(now.stats().sync_failed);
      CHECK(is_ok(outcome(now.append_entries(make_entries(now.last_index() + 1, 1)))));
    }
    if (now.stats().sync_failed && !is_ok(result)) {
      // The call that left the log refusing writes did not say no_space.
      CHECK(result == errc::io_error);
    }
  }
  std::string summary;
  for (const auto& [what, count] : results) summary += "\n  " + what + ": " + std::to_string(count);
  WARN("seed " << seed << ", " << reopens << " reopens after a sticky failure:" << summary);
}

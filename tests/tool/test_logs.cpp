// tool/test_logs.cpp — building the tests' logs.
#include "tool/test_logs.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <random>

namespace seglog::tooltest {

std::vector<std::byte> tool_payload(std::uint64_t index, std::uint64_t term, std::size_t size) {
  return test::payload_for(index ^ (term << 40), size);
}

LogEntry tool_entry(std::uint64_t index, std::uint64_t term, std::size_t size) {
  return LogEntry{index, term, static_cast<std::uint8_t>(index % 3),
                  tool_payload(index, term, size)};
}

Options tool_options(const fs::path& dir, std::uint64_t segment_size) {
  Options o;
  o.dir = dir;
  o.segment_size = segment_size;
  o.index_interval_bytes = 1024;
  return o;
}

namespace {

// Everything the log gets, in order: batches and where syncs go.
struct Script {
  std::vector<std::vector<LogEntry>> batches;
  std::size_t synced_batches = 0;  // batches followed by a sync
};

Script script_for(const LogShape& shape) {
  std::mt19937_64 rng(shape.seed);
  Script script;
  std::uint64_t index = 1;
  std::uint64_t appended = 0;
  while (appended < shape.entries) {
    const std::uint64_t n = std::min<std::uint64_t>(1 + rng() % 16, shape.entries - appended);
    std::vector<LogEntry> batch;
    for (std::uint64_t i = 0; i < n; ++i, ++index) {
      const std::uint64_t term = 1 + index / 150;
      const std::size_t size = index % 29 == 0 ? 0 : rng() % 700;
      batch.push_back(tool_entry(index, term, size));
    }
    appended += n;
    script.batches.push_back(std::move(batch));
  }
  // With `unsynced`: the batches holding the last `unsynced` entries get
  // no sync.
  script.synced_batches = script.batches.size();
  std::uint64_t unsynced = 0;
  while (script.synced_batches > 0 && unsynced < shape.unsynced) {
    unsynced += script.batches[script.synced_batches - 1].size();
    --script.synced_batches;
  }
  return script;
}

// Runs the script in this process; returns an exit code for a child.
int write_log(const fs::path& dir, const LogShape& shape, const Script& script) {
  auto opened = SegmentedStorage::open(tool_options(dir, shape.segment_size));
  if (!opened) return 3;
  SegmentedStorage& log = **opened;
  for (std::size_t b = 0; b < script.batches.size(); ++b) {
    if (!log.append_entries(script.batches[b])) return 4;
    if (b < script.synced_batches && !log.sync()) return 5;
    // The seal of a segment a roll left runs in the background: wait for
    // it, so every run writes the same header states.
    if (!log.flush()) return 6;
  }
  if (shape.meta) {
    const std::uint64_t last = log.last_index();
    if (!log.save_state({1 + last / 150, "node-1", std::min(shape.commit, last)})) return 7;
    if (!log.save_cluster_config({3,
                                  1,
                                  {{"node-1", "10.0.0.1:7000", true},
                                   {"node-2", "10.0.0.2:7000", true},
                                   {"node-3", "10.0.0.3:7000", false}}})) {
      return 8;
    }
    if (shape.snapshot_at != 0) {
      const std::vector<std::byte> data = test::payload_for(7, 3000);
      if (!log.save_snapshot(data, shape.snapshot_at, 1 + shape.snapshot_at / 150)) return 9;
    }
    if (shape.compact != 0 && !log.truncate_before(shape.compact)) return 10;
    if (!log.flush()) return 11;
  }
  // A crash: the process ends with the storage open (its destructor would
  // close it and seal the newest segment).
  if (shape.crash) ::_exit(0);
  return log.close() ? 0 : 12;
}

}  // namespace

TestLog make_log(const fs::path& dir, const LogShape& shape) {
  fs::create_directories(dir);
  const Script script = script_for(shape);
  TestLog out;
  for (std::size_t b = 0; b < script.batches.size(); ++b) {
    for (const LogEntry& e : script.batches[b]) out.model[e.index] = e;
    if (b < script.synced_batches) out.synced_last = script.batches[b].back().index;
  }
  if (shape.compact != 0) test::model_truncate_before(out.model, shape.compact);
  out.first_index = shape.compact != 0 ? shape.compact : 1;
  out.last_index = out.model.empty() ? out.first_index - 1 : out.model.rbegin()->first;
  if (!shape.crash) {
    REQUIRE(write_log(dir, shape, script) == 0);
    return out;
  }
  // A crash: the writer process ends without closing.
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(write_log(dir, shape, script));
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

PristineLog::PristineLog(std::uint64_t seed, std::uint64_t unsynced) {
  LogShape shape;
  shape.seed = seed;
  shape.entries = 900;
  shape.crash = true;
  shape.unsynced = unsynced;
  log = make_log(dir, shape);
  segments = test::segment_files(dir);
  REQUIRE(segments.size() >= 5);
}

Restarted make_restarted(const fs::path& dir, std::uint64_t seed, std::uint64_t next,
                         std::uint64_t appended) {
  LogShape shape;
  shape.seed = seed;
  shape.snapshot_at = 0;
  make_log(dir, shape);
  const auto old = test::segment_files(dir);
  REQUIRE(old.size() >= 4);
  std::vector<std::vector<std::byte>> old_bytes;
  for (const test::SegmentFile& s : old) old_bytes.push_back(test::read_file(s.path));
  Restarted out;
  out.discarded = old.size();
  {
    auto storage = test::open_or_fail(tool_options(dir));
    REQUIRE(storage->save_state({kRestartPrevTerm + 1, "node-1", next - 1}));
    REQUIRE(storage->restart_log(next, kRestartPrevTerm));
    for (std::uint64_t i = next; i < next + appended; ++i) {
      const LogEntry e = tool_entry(i, kRestartPrevTerm + 1, 100 + i % 300);
      REQUIRE(storage->append_entries(std::vector<LogEntry>{e}));
      out.model[i] = e;
    }
    REQUIRE(storage->sync());
    REQUIRE(storage->close());
  }
  // What step 3's unlinks had not done yet when the crash came.
  for (std::size_t k = 0; k < old.size(); ++k) {
    if (fs::exists(old[k].path)) continue;  // a new segment bears an old name
    test::write_file(old[k].path, old_bytes[k]);
    out.put_back.insert(old[k].path.filename().string());
  }
  REQUIRE(!out.put_back.empty());
  return out;
}

void expect_entries(const fs::path& dir, const test::Model& model, std::uint64_t first,
                    std::uint64_t last) {
  auto storage = test::open_or_fail(tool_options(dir));
  REQUIRE(storage->first_index() <= first);
  REQUIRE(storage->last_index() >= last);
  for (std::uint64_t i = first; i <= last; ++i) {
    auto got = storage->get_entry(i);
    INFO("index " << i);
    REQUIRE(got);
    const LogEntry& want = model.at(i);
    CHECK(got->term == want.term);
    CHECK(got->type == want.type);
    CHECK(got->data == want.data);
  }
}

}  // namespace seglog::tooltest

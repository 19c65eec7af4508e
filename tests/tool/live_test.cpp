// tool/live_test.cpp — the tool beside a live writer: a writer process
// appends, syncs, rolls (64 KiB segments), truncates both ways, reopens
// and is SIGKILLed (three writer processes in turn), while stat, dump and
// verify run against the same directory in a loop. None may crash; every entry dump prints must be
// byte-exact (its payload is a function of its index and term); verify must never call the writer's
// work damage.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

// The writer: runs until `seconds` have passed; exits 0, or the step that
// failed.
int writer(const fs::path& dir, double seconds) {
  std::mt19937_64 rng(77);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::uint64_t term = 1;
  while (std::chrono::steady_clock::now() < end) {
    auto opened = SegmentedStorage::open(tool_options(dir));
    if (!opened) return 3;
    SegmentedStorage& log = **opened;
    for (int round = 0; round < 200 && std::chrono::steady_clock::now() < end; ++round) {
      std::vector<LogEntry> batch;
      const std::uint64_t n = 1 + rng() % 24;
      for (std::uint64_t i = 0; i < n; ++i) {
        batch.push_back(tool_entry(log.last_index() + 1 + i, term, rng() % 1500));
      }
      if (!log.append_entries(batch)) return 4;
      if (rng() % 3 == 0 && !log.sync()) return 5;
      const std::uint64_t dice = rng() % 40;
      if (dice == 0 && log.last_index() > log.first_index() + 50) {
        if (!log.truncate_after(log.last_index() - rng() % 40)) return 6;
        ++term;  // a new leader rewrites the suffix
      } else if (dice == 1 && log.last_index() > log.first_index() + 400) {
        if (!log.truncate_before(log.last_index() - 300)) return 7;
      }
    }
    if (rng() % 2 == 0) {
      if (!log.close()) return 8;
    }  // else: dropped open (its destructor closes it, as a service's shutdown does)
  }
  return 0;
}

}  // namespace

TEST_CASE("stat, dump and verify beside a live writer: no crash, no wrong byte", "[live]") {
  test::TempDir temp;
  const fs::path dir = temp / "live";
  fs::create_directories(dir);
  std::mt19937_64 rng(78);
  std::map<std::string, std::map<int, int>> exits;  // command -> exit status -> count
  std::uint64_t entries_checked = 0;
  std::uint64_t dump_reopens = 0;      // dump met a file the writer replaced
  std::uint64_t verify_retries = 0;    // verify's readings the writer moved under
  std::map<std::string, int> gave_up;  // why a command exited 2: its message's start
  // Three writer processes one after the other, each SIGKILLed at a random
  // moment (mid-append, mid-roll, mid-truncation): the next one's open
  // recovers what the crash left, while the tools keep reading.
  for (int life = 0; life < 3; ++life) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(writer(dir, 60.0));
    const auto kill_at =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(700 + rng() % 800);
    bool exited = false;
    while (std::chrono::steady_clock::now() < kill_at && !exited) {
      for (const std::string command : {"stat", "dump", "verify"}) {
        std::vector<std::string> args = {command, "--json", dir.string()};
        if (command == "dump") args = {"dump", "--json", "--payload", "hex", dir.string()};
        const ToolRun run = run_tool(args);
        INFO(command << " stderr: " << run.err);
        REQUIRE(run.signal == 0);  // never a crash
        ++exits[command][run.exit_code];
        if (run.exit_code == 2) {
          const std::size_t line = run.err.rfind("seglog ");
          ++gave_up[run.err.substr(line == std::string::npos ? 0 : line, 60)];
        }
        if (command == "verify") {
          // Damage is never reported for the writer's own work (a torn
          // tail of a batch being written is a warning; a reading the
          // writer moved under is retried, or exit 2 if it kept moving).
          CHECK(run.exit_code != 1);
          if (run.exit_code == 0) {
            verify_retries += parse_object(run.out).at("attempts").to_number<std::uint64_t>() - 1;
          }
        }
        if (command == "dump") {
          CHECK(run.exit_code != 1);
          for (std::size_t at = run.err.find("reopening"); at != std::string::npos;
               at = run.err.find("reopening", at + 1)) {
            ++dump_reopens;
          }
          std::istringstream lines(run.out);
          std::string line;
          while (std::getline(lines, line)) {
            const json::object e = parse_object(line);
            if (e.contains("note")) continue;
            const auto index = e.at("index").to_number<std::uint64_t>();
            const auto term = e.at("term").to_number<std::uint64_t>();
            const auto bytes = e.at("bytes").to_number<std::uint64_t>();
            INFO("index " << index << " term " << term);
            REQUIRE(e.at("payload_hex").as_string() ==
                    hex_of(tool_payload(index, term, bytes)).c_str());
            ++entries_checked;
          }
        }
      }
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        INFO("the writer stopped by itself: exit status " << status);
        CHECK(false);
      }
    }
    if (!exited) {
      ::kill(pid, SIGKILL);
      int status = 0;
      REQUIRE(::waitpid(pid, &status, 0) == pid);
    }
  }
  for (const auto& [command, counts] : exits) {
    std::cout << "live: " << command << ":";
    for (const auto& [code, n] : counts) std::cout << " exit " << code << " x" << n;
    std::cout << "\n";
  }
  std::cout << "live: " << entries_checked
            << " dumped entries checked byte for byte; dump reopened " << dump_reopens
            << " times after the writer replaced a file, verify read again " << verify_retries
            << " times\n";
  for (const auto& [why, n] : gave_up) std::cout << "live: exit 2 x" << n << ": " << why << "\n";
  CHECK(entries_checked > 0);
  // Once the writers are gone, the directory verifies: a kill leaves at
  // most a torn tail (a warning) and leftovers.
  const ToolRun last = run_tool({"verify", dir.string()});
  INFO(last.out << last.err);
  CHECK(last.exit_code == 0);
}

// tool/restart_test.cpp — stat, verify, dump and repair of a directory a
// crash stopped in the middle of restart_log (restart.json committed, the
// old segments still there), made through the public API: a log over
// several segments, restart_log, then the old segment files put back as
// step 3's unlinks would have left them undone. Then the library opens it,
// and what it serves is compared with what the tool said. Also a damaged
// restart.json: verify reports it, open refuses it, repair keeps it.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

using Files = std::map<std::string, std::vector<std::byte>>;

std::uint64_t u64(const json::value& v) { return v.to_number<std::uint64_t>(); }

Files segment_bytes(const fs::path& dir) {
  Files out;
  for (const test::SegmentFile& s : test::segment_files(dir)) {
    out[s.path.filename().string()] = test::read_file(s.path);
  }
  return out;
}

ToolRun run_checked(const std::vector<std::string>& args, int expected_exit) {
  ToolRun run = run_tool(args);
  INFO("seglog " << args.front() << "\nstdout: " << run.out << "\nstderr: " << run.err);
  REQUIRE(run.signal == 0);
  CHECK(run.exit_code == expected_exit);
  return run;
}

// What the tool says of the log, and what the library's read-only open
// serves, agree: range, terms, every entry (dump, byte for byte).
void expect_tool_matches_open(const fs::path& dir, const Restarted& r, std::uint64_t next) {
  const json::object stat = parse_object(run_checked({"stat", "--json", dir.string()}, 0).out);
  const std::uint64_t first = u64(stat.at("log").at("first_index"));
  const std::uint64_t last = u64(stat.at("log").at("last_index"));
  auto storage = test::open_or_fail(test::read_only(tool_options(dir)));
  CHECK(first == storage->first_index());
  CHECK(last == storage->last_index());
  CHECK(first == next);
  CHECK(last == next + r.model.size() - 1);
  auto term = storage->term(next - 1);
  REQUIRE(term);
  CHECK(*term == kRestartPrevTerm);
  if (r.model.empty()) {
    CHECK(u64(stat.at("log").at("last_term")) == kRestartPrevTerm);
  } else {
    CHECK(u64(stat.at("log").at("last_term")) == r.model.rbegin()->second.term);
  }
  const auto lines =
      parse_lines(run_checked({"dump", "--json", "--payload", "hex", dir.string()}, 0).out);
  REQUIRE(lines.size() == r.model.size());
  for (const json::object& line : lines) {
    const std::uint64_t index = u64(line.at("index"));
    INFO("index " << index);
    REQUIRE(r.model.contains(index));
    CHECK(line.at("payload_hex").as_string() == hex_of(r.model.at(index).data).c_str());
    auto got = storage->get_entry(index);
    REQUIRE(got);
    CHECK(got->data == r.model.at(index).data);
  }
}

// stat, verify, repair: the put-back segments are a restart's leftovers,
// never the log, never damage; repair moves exactly them, byte for byte.
void check_restarted(const fs::path& dir, const Restarted& r, std::uint64_t next) {
  const Files before = segment_bytes(dir);
  const json::object stat = parse_object(run_checked({"stat", "--json", dir.string()}, 0).out);
  const json::object& restart = stat.at("restart").as_object();
  CHECK(u64(restart.at("next_index")) == next);
  CHECK(u64(restart.at("prev_term")) == kRestartPrevTerm);
  CHECK(u64(restart.at("discarded_salts")) == r.discarded);
  CHECK(u64(restart.at("discarded_present")) == r.put_back.size());
  std::set<std::string> discarded_roles;
  for (const json::value& v : stat.at("segments").as_array()) {
    const std::string name = v.at("name").as_string().c_str();
    const std::string role = v.at("role").as_string().c_str();
    CHECK(role == (r.put_back.contains(name) ? "discarded" : "log"));
    if (role == "discarded") discarded_roles.insert(name);
  }
  CHECK(discarded_roles == r.put_back);
  std::size_t discarded_leftovers = 0;
  for (const json::value& v : stat.at("leftovers").as_array()) {
    if (v.at("kind").as_string() == "discarded") ++discarded_leftovers;
  }
  CHECK(discarded_leftovers == r.put_back.size());
  CHECK(findings_of(stat, "damage").empty());

  const json::object verify = parse_object(run_checked({"verify", "--json", dir.string()}, 0).out);
  CHECK(verify.at("clean").as_bool());
  CHECK(u64(verify.at("first_index")) == next);
  CHECK(u64(verify.at("last_index")) == next + r.model.size() - 1);
  CHECK(u64(verify.at("records")) == r.model.size());  // the discarded log is not read as the log
  std::set<std::string> leftovers;
  for (const json::object& f : findings_of(verify, "warning", "restart_leftover")) {
    leftovers.insert(f.at("file").as_string().c_str());
  }
  CHECK(leftovers == r.put_back);

  expect_tool_matches_open(dir, r, next);
  // dump --segment of a leftover says so in its first line.
  const std::string leftover = (dir / *r.put_back.begin()).string();
  const std::string head =
      run_checked({"dump", "--segment", leftover, "--payload", "none"}, 0).out.substr(0, 400);
  CHECK(head.find("a segment restart_log discarded") != std::string::npos);

  const json::object plan =
      parse_object(run_checked({"repair", "--dry-run", "--json", dir.string()}, 0).out);
  std::set<std::string> planned;
  for (const json::value& v : plan.at("actions").as_array()) {
    if (v.at("file").as_string().ends_with(".seg"))
      planned.insert(v.at("file").as_string().c_str());
    CHECK(v.at("action").as_string() == "move");
  }
  CHECK(planned == r.put_back);
  CHECK(segment_bytes(dir) == before);  // a dry run changes nothing

  const json::object repaired =
      parse_object(run_checked({"repair", "--yes", "--json", dir.string()}, 0).out);
  CHECK(repaired.at("applied").as_bool());
  CHECK(repaired.at("after").at("clean").as_bool());
  const fs::path quarantine = repaired.at("quarantine").as_string().c_str();
  for (const std::string& name : r.put_back) {
    CHECK_FALSE(fs::exists(dir / name));
    CHECK(test::read_file(quarantine / name) == before.at(name));
  }
  // After the repair a writable open serves the same log, and goes on.
  auto storage = test::open_or_fail(tool_options(dir));
  CHECK(storage->first_index() == next);
  CHECK(storage->last_index() == next + r.model.size() - 1);
  auto term = storage->term(next - 1);
  REQUIRE(term);
  CHECK(*term == kRestartPrevTerm);
  for (const auto& [index, entry] : r.model) {
    auto got = storage->get_entry(index);
    REQUIRE(got);
    CHECK(got->data == entry.data);
  }
  const std::uint64_t after = storage->last_index() + 1;
  CHECK(
      storage->append_entries(std::vector<LogEntry>{tool_entry(after, kRestartPrevTerm + 1, 40)}));
  CHECK(storage->close());
}

// make_restarted(seed, next, appended), then check_restarted.
void check_scenario(std::uint64_t seed, std::uint64_t next, std::uint64_t appended) {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  const Restarted r = make_restarted(dir, seed, next, appended);
  // Without appends no new segment took an old name: every one is back.
  if (appended == 0) CHECK(r.put_back.size() == r.discarded);
  check_restarted(dir, r, next);
}

}  // namespace

TEST_CASE(
    "a restart stopped before its unlinks: the old segments are leftovers, the log is "
    "empty at the restart point",
    "[restart]") {
  check_scenario(51, 1000, 0);
}

TEST_CASE(
    "a backward restart with entries after it: old segments are told apart by salt, not "
    "by name",
    "[restart]") {
  // Old segments on both sides of the new log's indices are put back.
  check_scenario(52, 300, 40);
}

TEST_CASE(
    "a damaged restart.json: verify reports it, open refuses it, repair keeps it while "
    "segments remain",
    "[restart]") {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  make_restarted(dir, 53, 1000, 0);
  const fs::path restart = dir / "restart.json";
  test::flip_byte(restart, test::read_file(restart).size() / 2, 0x01);
  const auto damaged = test::read_file(restart);
  const Files before = segment_bytes(dir);

  const json::object verify = parse_object(run_checked({"verify", "--json", dir.string()}, 1).out);
  CHECK(findings_of(verify, "damage", "restart_file").size() == 1);
  CHECK(findings_of(verify, "warning", "restart_leftover").empty());
  // The library refuses it too, writable or not.
  CHECK(test::outcome(SegmentedStorage::open(tool_options(dir))) == errc::corrupted);
  CHECK(test::outcome(SegmentedStorage::open(test::read_only(tool_options(dir)))) ==
        errc::corrupted);
  const json::object stat = parse_object(run_checked({"stat", "--json", dir.string()}, 1).out);
  CHECK(stat.at("restart").is_null());

  const json::object plan =
      parse_object(run_checked({"repair", "--dry-run", "--json", dir.string()}, 1).out);
  CHECK(findings_of(json::object{{"findings", plan.at("not_repaired")}}, "damage", "restart_file")
            .size() == 1);
  for (const json::value& v : plan.at("actions").as_array()) {
    CHECK_FALSE(v.at("file").as_string().ends_with(".seg"));
    CHECK(v.at("file").as_string() != "restart.json");
  }
  run_checked({"repair", "--yes", dir.string()}, 1);
  CHECK(test::read_file(restart) == damaged);  // the restart point is never dropped silently
  CHECK(segment_bytes(dir) == before);

  SECTION("with no segment left, repair quarantines it, and the log opens empty") {
    for (const auto& [name, bytes] : before) fs::remove(dir / name);
    // The restart point is lost, and said so: the hard state's commit
    // index (999) is now beyond the log, which repair leaves to the
    // operator (exit 1).
    const json::object repaired =
        parse_object(run_checked({"repair", "--yes", "--json", dir.string()}, 1).out);
    const json::object& after = repaired.at("after").as_object();
    CHECK(findings_of(after, "damage", "restart_file").empty());
    CHECK(findings_of(after, "damage", "state_log").size() == 1);
    bool moved = false;
    for (const json::value& v : repaired.at("actions").as_array()) {
      if (v.at("file").as_string() == "restart.json") moved = true;
    }
    CHECK(moved);
    const fs::path quarantine = repaired.at("quarantine").as_string().c_str();
    CHECK(test::read_file(quarantine / "restart.json") == damaged);
    auto storage = test::open_or_fail(tool_options(dir));
    CHECK(storage->first_index() == 1);
    CHECK(storage->last_index() == 0);
  }
}

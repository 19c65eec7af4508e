// tool/golden_test.cpp — stat, dump and verify on logs built from fixed
// seeds and on the cross-architecture golden directory (tests/golden/data),
// their output compared with tests/tool/golden/ (SEGLOG_UPDATE_GOLDEN=1
// rewrites it), their --json parsed and checked against what was written;
// and the command line itself: --help, --version, usage errors.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "golden/golden_log.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

// Output with the temporary directory's path and the spare segments'
// random names replaced, so it is the same on every run.
// (No <regex>: g++ 12 with sanitizers warns inside it, see TOOLCHAIN.md.)
std::string stable(const std::string& text, const fs::path& dir) {
  std::string out = replace_all(text, dir.string(), "DIR");
  const std::string suffix = ".spare";
  for (std::size_t at = out.find(suffix); at != std::string::npos; at = out.find(suffix, at + 1)) {
    if (at >= 16 && out.find_first_not_of("0123456789abcdef", at - 16) == at) {
      out.replace(at - 16, 16, "<salt>");
      at -= 10;
    }
  }
  return out;
}

ToolRun run_ok(const std::vector<std::string>& args, int expected_exit = 0) {
  ToolRun run = run_tool(args);
  INFO("seglog " << (args.empty() ? std::string() : args.front()) << " stderr: " << run.err);
  REQUIRE(run.signal == 0);
  CHECK(run.exit_code == expected_exit);
  return run;
}

// Every dumped JSON line is the model's entry, byte for byte.
void expect_dump_matches(const std::vector<json::object>& lines, const test::Model& model,
                         std::uint64_t first, std::uint64_t last) {
  REQUIRE(lines.size() == last - first + 1);
  std::uint64_t index = first;
  for (const json::object& line : lines) {
    INFO("index " << index);
    const LogEntry& want = model.at(index);
    REQUIRE(line.at("index").to_number<std::uint64_t>() == index);
    CHECK(line.at("term").to_number<std::uint64_t>() == want.term);
    CHECK(line.at("type").to_number<std::uint64_t>() == want.type);
    CHECK(line.at("bytes").to_number<std::uint64_t>() == want.data.size());
    CHECK(line.at("checksum").as_string() == "ok");
    CHECK(line.at("payload_hex").as_string() == hex_of(want.data).c_str());
    ++index;
  }
}

}  // namespace

TEST_CASE("stat, dump and verify of the golden directory match their goldens", "[golden]") {
  test::TempDir temp;
  const fs::path dir = temp / "data";
  fs::copy(SEGLOG_GOLDEN_DATA_DIR, dir, fs::copy_options::recursive);
  const fs::path first_segment = dir / "00000000000000000001.seg";

  check_golden("golden_data.stat", stable(run_ok({"stat", dir.string()}).out, dir));
  check_golden("golden_data.verify", stable(run_ok({"verify", dir.string()}).out, dir));
  check_golden("golden_data.dump",
               stable(run_ok({"dump", dir.string(), "--from", "195", "--to", "205"}).out, dir));
  check_golden(
      "golden_data.dump_text",
      stable(run_ok({"dump", dir.string(), "--from", "1", "--to", "3", "--payload", "text"}).out,
             dir));
  check_golden(
      "golden_data.dump_segment",
      stable(run_ok({"dump", "--segment", first_segment.string(), "--payload", "none"}).out, dir));

  SECTION("stat --json says what golden_log.hpp wrote") {
    const json::object stat = parse_object(run_ok({"stat", dir.string(), "--json"}).out);
    const json::object& log = stat.at("log").as_object();
    CHECK(log.at("first_index").to_number<std::uint64_t>() == 1);
    CHECK(log.at("last_index").to_number<std::uint64_t>() == golden::kEntries);
    CHECK(log.at("entries").to_number<std::uint64_t>() == golden::kEntries);
    CHECK(log.at("first_term").to_number<std::uint64_t>() == golden::entry(1).term);
    CHECK(log.at("last_term").to_number<std::uint64_t>() == golden::entry(golden::kEntries).term);
    CHECK(stat.at("segments").as_array().size() == 3);
    CHECK(stat.at("snapshot").at("last_index").to_number<std::uint64_t>() ==
          golden::kSnapshotIndex);
    CHECK(stat.at("snapshot").at("last_term").to_number<std::uint64_t>() == golden::kSnapshotTerm);
    CHECK(stat.at("state").at("voted_for_hex").as_string() == "6e32ff00");
    CHECK(stat.at("state").at("commit_index").to_number<std::uint64_t>() ==
          golden::state().commit_index);
    CHECK(stat.at("cluster").at("members").as_array().size() == 3);
    CHECK(stat.at("lock").at("held").as_bool() == false);
    CHECK(stat.at("problems").as_array().empty());
  }
  SECTION("verify --json: clean, every record checked") {
    const json::object report = parse_object(run_ok({"verify", dir.string(), "--json"}).out);
    CHECK(report.at("clean").as_bool());
    CHECK(report.at("damage").to_number<std::uint64_t>() == 0);
    CHECK(report.at("records").to_number<std::uint64_t>() == golden::kEntries);
    CHECK(report.at("findings").as_array().empty());
  }
  SECTION("dump --json: every entry, byte for byte") {
    const auto lines =
        parse_lines(run_ok({"dump", dir.string(), "--json", "--payload", "hex"}).out);
    test::Model model;
    for (std::uint64_t i = 1; i <= golden::kEntries; ++i) model[i] = golden::entry(i);
    expect_dump_matches(lines, model, 1, golden::kEntries);
  }
}

TEST_CASE("stat, dump and verify of a log closed cleanly match their goldens", "[golden]") {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  LogShape shape;
  shape.seed = 11;
  shape.compact = 120;
  shape.snapshot_at = 119;
  const TestLog log = make_log(dir, shape);
  check_golden("closed.stat", stable(run_ok({"stat", dir.string()}).out, dir));
  check_golden("closed.verify", stable(run_ok({"verify", dir.string()}).out, dir));
  check_golden(
      "closed.dump",
      stable(run_ok({"dump", dir.string(), "--to", "130", "--payload", "base64"}).out, dir));
  const json::object stat = parse_object(run_ok({"stat", "--json", dir.string()}).out);
  CHECK(stat.at("log").at("first_index").to_number<std::uint64_t>() == log.first_index);
  CHECK(stat.at("log").at("last_index").to_number<std::uint64_t>() == log.last_index);
  const auto lines = parse_lines(run_ok({"dump", "--json", "--payload", "hex", dir.string()}).out);
  expect_dump_matches(lines, log.model, log.first_index, log.last_index);
}

TEST_CASE("stat, dump and verify of a log a crash left unsealed match their goldens", "[golden]") {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  LogShape shape;
  shape.seed = 12;
  shape.crash = true;
  shape.unsynced = 7;
  const TestLog log = make_log(dir, shape);
  check_golden("crashed.stat", stable(run_ok({"stat", dir.string()}).out, dir));
  check_golden("crashed.verify", stable(run_ok({"verify", dir.string()}).out, dir));
  check_golden("crashed.dump", stable(run_ok({"dump", dir.string(), "--from", "590"}).out, dir));
  const json::object stat = parse_object(run_ok({"stat", "--json", dir.string()}).out);
  CHECK(stat.at("log").at("last_index").to_number<std::uint64_t>() == log.last_index);
  CHECK(stat.at("segments").as_array().back().at("sealed").as_bool() == false);
  CHECK_FALSE(stat.at("leftovers").as_array().empty());  // the unused spares
  const auto lines = parse_lines(run_ok({"dump", "--json", "--payload", "hex", dir.string()}).out);
  expect_dump_matches(lines, log.model, log.first_index, log.last_index);
  // An empty directory is a valid, empty log.
  fs::create_directory(temp / "empty");
  const json::object empty =
      parse_object(run_ok({"verify", "--json", (temp / "empty").string()}).out);
  CHECK(empty.at("clean").as_bool());
  CHECK(run_ok({"dump", (temp / "empty").string()}).out.empty());
}

TEST_CASE(
    "stat, verify and dump --kv of a restart stopped before its unlinks, with a "
    "key-value store, match their goldens",
    "[golden]") {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  // The store is written beside, then copied in: a writable open of `dir`
  // would remove the restart's leftovers.
  const fs::path kv_dir = temp / "kv";
  {
    auto storage = test::open_or_fail(tool_options(kv_dir));
    auto bytes = [](std::string_view s) {
      std::vector<std::byte> out;
      for (char c : s) out.push_back(static_cast<std::byte>(c));
      return out;
    };
    // hashicorp/raft's uint64 values: 8 bytes, big-endian.
    auto be64 = [](std::uint64_t v) {
      std::vector<std::byte> out(8);
      for (int i = 0; i < 8; ++i) out[7 - i] = static_cast<std::byte>(v >> (8 * i));
      return out;
    };
    const std::vector<std::byte> term10 = be64(10);
    REQUIRE(storage->set_value(bytes("CurrentTerm"), be64(9)));
    REQUIRE(storage->set_value(bytes("LastVoteCand"), bytes("node-2")));
    REQUIRE(storage->set_value(bytes("LastVoteTerm"), term10));
    REQUIRE(storage->set_value(bytes("CurrentTerm"), term10));  // the last record wins
    REQUIRE(storage->set_value(bytes("raw\xff key"), bytes("")));
    REQUIRE(storage->close());
  }
  const Restarted r = make_restarted(dir, 13, 700, 5);
  fs::copy_file(kv_dir / "stable.kv", dir / "stable.kv");
  check_golden("restarted.stat", stable(run_ok({"stat", dir.string()}).out, dir));
  check_golden("restarted.verify", stable(run_ok({"verify", dir.string()}).out, dir));
  check_golden("restarted.dump_kv",
               stable(run_ok({"dump", "--kv", dir.string(), "--payload", "hex"}).out, dir));
  const json::object stat = parse_object(run_ok({"stat", "--json", dir.string()}).out);
  CHECK(stat.at("log").at("first_index").to_number<std::uint64_t>() == 700);
  CHECK(stat.at("log").at("last_index").to_number<std::uint64_t>() == 704);
  CHECK(stat.at("restart").at("discarded_present").to_number<std::uint64_t>() == r.put_back.size());
  CHECK(stat.at("kv").at("keys").to_number<std::uint64_t>() == 4);
  const auto lines = parse_lines(run_ok({"dump", "--json", "--payload", "hex", dir.string()}).out);
  expect_dump_matches(lines, r.model, 700, 704);
}

TEST_CASE("the command line: --help on each subcommand, --version, usage errors", "[cli]") {
  const ToolRun help = run_ok({"--help"});
  for (const char* sub : {"stat", "dump", "verify", "repair"}) {
    CHECK(help.out.find(sub) != std::string::npos);
    const ToolRun sub_help = run_ok({sub, "--help"});
    CHECK(sub_help.out.find("--json") != std::string::npos);
  }
  CHECK(run_ok({"--version"}).out.find("seglog ") == 0);
  CHECK(run_ok({}, 2).err.find("subcommand") != std::string::npos);
  CHECK(run_ok({"frobnicate"}, 2).err.size() > 0);
  CHECK(run_ok({"dump", "x", "--payload", "octal"}, 2).err.find("payload") != std::string::npos);
  CHECK(run_ok({"stat", "/nonexistent/seglog/dir"}, 2).err.find("not a directory") !=
        std::string::npos);
  CHECK(run_ok({"dump", "--segment", "/nonexistent.seg"}, 2).err.size() > 0);
  CHECK(run_ok({"dump", "x", "--kv", "--from", "3"}, 2).err.find("excludes") != std::string::npos);
}

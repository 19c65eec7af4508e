// tool/repair_test.cpp — repair on each kind of damage: afterwards the
// directory opens, verify is clean, every entry before the damage is
// intact, and the quarantine holds exactly what was taken out, byte for
// byte. Also: --dry-run changes nothing, a writer's lock is refused, and
// no terminal without --yes changes nothing.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "format/file_names.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>

#include <functional>
#include <iostream>
#include <map>
#include <random>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

struct Pristine : PristineLog {
  Pristine() : PristineLog(31, 6) {}
};

// Every file of `dir` (not the quarantine) by name.
std::map<std::string, std::vector<std::byte>> snapshot_of(const fs::path& dir) {
  std::map<std::string, std::vector<std::byte>> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().filename().string()] = test::read_file(e.path());
  }
  return out;
}

// Damages a copy, repairs it, and checks the outcome. `intact_to`: every
// entry up to it must read back as written.
void repair_case(const Pristine& p, const std::string& what,
                 const std::function<void(const fs::path&)>& damage, std::uint64_t intact_to) {
  const fs::path work = p.temp / "work";
  fs::remove_all(work);
  test::copy_dir(p.dir, work);
  damage(work);
  const auto before = snapshot_of(work);
  const ToolRun run = run_tool({"repair", "--yes", "--json", work.string()});
  INFO(what << "\nrepair: " << run.out << run.err);
  REQUIRE(run.signal == 0);
  CHECK(run.exit_code == 0);
  const json::object report = parse_object(run.out);
  CHECK(report.at("applied").as_bool());
  CHECK(report.at("after").at("clean").as_bool());
  const fs::path quarantine = report.at("quarantine").as_string().c_str();
  CHECK(fs::exists(quarantine / "README.txt"));
  CHECK(fs::exists(work / "quarantine" / "repair.log"));
  // The quarantine holds exactly what was taken out.
  std::size_t moved = 0;
  for (const json::value& v : report.at("actions").as_array()) {
    const json::object& a = v.as_object();
    const std::string file = a.at("file").as_string().c_str();
    const std::vector<std::byte>& original = before.at(file);
    if (a.at("action").as_string() == "move") {
      CHECK(test::read_file(quarantine / file) == original);
    } else {
      const auto offset = a.at("offset").to_number<std::uint64_t>();
      const auto end = a.at("end").to_number<std::uint64_t>();
      const fs::path bytes =
          quarantine / (file + ".bytes-" + std::to_string(offset) + "-" + std::to_string(end));
      const std::vector<std::byte> expected(original.begin() + static_cast<std::ptrdiff_t>(offset),
                                            original.begin() + static_cast<std::ptrdiff_t>(end));
      CHECK(test::read_file(bytes) == expected);
      // Nothing non-zero was left behind it (the seal trimmed the rest).
      for (std::uint64_t i = end; i < original.size(); ++i) {
        if (original[i] != std::byte{0}) FAIL("non-zero byte " << i << " of " << file << " lost");
      }
    }
    ++moved;
  }
  CHECK(moved > 0);
  // It opens, verifies clean, and the entries before the damage are intact.
  const ToolRun verify = run_tool({"verify", work.string()});
  INFO("verify after repair: " << verify.out);
  CHECK(verify.exit_code == 0);
  expect_entries(work, p.log.model, 1, intact_to);
  fs::remove_all(work);
}

}  // namespace

TEST_CASE("repair after each kind of damage: opens, verifies clean, loses nothing", "[repair]") {
  Pristine p;
  std::mt19937_64 rng(41);
  const std::size_t newest = p.segments.size() - 1;
  const std::size_t middle = 2 + rng() % (p.segments.size() - 3);
  const std::string middle_name = p.name(middle);
  const std::uint64_t before_middle = p.segments[middle].first_index - 1;

  // A torn tail: garbage after the newest segment's records.
  const auto newest_records = test::records_of(p.segments[newest].path);
  const std::uint64_t tail = newest_records.back().offset + newest_records.back().bytes;
  repair_case(
      p, "a torn tail",
      [&](const fs::path& d) {
        test::write_at(d / p.name(newest), tail, test::payload_for(5, 333));
      },
      p.log.last_index);

  // A flipped byte in the newest segment's synced records.
  const auto header = test::read_header(p.segments[newest].path);
  const test::RecordAt* synced = nullptr;
  for (const auto& r : newest_records) {
    if (r.offset + r.bytes <= header.state->synced_end) synced = &r;
  }
  REQUIRE(synced != nullptr);
  repair_case(
      p, "damage in the newest segment's synced records",
      [&](const fs::path& d) {
        test::flip_byte(d / p.name(newest), synced->offset + rng() % synced->bytes);
      },
      synced->index - 1);

  // A flipped byte in a middle sealed segment's records.
  const auto records = test::records_of(p.segments[middle].path);
  const auto& rec = records[rng() % records.size()];
  repair_case(
      p, "damage in a sealed segment's records",
      [&](const fs::path& d) { test::flip_byte(d / middle_name, rec.offset + rng() % rec.bytes); },
      rec.index - 1);

  // A damaged footer: the records are whole, so the footer is rebuilt and
  // nothing of the log is lost, the segments after it included.
  const auto middle_header = test::read_header(p.segments[middle].path);
  repair_case(
      p, "a damaged footer",
      [&](const fs::path& d) {
        test::flip_byte(d / middle_name, middle_header.state->footer_offset + 2);
      },
      p.log.last_index);

  repair_case(
      p, "an unreadable segment header",
      [&](const fs::path& d) { test::flip_byte(d / middle_name, 20); }, before_middle);
  repair_case(
      p, "a missing segment", [&](const fs::path& d) { fs::remove(d / middle_name); },
      before_middle);
  repair_case(
      p, "a damaged snapshot",
      [&](const fs::path& d) { test::flip_byte(d / "snapshot.bin", 5000); }, p.log.last_index);
  repair_case(
      p, "a damaged cluster configuration",
      [&](const fs::path& d) { test::flip_byte(d / "cluster.json", 30); }, p.log.last_index);
}

namespace {

// The header page of `file`: its identity and the current state slot.
struct HeaderPage {
  detail::SegmentIdentity identity;
  detail::SegmentState state;
};
HeaderPage header_page(const fs::path& file) {
  const auto h = test::read_header(file);
  REQUIRE(h.state);
  return {h.identity, *h.state};
}

// Writes `state` into the slot its sequence selects, checksummed with
// `salt`, as a writer would.
void write_state(const fs::path& file, const detail::SegmentState& state, std::uint64_t salt) {
  std::vector<std::byte> slot(detail::kSlotBytes);
  detail::encode_state(slot.data(), state, salt);
  test::write_at(file, detail::next_slot_offset(state.sequence), slot);
}

// The index of the record holding byte `offset` of a segment (or the first
// after it): every entry before it lies before that byte.
std::uint64_t index_at(const fs::path& file, std::uint64_t offset) {
  for (const auto& r : test::records_of(file)) {
    if (r.offset + r.bytes > offset) return r.index;
  }
  FAIL("no record at or after offset " << offset << " of " << file);
  return 0;
}

}  // namespace

TEST_CASE(
    "repair of each damage verify reports and repair fixes: no readable state slot, a sealed "
    "state that disagrees, a sparse point, a zeroed page; an old unsealed segment kept",
    "[repair][kinds]") {
  Pristine p;
  const std::size_t newest = p.segments.size() - 1;
  const std::size_t middle = newest / 2;
  const std::string m = p.name(middle);
  const fs::path pristine_m = p.segments[middle].path;
  const HeaderPage page = header_page(pristine_m);
  std::size_t cases = 0;
  // Each damage below is one verify reports (exit 1) before the repair.
  auto reported = [](const std::function<void(const fs::path&)>& damage) {
    return [damage](const fs::path& d) {
      damage(d);
      const ToolRun verify = run_tool({"verify", d.string()});
      INFO("verify before the repair: " << verify.out);
      CHECK(verify.exit_code == 1);
    };
  };

  // No readable state slot: both of a sealed segment's slots damaged. Open
  // refuses it (not sealed, yet a newer segment exists); the log is cut at
  // the end of its records.
  repair_case(p, "no readable state slot in " + m, reported([&](const fs::path& d) {
                test::flip_byte(d / m, detail::kSlotOffsets[0] + 20);
                test::flip_byte(d / m, detail::kSlotOffsets[1] + 20);
              }),
              page.state.last_index);
  ++cases;

  // The newest (unsealed) segment without a readable slot: its synced end
  // is unknown, every record is whole.
  repair_case(p, "no readable state slot in the newest segment", reported([&](const fs::path& d) {
                test::flip_byte(d / p.name(newest), detail::kSlotOffsets[0] + 20);
                test::flip_byte(d / p.name(newest), detail::kSlotOffsets[1] + 20);
              }),
              p.log.synced_last);
  ++cases;

  // A sealed slot that disagrees with the file: checksummed and in bounds,
  // but one index short of its records. The log is cut where the slot says
  // the records end.
  repair_case(p, "a sealed state slot one index short in " + m, reported([&](const fs::path& d) {
                detail::SegmentState state = page.state;
                ++state.sequence;
                --state.last_index;
                write_state(d / m, state, page.identity.salt);
              }),
              page.state.last_index);
  ++cases;

  // One sparse point of a footer wrong, the footer's checksum right: the
  // footer is rebuilt from the records and nothing is lost.
  REQUIRE(page.state.point_count >= 2);
  repair_case(
      p, "a sparse point of " + m + " off by one index", reported([&](const fs::path& d) {
        const auto bytes = test::read_file(d / m);
        std::vector<detail::SparsePoint> points;
        for (std::uint64_t i = 0; i < page.state.point_count; ++i) {
          points.push_back(detail::footer_point(bytes.data() + page.state.footer_offset, i));
        }
        points[1].index_delta += 1;
        std::vector<std::byte> footer(detail::footer_bytes(points.size()));
        detail::encode_footer(footer.data(), points.data(), points.size(), page.identity.salt);
        test::write_at(d / m, page.state.footer_offset, footer);
      }),
      p.log.last_index);
  ++cases;

  // A zero-filled page in the records of a sealed segment: the log is cut
  // at the first record it touches.
  repair_case(p, "page 2 of " + m + " zeroed", reported([&](const fs::path& d) {
                test::write_at(d / m, 8192, std::vector<std::byte>(4096));
              }),
              index_at(pristine_m, 8192) - 1);
  ++cases;

  // An unsealed segment before a newer one, still at its preallocated
  // size: what versions before issue 12's fix left when a roll's seal
  // never ran. Nothing is damaged: open takes it as it is, and so must
  // repair (it only clears the spares), keeping every synced entry.
  {
    const auto bytes = test::read_file(pristine_m);
    const std::uint64_t older =
        page.state.sequence % 2 == 0 ? detail::kSlotOffsets[1] : detail::kSlotOffsets[0];
    const auto previous = detail::decode_state(bytes.data() + older, page.identity.salt);
    REQUIRE(previous);
    REQUIRE_FALSE(previous->sealed);
    repair_case(
        p, m + " left unsealed before a newer segment",
        [&](const fs::path& d) {
          // The sealed slot never written, no footer, the file untrimmed.
          test::write_at(d / m, detail::next_slot_offset(page.state.sequence),
                         std::vector<std::byte>(detail::kSlotBytes));
          fs::resize_file(d / m, page.state.end_offset);
          fs::resize_file(d / m, page.identity.capacity);
          const ToolRun verify = run_tool({"verify", d.string()});
          INFO(verify.out);
          CHECK(verify.exit_code == 0);
        },
        p.log.last_index);
    ++cases;
  }
  std::cout << "repair of each kind: " << cases << " repairs, each verified clean\n";
}

TEST_CASE("repair --dry-run prints the plan and changes nothing", "[repair]") {
  Pristine p;
  const fs::path work = p.temp / "work";
  test::copy_dir(p.dir, work);
  test::flip_byte(work / p.name(2), 5000);
  const auto before = snapshot_of(work);
  const ToolRun run = run_tool({"repair", "--dry-run", work.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("cut " + p.name(2)) != std::string::npos);
  CHECK(run.out.find("move " + p.name(3)) != std::string::npos);
  CHECK(snapshot_of(work) == before);
  CHECK_FALSE(fs::exists(work / "quarantine"));
  // Without a terminal and without --yes: refused, nothing changed.
  const ToolRun refused = run_tool({"repair", work.string()});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(snapshot_of(work) == before);
}

TEST_CASE("repair refuses a directory a writer has open", "[repair]") {
  test::TempDir temp;
  const fs::path dir = temp / "log";
  LogShape shape;
  make_log(dir, shape);
  auto writer = test::open_or_fail(tool_options(dir));
  for (const char* flag : {"--yes", "--dry-run"}) {
    const ToolRun run = run_tool({"repair", flag, dir.string()});
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("locked") != std::string::npos);
    // The holder is this test process.
    CHECK(run.err.find("process " + std::to_string(::getpid())) != std::string::npos);
  }
  // stat names the holder: this process.
  const json::object stat = parse_object(run_tool({"stat", "--json", dir.string()}).out);
  CHECK(stat.at("lock").at("held").as_bool());
  CHECK(stat.at("lock").at("pid").to_number<std::int64_t>() == ::getpid());
  REQUIRE(writer->close());
}

TEST_CASE(
    "repair after random damage of the other kinds: cut, renamed and duplicate segments, "
    "flipped records, a damaged state file",
    "[repair][random]") {
  Pristine p;
  std::mt19937_64 rng(42);
  const std::uint64_t last = p.log.last_index;
  const std::size_t sealed = p.segments.size() - 1;
  for (int trial = 0; trial < 3; ++trial) {
    // A sealed segment (not the first: the commit index, 20, stays in the
    // log) cut short at a random length.
    const std::size_t k = 1 + rng() % (sealed - 1);
    const std::string name = p.name(k);
    const std::uint64_t length = rng() % fs::file_size(p.segments[k].path);
    std::uint64_t intact_to = p.segments[k].first_index - 1;
    for (const auto& r : test::records_of(p.segments[k].path)) {
      if (r.offset + r.bytes <= length) intact_to = r.index;
    }
    repair_case(
        p, name + " cut to " + std::to_string(length),
        [&](const fs::path& d) { test::shrink_file(d / name, length); }, intact_to);

    // A flipped byte in a random record of a random sealed segment.
    const auto records = test::records_of(p.segments[k].path);
    const auto& rec = records[rng() % records.size()];
    const std::uint64_t at = rec.offset + rng() % rec.bytes;
    repair_case(
        p, name + " byte " + std::to_string(at) + " flipped",
        [&](const fs::path& d) { test::flip_byte(d / name, at, 0x20); }, rec.index - 1);
  }
  const std::size_t k = 1 + rng() % (sealed - 1);
  const std::string name = p.name(k);
  const std::string next_name = detail::segment_name(p.segments[k].first_index + 1);
  repair_case(
      p, "a duplicated segment", [&](const fs::path& d) { fs::copy_file(d / name, d / next_name); },
      last);
  repair_case(
      p, "a renamed segment", [&](const fs::path& d) { fs::rename(d / name, d / next_name); },
      p.segments[k].first_index - 1);
  repair_case(
      p, "a damaged state.json", [&](const fs::path& d) { test::flip_byte(d / "state.json", 40); },
      last);
}

TEST_CASE("repair asks on a terminal: no changes nothing, yes applies", "[repair][terminal]") {
  // script(1) (util-linux, in every Debian) gives the tool a terminal.
  REQUIRE(std::system("command -v script > /dev/null") == 0);
  Pristine p;
  const fs::path work = p.temp / "work";
  test::copy_dir(p.dir, work);
  const auto before = snapshot_of(work);
  const std::string tool = std::getenv("SEGLOG_TOOL");
  const std::string command = "script -qec '" + tool + " repair " + work.string() + "' /dev/null";
  const fs::path transcript = p.temp / "transcript";
  auto answer = [&](const char* reply) {
    const std::string line = "printf '" + std::string(reply) + "\\n' | " + command + " > " +
                             transcript.string() + " 2>&1";
    return std::system(line.c_str());
  };
  answer("n");
  std::string said = std::string(reinterpret_cast<const char*>(test::read_file(transcript).data()),
                                 test::read_file(transcript).size());
  INFO(said);
  CHECK(said.find("apply this plan? [y/N]") != std::string::npos);
  CHECK(said.find("not confirmed") != std::string::npos);
  CHECK(snapshot_of(work) == before);  // the spares stay: nothing changed
  answer("y");
  said = std::string(reinterpret_cast<const char*>(test::read_file(transcript).data()),
                     test::read_file(transcript).size());
  INFO(said);
  CHECK(said.find("verify: clean") != std::string::npos);
  CHECK(fs::exists(work / "quarantine" / "repair.log"));
  CHECK(snapshot_of(work) != before);  // the spares were moved
}

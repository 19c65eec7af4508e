// tool/kv_test.cpp — stable.kv through the tool, model-style: a store
// written through the public API, then, round after round, one random
// damage (a flipped byte, a cut, a torn append, a run of garbage) to a copy.
// verify's verdict ("damage" or not) must agree with the library (get_value
// failing with corrupted or not, on the same bytes); when the library reads
// it, the pairs `dump --kv` lists must be exactly what get_value returns;
// when it does not, repair must keep every key whose newest record the
// damage did not touch, and the store must read again.
#include "tool/test_logs.hpp"
#include "tool/tool_support.hpp"

#include "meta/kv_format.hpp"
#include "support/sanitized.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <random>

using namespace seglog;
using namespace seglog::tooltest;
namespace json = boost::json;

namespace {

using Bytes = std::vector<std::byte>;
using KvModel = std::map<Bytes, Bytes, detail::KvKeyLess>;

Bytes text_bytes(const std::string& s) {
  Bytes out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}

// A store of 14 keys (an empty one and one that is not UTF-8 among them),
// set 90 times with values of 0..3000 bytes: enough to outgrow the first
// 64 KiB file, so it is rewritten, and then appended to again.
KvModel write_store(const fs::path& dir, std::mt19937_64& rng) {
  std::vector<Bytes> keys = {Bytes{}, Bytes{std::byte{0xff}, std::byte{0x00}, std::byte{'k'}}};
  for (int k = 0; k < 12; ++k) keys.push_back(text_bytes("key-" + std::to_string(k)));
  KvModel model;
  auto storage = test::open_or_fail(tool_options(dir));
  for (int set = 0; set < 90; ++set) {
    const Bytes& key = keys[rng() % keys.size()];
    const Bytes value = test::payload_for(rng(), rng() % 3001);
    REQUIRE(storage->set_value(key, value));
    model[key] = value;
  }
  REQUIRE(storage->close());
  return model;
}

// What get_value returns for every key of `model`, or nullopt when the
// library refuses the store (corrupted).
std::optional<KvModel> library_view(const fs::path& dir, const KvModel& model) {
  auto storage = test::open_or_fail(test::read_only(tool_options(dir)));
  KvModel out;
  for (const auto& [key, value] : model) {
    auto got = storage->get_value(key);
    if (!got) {
      CHECK(test::outcome(got) == errc::corrupted);
      return std::nullopt;
    }
    if (*got) out[key] = **got;
  }
  return out;
}

// The pairs `dump --kv --json --payload hex` lists, by hex key.
std::map<std::string, std::string> tool_pairs(const fs::path& dir, int expected_exit) {
  const ToolRun run = run_tool({"dump", "--kv", "--json", "--payload", "hex", dir.string()});
  INFO("dump --kv: " << run.out << run.err);
  REQUIRE(run.signal == 0);
  CHECK(run.exit_code == expected_exit);
  std::map<std::string, std::string> out;
  for (const json::object& line : parse_lines(run.out)) {
    if (line.contains("note")) continue;
    out[line.at("key_hex").as_string().c_str()] = line.at("value_hex").as_string().c_str();
  }
  return out;
}

std::map<std::string, std::string> as_hex(const KvModel& model) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : model) out[hex_of(key)] = hex_of(value);
  return out;
}

struct Damage {
  std::string what;
  std::uint64_t from = 0;  // the bytes it changed (a cut: from the cut on)
  std::uint64_t to = 0;
};

Damage damage_store(Bytes& bytes, const detail::KvImage& image, std::mt19937_64& rng) {
  const std::uint64_t size = bytes.size();
  const std::uint64_t room = size - image.end;  // zeros after the records
  std::uint64_t kind = rng() % 5;
  if ((kind == 1 || kind == 3) && room < 2) kind = 0;
  switch (kind) {
    case 0: {  // a flipped byte among the header and the records
      const std::uint64_t at = rng() % image.end;
      bytes[at] ^= static_cast<std::byte>(1 + rng() % 255);
      return {"flip at " + std::to_string(at), at, at + 1};
    }
    case 1: {  // a flipped byte in the zeros after the records
      const std::uint64_t at = image.end + rng() % room;
      bytes[at] ^= static_cast<std::byte>(1 + rng() % 255);
      return {"flip in the zeros at " + std::to_string(at), at, at + 1};
    }
    case 2: {  // a cut: the file ends early (a lost tail of the file)
      const std::uint64_t at = rng() % image.end;
      bytes.resize(at);
      return {"cut at " + std::to_string(at), at, size};
    }
    case 3: {  // a torn append: a prefix of the record the next set writes
      const Bytes record = detail::encode_kv_record(image.salt, image.end, text_bytes("key-3"),
                                                    test::payload_for(rng(), rng() % 2000));
      const std::uint64_t keep = 1 + rng() % (std::min<std::uint64_t>(record.size(), room) - 1);
      std::copy(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(keep),
                bytes.begin() + static_cast<std::ptrdiff_t>(image.end));
      return {"torn append of " + std::to_string(keep) + " bytes", image.end, image.end + keep};
    }
    default: {  // a run of garbage anywhere after the header
      const std::uint64_t len = 1 + rng() % 64;
      const std::uint64_t at =
          detail::kKvHeaderBytes + rng() % (size - len - detail::kKvHeaderBytes);
      for (std::uint64_t i = at; i < at + len; ++i) bytes[i] = static_cast<std::byte>(rng());
      return {"garbage at " + std::to_string(at) + ".." + std::to_string(at + len), at, at + len};
    }
  }
}

}  // namespace

TEST_CASE(
    "stable.kv: verify agrees with the library on every random damage; dump --kv lists "
    "what get_value returns; repair keeps every untouched key",
    "[kv]") {
  test::TempDir temp;
  const fs::path pristine = temp / "pristine";
  std::mt19937_64 rng(61);
  const KvModel model = write_store(pristine, rng);
  const Bytes original = test::read_file(pristine / "stable.kv");
  auto image = detail::read_kv_image(original, pristine / "stable.kv");
  REQUIRE(image);
  REQUIRE(image->tail == detail::KvTail::zeros);
  // Each key's newest record: a damage that misses it loses nothing of it.
  std::map<Bytes, std::pair<std::uint64_t, std::uint64_t>, detail::KvKeyLess> newest;
  for (const detail::KvRecordView& r : image->records) {
    newest[Bytes(r.key.begin(), r.key.end())] = {r.offset, r.offset + r.bytes};
  }
  REQUIRE(newest.size() == model.size());

  // The undamaged store: stat counts its keys, dump --kv lists them all.
  {
    const json::object stat = parse_object(run_tool({"stat", "--json", pristine.string()}).out);
    CHECK(stat.at("kv").at("keys").to_number<std::uint64_t>() == model.size());
    CHECK(stat.at("kv").at("used_bytes").to_number<std::uint64_t>() == image->end);
    CHECK(stat.at("kv").at("bytes").to_number<std::uint64_t>() == original.size());
    CHECK(tool_pairs(pristine, 0) == as_hex(model));
  }

  std::map<std::string, int> verdicts;  // by verify's word
  int agreed = 0;
  int repaired = 0;
  const fs::path work = temp / "work";
  // Each round runs the tool three or four times: fewer under a sanitizer,
  // whose runtime slows each start (the release stage runs all 160).
  const int rounds = test::kSanitized ? 64 : 160;
  for (int round = 0; round < rounds; ++round) {
    fs::remove_all(work);
    fs::create_directories(work);
    Bytes bytes = original;
    const Damage damage = damage_store(bytes, *image, rng);
    test::write_file(work / "stable.kv", bytes);
    INFO("round " << round << ": " << damage.what);

    const ToolRun verify = run_tool({"verify", "--json", work.string()});
    REQUIRE(verify.signal == 0);
    const json::object report = parse_object(verify.out);
    const bool tool_damage = !findings_of(report, "damage", "kv_file").empty();
    const bool torn = !findings_of(report, "warning", "kv_torn_tail").empty();
    CHECK(verify.exit_code == (tool_damage ? 1 : 0));
    ++verdicts[tool_damage ? "damage" : torn ? "torn tail" : "clean"];

    const std::optional<KvModel> library = library_view(work, model);
    CHECK(tool_damage == !library.has_value());
    if (tool_damage == !library.has_value()) ++agreed;
    if (library) {
      // What the tool lists is what get_value returns, key for key.
      CHECK(tool_pairs(work, 0) == as_hex(*library));
      continue;
    }
    tool_pairs(work, 1);
    if (repaired >= rounds / 5) continue;  // repair (open and verify again) on the first few
    ++repaired;
    const ToolRun repair = run_tool({"repair", "--yes", "--json", work.string()});
    INFO("repair: " << repair.out << repair.err);
    REQUIRE(repair.signal == 0);
    CHECK(repair.exit_code == 0);
    const json::object after = parse_object(repair.out);
    CHECK(after.at("after").at("clean").as_bool());
    const fs::path quarantine = after.at("quarantine").as_string().c_str();
    CHECK(test::read_file(quarantine / "stable.kv") == bytes);  // nothing lost for good
    const std::optional<KvModel> served = library_view(work, model);
    REQUIRE(served.has_value());
    CHECK(tool_pairs(work, 0) == as_hex(*served));
    const bool salt_hit = damage.from < 24 && damage.to > 16;  // no record checks out then
    for (const auto& [key, span] : newest) {
      if (salt_hit || (damage.from < span.second && span.first < damage.to)) continue;
      INFO("key " << hex_of(key) << " at " << span.first << ".." << span.second);
      CHECK(served->contains(key));
      if (served->contains(key)) CHECK(served->at(key) == model.at(key));
    }
  }
  std::cout << "kv: " << rounds << " random damages: verify said";
  for (const auto& [word, n] : verdicts) std::cout << " " << word << " x" << n;
  std::cout << "; the library agreed on " << agreed << "; " << repaired
            << " damaged stores repaired\n";
  CHECK(verdicts["damage"] > 0);
  CHECK(verdicts["torn tail"] > 0);
}

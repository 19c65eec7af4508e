// meta/state_file_test.cpp — state.json: round trips, and every damaged
// file is corrupted, never a wrong state.
#include "meta/state_file.hpp"
#include "meta/canonical_json.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace seglog::test {
namespace {

using detail::load_state;
using detail::store_state;

// state.json whose "state" member is `payload` verbatim, with a correct
// checksum over it: for files that are well formed except in one way.
std::string state_document(std::string_view payload, std::string_view version = "1") {
  return "{\"format\":\"seglog-state\",\"version\":" + std::string(version) +
         ",\"state\":" + std::string(payload) + ",\"xxh3\":\"" + detail::xxh3_hex(payload) +
         "\"}\n";
}

Outcome load_outcome(const std::filesystem::path& dir) { return outcome(load_state(dir)); }

TEST_CASE("load_state without state.json is nullopt") {
  TempDir dir;
  const auto loaded = load_state(dir.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->has_value());
}

TEST_CASE("store_state then load_state returns the same state") {
  const PersistentState state = GENERATE(PersistentState{}, PersistentState{7, "node-2", 41},
                                         PersistentState{UINT64_MAX, "", UINT64_MAX},
                                         PersistentState{3, "nœud-été \"quoted\" back\\slash", 2},
                                         PersistentState{4, "ノード/🚀\t\n\x01\x1f\x7f", 0},
                                         PersistentState{5, std::string("nul\0inside", 10), 1});
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), state))));
  const auto loaded = load_state(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK(**loaded == state);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"state.json"});
}

TEST_CASE("store_state replaces the previous state") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {1, "a", 0}))));
  REQUIRE(is_ok(outcome(store_state(dir.path(), {2, "", 5}))));
  const auto loaded = load_state(dir.path());
  REQUIRE(loaded);
  CHECK(**loaded == PersistentState{2, "", 5});
}

TEST_CASE("state.json is one line of canonical JSON with the checksum of its state") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {7, "n\"2", 41}))));
  const std::string payload = R"({"current_term":7,"voted_for":"n\"2","commit_index":41})";
  CHECK(read_text(dir / "state.json") == state_document(payload));
}

TEST_CASE("a voted_for that is not valid UTF-8 round-trips as voted_for_hex") {
  TempDir dir;
  const std::string vote = GENERATE(std::string("\xff"), std::string("a\xc3"),
                                    std::string("\xed\xa0\x80"), std::string("\xc0\xaf"),
                                    std::string("\xf4\x90\x80\x80"), std::string("\0\xfe\0", 3));
  REQUIRE(is_ok(outcome(store_state(dir.path(), {1, vote, 2}))));
  std::string hex;
  detail::append_hex_bytes(hex, vote);
  CHECK(read_text(dir / "state.json") ==
        state_document(R"({"current_term":1,"voted_for_hex":")" + hex + R"(","commit_index":2})"));
  const auto loaded = load_state(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->voted_for == vote);
}

TEST_CASE("every byte string round-trips as voted_for, in the form its bytes call for") {
  TempDir dir;
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  for (const std::string& vote :
       {all_bytes, std::string("\0", 1), std::string("node\0-1", 7), std::string("valid \xc3\xa9"),
        std::string("\xf0\x9f\x9a\x80"), std::string("\xf0\x9f\x9a")}) {
    REQUIRE(is_ok(outcome(store_state(dir.path(), {9, vote, 8}))));
    const auto loaded = load_state(dir.path());
    REQUIRE(loaded);
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->voted_for == vote);
    const bool hex = read_text(dir / "state.json").find("voted_for_hex") != std::string::npos;
    CHECK(hex == !detail::is_valid_utf8(vote));
  }
}

TEST_CASE("voted_for_hex that is not the canonical form of its vote is corrupted") {
  TempDir dir;
  const std::string payload = GENERATE(
      // valid UTF-8 must be written as voted_for
      std::string(R"({"current_term":1,"voted_for_hex":"6e6f6465","commit_index":2})"),
      std::string(R"({"current_term":1,"voted_for_hex":"","commit_index":2})"),
      // uppercase, odd length, not hex
      std::string(R"({"current_term":1,"voted_for_hex":"FF","commit_index":2})"),
      std::string(R"({"current_term":1,"voted_for_hex":"fff","commit_index":2})"),
      std::string(R"({"current_term":1,"voted_for_hex":"zz","commit_index":2})"),
      // both members, or the hex one as a number
      std::string(R"({"current_term":1,"voted_for":"a","voted_for_hex":"ff","commit_index":2})"),
      std::string(R"({"current_term":1,"voted_for_hex":255,"commit_index":2})"));
  write_text(dir / "state.json", state_document(payload));
  INFO(payload);
  CHECK(load_outcome(dir.path()) == errc::corrupted);
}

TEST_CASE("is_valid_utf8 follows RFC 3629") {
  CHECK(detail::is_valid_utf8(""));
  CHECK(detail::is_valid_utf8(std::string("\0", 1)));
  CHECK(detail::is_valid_utf8("\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"));
  CHECK(detail::is_valid_utf8("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80"));
  for (const char* bad :
       {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
        "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe2\x82",
        "\xe2\x28\xa1", "a\xc3("}) {
    INFO(bad);
    CHECK_FALSE(detail::is_valid_utf8(bad));
  }
}

TEST_CASE("a flipped bit at every offset of state.json is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {12345, "nœud-2 \"x\"", 678}))));
  check_every_variant_corrupted(dir / "state.json", "every bit flipped", flip_bit,
                                [&] { return load_outcome(dir.path()); });
}

TEST_CASE("a flipped bit at every offset of a state.json with voted_for_hex is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {12345, std::string("\xff\0node\x80", 7), 678}))));
  REQUIRE(read_text(dir / "state.json").find("voted_for_hex") != std::string::npos);
  check_every_variant_corrupted(dir / "state.json", "every bit flipped", flip_bit,
                                [&] { return load_outcome(dir.path()); });
}

TEST_CASE("a byte flipped whole at every offset of state.json is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {9, "node-1", 9}))));
  check_every_variant_corrupted(
      dir / "state.json", "every byte inverted",
      [](const std::vector<std::byte>& bytes,
         std::size_t k) -> std::optional<std::vector<std::byte>> {
        if (k >= bytes.size()) return std::nullopt;
        std::vector<std::byte> out = bytes;
        out[k] = ~out[k];
        return out;
      },
      [&] { return load_outcome(dir.path()); });
}

TEST_CASE("state.json truncated to every shorter length is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {12345, "node-2", 678}))));
  check_every_variant_corrupted(dir / "state.json", "every truncation", truncate_to,
                                [&] { return load_outcome(dir.path()); });
}

TEST_CASE("state.json with bytes after the document is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {1, "a", 1}))));
  const std::string good = read_text(dir / "state.json");
  const std::string tail = GENERATE(std::string("x"), std::string(" "), std::string("\n"),
                                    std::string("{}"), std::string(1, '\0'));
  write_text(dir / "state.json", good + tail);
  CHECK(load_outcome(dir.path()) == errc::corrupted);
}

TEST_CASE("state.json of an unknown version is corrupted and says so") {
  TempDir dir;
  const std::string payload = R"({"current_term":1,"voted_for":"","commit_index":0})";
  const std::string version =
      GENERATE(std::string("0"), std::string("2"), std::string("18446744073709551615"));
  write_text(dir / "state.json", state_document(payload, version));
  const auto result = load_outcome(dir.path());
  CHECK(result == errc::corrupted);
  CHECK(result.message.find("unknown version " + version) != std::string::npos);
}

TEST_CASE("state.json with a missing, extra or wrongly typed member is corrupted") {
  TempDir dir;
  const std::string payload =
      GENERATE(std::string(R"({"current_term":1,"voted_for":""})"),
               std::string(R"({"current_term":1,"voted_for":"","commit_index":0,"x":1})"),
               std::string(R"({"current_term":"1","voted_for":"","commit_index":0})"),
               std::string(R"({"current_term":-1,"voted_for":"","commit_index":0})"),
               std::string(R"({"current_term":1.0,"voted_for":"","commit_index":0})"),
               std::string(R"({"current_term":1,"voted_for":null,"commit_index":0})"),
               std::string(R"({"current_term":1,"voted_for":"","commit_index":true})"),
               std::string(R"([1,"",0])"), std::string("null"));
  write_text(dir / "state.json", state_document(payload));
  INFO(payload);
  CHECK(load_outcome(dir.path()) == errc::corrupted);
}

TEST_CASE("state.json with a malformed envelope is corrupted") {
  TempDir dir;
  const std::string payload = R"({"current_term":1,"voted_for":"","commit_index":0})";
  const std::string sum = detail::xxh3_hex(payload);
  const std::string text = GENERATE_COPY(
      std::string(""), std::string("not json"), std::string("[]"),
      "{\"format\":\"seglog-cluster\",\"version\":1,\"state\":" + payload + ",\"xxh3\":\"" + sum +
          "\"}\n",
      "{\"version\":1,\"state\":" + payload + ",\"xxh3\":\"" + sum + "\"}\n",
      "{\"format\":\"seglog-state\",\"state\":" + payload + ",\"xxh3\":\"" + sum + "\"}\n",
      "{\"format\":\"seglog-state\",\"version\":\"1\",\"state\":" + payload + ",\"xxh3\":\"" + sum +
          "\"}\n",
      "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload + "}\n",
      "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload + ",\"xxh3\":\"" + sum +
          "\",\"more\":0}\n",
      "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload + ",\"xxh3\":\"0x" +
          sum.substr(2) + "\"}\n",
      "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload + ",\"xxh3\":\"" + sum +
          "\"}");
  write_text(dir / "state.json", text);
  INFO(text);
  const auto result = load_outcome(dir.path());
  CHECK(result == errc::corrupted);
  CHECK(result.message.find((dir / "state.json").string()) != std::string::npos);
}

TEST_CASE("state.json reformatted with whitespace or reordered is corrupted") {
  TempDir dir;
  const std::string payload = R"({"current_term":1,"voted_for":"","commit_index":0})";
  const std::string sum = detail::xxh3_hex(payload);
  const std::string text =
      GENERATE_COPY("{ \"format\":\"seglog-state\",\"version\":1,\"state\":" + payload +
                        ",\"xxh3\":\"" + sum + "\"}\n",
                    "{\"version\":1,\"format\":\"seglog-state\",\"state\":" + payload +
                        ",\"xxh3\":\"" + sum + "\"}\n",
                    "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload +
                        ",\"xxh3\":\"" + sum + "\"}\r\n",
                    "{\"format\":\"seglog-stat\\u0065\",\"version\":1,\"state\":" + payload +
                        ",\"xxh3\":\"" + sum + "\"}\n");
  write_text(dir / "state.json", text);
  INFO(text);
  const auto result = load_outcome(dir.path());
  CHECK(result == errc::corrupted);
}

TEST_CASE("state.json whose state disagrees with its checksum is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_state(dir.path(), {5, "a", 5}))));
  std::string text = read_text(dir / "state.json");
  text.replace(text.find("\"current_term\":5"), 16, "\"current_term\":6");
  write_text(dir / "state.json", text);
  const auto result = load_outcome(dir.path());
  CHECK(result == errc::corrupted);
  CHECK(result.message.find("checksum mismatch") != std::string::npos);
}

TEST_CASE("load_state of a state.json that is a directory is io_error") {
  TempDir dir;
  std::filesystem::create_directory(dir / "state.json");
  CHECK(load_outcome(dir.path()) == errc::io_error);
}

}  // namespace
}  // namespace seglog::test

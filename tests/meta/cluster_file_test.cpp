// meta/cluster_file_test.cpp — cluster.json: round trips, and every damaged
// file is corrupted, never a wrong configuration.
#include "meta/cluster_file.hpp"
#include "meta/canonical_json.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace seglog::test {
namespace {

using detail::load_cluster_config;
using detail::store_cluster_config;

std::string cluster_document(std::string_view payload) {
  return "{\"format\":\"seglog-cluster\",\"version\":1,\"cluster\":" + std::string(payload) +
         ",\"xxh3\":\"" + detail::xxh3_hex(payload) + "\"}\n";
}

Outcome load_outcome(const std::filesystem::path& dir) { return outcome(load_cluster_config(dir)); }

ClusterConfig three_nodes() {
  return ClusterConfig{12,
                       3,
                       {{"n1", "10.0.0.1:7000", true},
                        {"nœud-2 \"two\"", "[fe80::1]:7000", true},
                        {"ノード3\\", "host-3.example:7000", false}}};
}

TEST_CASE("load_cluster_config without cluster.json is nullopt") {
  TempDir dir;
  const auto loaded = load_cluster_config(dir.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->has_value());
}

TEST_CASE("store_cluster_config then load_cluster_config returns the same config") {
  const ClusterConfig config = GENERATE(
      ClusterConfig{}, three_nodes(), ClusterConfig{UINT64_MAX, UINT64_MAX, {{"", "", false}}},
      ClusterConfig{1, 1, {{"a\x01\x1f\"\\/", "\xe2\x82\xac\xf0\x9f\x98\x80", true}}});
  TempDir dir;
  REQUIRE(is_ok(outcome(store_cluster_config(dir.path(), config))));
  const auto loaded = load_cluster_config(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK(**loaded == config);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"cluster.json"});
}

TEST_CASE("a configuration with a thousand members round trips") {
  ClusterConfig config{100, 9, {}};
  for (int i = 0; i < 1000; ++i) {
    config.members.push_back(
        {"node-" + std::to_string(i),
         "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":7000", i % 3 != 0});
  }
  TempDir dir;
  REQUIRE(is_ok(outcome(store_cluster_config(dir.path(), config))));
  const auto loaded = load_cluster_config(dir.path());
  REQUIRE(loaded);
  CHECK(**loaded == config);
}

TEST_CASE("cluster.json lists members in order as canonical JSON") {
  TempDir dir;
  REQUIRE(is_ok(outcome(
      store_cluster_config(dir.path(), {4, 2, {{"b", "h:1", true}, {"a", "h:2", false}}}))));
  const std::string payload =
      R"({"index":4,"term":2,"members":[{"id":"b","address":"h:1","voter":true},)"
      R"({"id":"a","address":"h:2","voter":false}]})";
  CHECK(read_text(dir / "cluster.json") == cluster_document(payload));
}

TEST_CASE("store_cluster_config refuses an id or address that is not valid UTF-8") {
  TempDir dir;
  CHECK(outcome(store_cluster_config(dir.path(), {1, 1, {{"\xfe", "a", true}}})) ==
        errc::invalid_argument);
  CHECK(outcome(store_cluster_config(dir.path(), {1, 1, {{"a", "b\x80", true}}})) ==
        errc::invalid_argument);
  CHECK(names_in(dir.path()).empty());
}

TEST_CASE("a flipped bit at every offset of cluster.json is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_cluster_config(dir.path(), three_nodes()))));
  check_every_variant_corrupted(dir / "cluster.json", "every bit flipped", flip_bit,
                                [&] { return load_outcome(dir.path()); });
}

TEST_CASE("cluster.json truncated to every shorter length is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_cluster_config(dir.path(), three_nodes()))));
  check_every_variant_corrupted(dir / "cluster.json", "every truncation", truncate_to,
                                [&] { return load_outcome(dir.path()); });
}

TEST_CASE("cluster.json with bytes after the document is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_cluster_config(dir.path(), three_nodes()))));
  write_text(dir / "cluster.json", read_text(dir / "cluster.json") + "]");
  CHECK(load_outcome(dir.path()) == errc::corrupted);
}

TEST_CASE("cluster.json with a malformed member is corrupted") {
  TempDir dir;
  const std::string payload = GENERATE(
      std::string(R"({"index":1,"term":1})"), std::string(R"({"index":1,"term":1,"members":{}})"),
      std::string(R"({"index":1,"term":1,"members":[1]})"),
      std::string(R"({"index":1,"term":1,"members":[{"id":"a","address":"b"}]})"),
      std::string(R"({"index":1,"term":1,"members":[{"id":"a","address":"b","voter":1}]})"),
      std::string(R"({"index":1,"term":1,"members":[{"id":1,"address":"b","voter":true}]})"),
      std::string(
          R"({"index":1,"term":1,"members":[{"id":"a","address":"b","voter":true,"x":0}]})"),
      std::string(R"({"index":-1,"term":1,"members":[]})"));
  write_text(dir / "cluster.json", cluster_document(payload));
  INFO(payload);
  const auto result = load_outcome(dir.path());
  CHECK(result == errc::corrupted);
  CHECK(result.message.find("cluster.json") != std::string::npos);
}

TEST_CASE("a state.json renamed to cluster.json is corrupted") {
  TempDir dir;
  const std::string payload = R"({"current_term":1,"voted_for":"","commit_index":0})";
  write_text(dir / "cluster.json",
             "{\"format\":\"seglog-state\",\"version\":1,\"state\":" + payload + ",\"xxh3\":\"" +
                 detail::xxh3_hex(payload) + "\"}\n");
  CHECK(load_outcome(dir.path()) == errc::corrupted);
}

}  // namespace
}  // namespace seglog::test

// meta/format_doc_test.cpp — docs/format-meta.md shows the files exactly as
// the code writes them: each example block marked `<!-- example: NAME -->`
// is regenerated here and compared, so the doc cannot drift.
#include "meta/cluster_file.hpp"
#include "meta/meta_support.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/state_file.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

namespace seglog::test {
namespace {

// The fenced block that follows `<!-- example: name -->` in the doc.
std::string doc_example(const std::string& name) {
  const std::string doc = read_text(SEGLOG_FORMAT_META_DOC);
  const std::string marker = "<!-- example: " + name + " -->\n";
  const std::size_t at = doc.find(marker);
  if (at == std::string::npos) return "(no example \"" + name + "\" in the doc)";
  const std::size_t fence = doc.find("```", at + marker.size());
  const std::size_t begin = doc.find('\n', fence) + 1;
  const std::size_t end = doc.find("\n```", begin);
  return doc.substr(begin, end + 1 - begin);
}

// `hexdump -C` of `bytes`: 16 bytes a line, runs of identical lines as "*".
std::string hexdump_c(const std::vector<std::byte>& bytes) {
  std::string out;
  std::string previous;
  bool starred = false;
  for (std::size_t line = 0; line < bytes.size(); line += 16) {
    const std::size_t n = std::min<std::size_t>(16, bytes.size() - line);
    const std::string content(reinterpret_cast<const char*>(bytes.data()) + line, n);
    if (n == 16 && content == previous) {
      if (!starred) out += "*\n";
      starred = true;
      continue;
    }
    starred = false;
    previous = content;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%08zx  ", line);
    out += buffer;
    std::string ascii;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i < n) {
        const auto c = static_cast<unsigned char>(content[i]);
        std::snprintf(buffer, sizeof buffer, "%02x ", c);
        out += buffer;
        ascii += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
      } else {
        out += "   ";
      }
      if (i == 7) out += ' ';
    }
    out += " |" + ascii + "|\n";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%08zx\n", bytes.size());
  return out + buffer;
}

// Compares and, on a difference, prints the block the doc should hold.
void check_doc_block(const std::string& name, const std::string& actual) {
  const std::string documented = doc_example(name);
  if (documented != actual) {
    std::cout << "docs/format-meta.md, example " << name << ", should read:\n" << actual;
  }
  CHECK(documented == actual);
}

TEST_CASE("the state.json example in the format doc is what store_state writes") {
  TempDir dir;
  REQUIRE(is_ok(outcome(detail::store_state(dir.path(), {5, "node-2", 41}))));
  check_doc_block("state.json", read_text(dir / "state.json"));
}

TEST_CASE("the state.json example with a vote that is not UTF-8 is what store_state writes") {
  TempDir dir;
  const std::string vote("n2\xff\0", 4);
  REQUIRE(is_ok(outcome(detail::store_state(dir.path(), {6, vote, 41}))));
  check_doc_block("state.json, voted_for_hex", read_text(dir / "state.json"));
}

TEST_CASE("the cluster.json example in the format doc is what store_cluster_config writes") {
  TempDir dir;
  const ClusterConfig config{12,
                             3,
                             {{"node-1", "10.0.0.1:7000", true},
                              {"nœud-2 \"b\"", "[fe80::2]:7000", true},
                              {"node-3", "10.0.0.3:7000", false}}};
  REQUIRE(is_ok(outcome(detail::store_cluster_config(dir.path(), config))));
  check_doc_block("cluster.json", read_text(dir / "cluster.json"));
}

TEST_CASE("the snapshot.bin hexdump in the format doc is what store_snapshot writes") {
  TempDir dir;
  const std::string data = "hello, snapshot\n";
  REQUIRE(is_ok(outcome(detail::store_snapshot(dir.path(), bytes_of(data), 42, 7, {}, {}))));
  check_doc_block("snapshot.bin", hexdump_c(read_file(dir / "snapshot.bin")));
}

TEST_CASE(
    "the version 2 snapshot.bin hexdump (with metadata) in the format doc is what store_snapshot "
    "writes") {
  TempDir dir;
  const std::string data = "hello, snapshot\n";
  const std::string metadata = "{\"version\":1,\"id\":\"3-42-1700\"}";
  REQUIRE(is_ok(
      outcome(detail::store_snapshot(dir.path(), bytes_of(data), 42, 7, bytes_of(metadata), {}))));
  check_doc_block("snapshot.bin v2", hexdump_c(read_file(dir / "snapshot.bin")));
}

}  // namespace
}  // namespace seglog::test

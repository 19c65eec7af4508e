// log/segment_doc_test.cpp — docs/format.md's annotated segment ("Example:
// a small segment, annotated") is the file the code writes: the example's
// program runs here, and every `$ xxd -g 1 -s OFFSET -l LENGTH` block of the
// doc is regenerated from its segment file and compared, so the doc cannot
// drift from the code.
//
// The salt is random per file and seeds every checksum but the identity's
// (which covers it), so the file is re-salted first: its identity, state
// slots, records and footer are re-encoded with the doc's salt by the
// format's own encoders. That also checks the doc's checksums.
#include <seglog/seglog.hpp>

#include "format/checksum.hpp"
#include "format/endian.hpp"
#include "format/record.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"
#include "support/entries.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace seglog::detail;

// The salt the doc shows (identity bytes 0x18-0x1f).
constexpr std::uint64_t kDocSalt = 0x5d776521ad96a4eeull;
constexpr const char* kSegmentName = "00000000000000000001.seg";

std::string read_doc() {
  std::ifstream in(SEGLOG_FORMAT_DOC);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

// The doc's example, as its code block shows it.
std::vector<std::byte> write_example_segment(const std::filesystem::path& dir) {
  seglog::Options o;
  o.dir = dir;
  o.segment_size = 64 * 1024;
  auto opened = seglog::SegmentedStorage::open(o);
  REQUIRE(opened);
  auto s = std::move(*opened);
  std::vector<seglog::LogEntry> batch(2);
  batch[0] = {1, 3, 0, bytes_of("hello")};
  batch[1] = {2, 3, 1, {}};
  REQUIRE(s->append_entries(batch));
  REQUIRE(s->close());
  return seglog::test::read_file(dir / kSegmentName);
}

// Re-encodes every salted structure of the segment with `salt`.
void resalt(std::vector<std::byte>& file, std::uint64_t salt) {
  auto identity = decode_identity(file.data());
  REQUIRE(identity);
  const std::uint64_t old_salt = identity->salt;
  identity->salt = salt;
  encode_identity(file.data(), *identity);

  std::optional<SegmentState> current;
  for (std::uint64_t offset : kSlotOffsets) {
    if (auto state = decode_state(file.data() + offset, old_salt)) {
      encode_state(file.data() + offset, *state, salt);
      if (!current || state->sequence > current->sequence) current = state;
    }
  }
  REQUIRE(current);
  REQUIRE(current->sealed);

  const ChecksumKey old_key(old_salt);
  std::uint64_t pos = kSegmentHeaderBytes;
  while (pos < current->end_offset) {
    DecodedRecord record;
    REQUIRE(decode_record(file.data() + pos, current->end_offset - pos, old_key, true, record) ==
            RecordStatus::ok);
    const std::vector<std::byte> payload(record.payload.begin(), record.payload.end());
    encode_record(file.data() + pos, salt, record.fields, payload);
    pos += record.bytes;
  }

  std::byte* footer = file.data() + current->footer_offset;
  REQUIRE(footer_valid(footer, current->point_count, old_salt));
  const std::uint64_t points_bytes = current->point_count * sizeof(SparsePoint);
  store_le<std::uint64_t>(footer + points_bytes, checksum(footer, points_bytes, salt));
}

// `xxd -g 1 -s offset -l length` of `file` (as named in the doc).
std::string xxd(const std::vector<std::byte>& file, std::uint64_t offset, std::uint64_t length) {
  std::string out;
  const std::uint64_t end = std::min<std::uint64_t>(file.size(), offset + length);
  for (std::uint64_t line = offset; line < end; line += 16) {
    const std::uint64_t n = std::min<std::uint64_t>(16, end - line);
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%08llx: ", static_cast<unsigned long long>(line));
    std::string hex = buffer;
    std::string ascii;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(file[line + i]);
      std::snprintf(buffer, sizeof buffer, i + 1 < n ? "%02x " : "%02x", c);
      hex += buffer;
      ascii += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    hex.resize(10 + 47, ' ');
    out += hex + "  " + ascii + "\n";
  }
  return out;
}

struct DocBlock {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string command;
  std::string shown;  // the lines after the command, up to the fence
};

// Every fenced block of the doc that starts with an xxd of the example file.
std::vector<DocBlock> xxd_blocks(const std::string& doc) {
  std::vector<DocBlock> blocks;
  const std::string prefix = "$ xxd -g 1 -s ";
  for (std::size_t at = doc.find(prefix); at != std::string::npos; at = doc.find(prefix, at + 1)) {
    DocBlock block;
    const std::size_t eol = doc.find('\n', at);
    block.command = doc.substr(at, eol - at);
    unsigned long long offset = 0;
    unsigned long long length = 0;
    char name[64] = {};
    REQUIRE(std::sscanf(block.command.c_str(), "$ xxd -g 1 -s %llu -l %llu %63s", &offset, &length,
                        name) == 3);
    REQUIRE(std::string(name) == kSegmentName);
    block.offset = offset;
    block.length = length;
    const std::size_t fence = doc.find("```", eol);
    block.shown = doc.substr(eol + 1, fence - eol - 1);
    blocks.push_back(block);
  }
  return blocks;
}

}  // namespace

TEST_CASE("format.md's annotated segment is byte for byte what the code writes",
          "[log][format][doc]") {
  seglog::test::TempDir dir;
  std::vector<std::byte> file = write_example_segment(dir.path());
  // The doc's sizes: 4096 header bytes, two records (40 + 32), a footer of
  // one point (8 + 8).
  CHECK(file.size() == 4184);
  resalt(file, kDocSalt);

  const std::vector<DocBlock> blocks = xxd_blocks(read_doc());
  CHECK(blocks.size() == 5);
  for (const DocBlock& block : blocks) {
    INFO(block.command << "\nregenerated:\n" << xxd(file, block.offset, block.length));
    CHECK(xxd(file, block.offset, block.length) == block.shown);
  }
}

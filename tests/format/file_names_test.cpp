// file_names_test.cpp — format/file_names.hpp: segment names that sort by
// index, and recognising temporary files (docs/format.md, "Directory").
#include "format/file_names.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace seglog::detail;

TEST_CASE("segment_name is the first index in 20 zero-padded digits plus .seg",
          "[format][file_names]") {
  CHECK(segment_name(0) == "00000000000000000000.seg");
  CHECK(segment_name(1) == "00000000000000000001.seg");
  CHECK(segment_name(42) == "00000000000000000042.seg");
  CHECK(segment_name(UINT64_MAX) == "18446744073709551615.seg");
}

TEST_CASE("parse_segment_name inverts segment_name", "[format][file_names]") {
  const std::uint64_t index = GENERATE(0ull, 1ull, 9ull, 10ull, 4096ull, 1'000'000'007ull,
                                       (1ull << 32) + 1, UINT64_MAX - 1, UINT64_MAX);
  INFO("index " << index);
  CHECK(parse_segment_name(segment_name(index)) == index);
}

TEST_CASE("segment names sort in index order", "[format][file_names]") {
  std::vector<std::uint64_t> indices = {UINT64_MAX, 10, 2, 100, 1, 99'999, 1ull << 40};
  std::vector<std::string> names;
  for (auto i : indices) names.push_back(segment_name(i));
  std::sort(indices.begin(), indices.end());
  std::sort(names.begin(), names.end());
  for (std::size_t k = 0; k < names.size(); ++k) CHECK(parse_segment_name(names[k]) == indices[k]);
}

TEST_CASE("parse_segment_name rejects names of the wrong length", "[format][file_names]") {
  CHECK_FALSE(parse_segment_name("0000000000000000001.seg"));    // 19 digits
  CHECK_FALSE(parse_segment_name("000000000000000000001.seg"));  // 21 digits
  CHECK_FALSE(parse_segment_name("1.seg"));
  CHECK_FALSE(parse_segment_name(".seg"));
  CHECK_FALSE(parse_segment_name(""));
  CHECK_FALSE(parse_segment_name("00000000000000000001"));
}

TEST_CASE("parse_segment_name rejects other suffixes", "[format][file_names]") {
  CHECK_FALSE(parse_segment_name("00000000000000000001.SEG"));
  CHECK_FALSE(parse_segment_name("00000000000000000001.sef"));
  CHECK_FALSE(parse_segment_name("00000000000000000001xseg"));
  CHECK_FALSE(parse_segment_name("00000000000000000001.seg.tmp"));
  CHECK_FALSE(parse_segment_name("0000000000000000001.seg "));
}

TEST_CASE("parse_segment_name rejects anything but digits", "[format][file_names]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "0000000000000000000a.seg", "a0000000000000000000.seg",
               " 0000000000000000001.seg", "+0000000000000000001.seg", "-0000000000000000001.seg",
               "0000000000x0000000001.seg", "000000000000000000/1.seg", "0000000000000000000:.seg");
  INFO(bad);
  CHECK_FALSE(parse_segment_name(bad));
}

TEST_CASE("parse_segment_name rejects values that overflow 64 bits", "[format][file_names]") {
  CHECK(parse_segment_name("18446744073709551615.seg") == UINT64_MAX);
  CHECK_FALSE(parse_segment_name("18446744073709551616.seg"));
  CHECK_FALSE(parse_segment_name("18446744073709551620.seg"));
  CHECK_FALSE(parse_segment_name("20000000000000000000.seg"));
  CHECK_FALSE(parse_segment_name("99999999999999999999.seg"));
}

TEST_CASE("is_temp_name recognises the .tmp suffix only", "[format][file_names]") {
  CHECK(is_temp_name("00000000000000000001.seg.tmp"));
  CHECK(is_temp_name("state.json.tmp"));
  CHECK(is_temp_name("x.tmp"));
  CHECK_FALSE(is_temp_name("00000000000000000001.seg"));
  CHECK_FALSE(is_temp_name("x.tmp.seg"));
  CHECK_FALSE(is_temp_name("x.TMP"));
  CHECK_FALSE(is_temp_name("tmp"));
  CHECK_FALSE(is_temp_name(""));
}

// meta/kv_file_test.cpp — stable.kv: round trips, last record wins, the
// rewrite when the preallocated space is used up, a randomized model
// against std::map across reopens, a torn last record at every length (cut,
// the older value kept), and damage in durable records (corrupted).
#include "meta/kv_file.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <seglog/storage.hpp>

#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <random>
#include <string>

namespace seglog::test {
namespace {

using detail::KvFile;
using Bytes = std::vector<std::byte>;

Bytes bytes(std::string_view text) {
  const auto span = bytes_of(text);
  return Bytes(span.begin(), span.end());
}

KvFile open_kv(const TempDir& dir, bool writable = true) {
  auto kv = KvFile::open(dir.path(), writable);
  REQUIRE(kv);
  return std::move(*kv);
}

TEST_CASE("stable.kv: set then get, across a reopen; a missing key is nullopt") {
  TempDir dir;
  KvFile kv = open_kv(dir);
  CHECK_FALSE(kv.get(bytes("CurrentTerm")).has_value());
  CHECK_FALSE(std::filesystem::exists(dir / "stable.kv"));  // created by the first set
  REQUIRE(kv.set(bytes("CurrentTerm"), bytes("\x05")));
  REQUIRE(kv.set(bytes("LastVoteCand"), bytes("10.0.0.1:7000")));
  REQUIRE(kv.set(bytes("CurrentTerm"), bytes("\x06")));  // the last record wins
  REQUIRE(kv.set({}, {}));                               // empty key, empty value
  for (int round = 0; round < 2; ++round) {
    CHECK(kv.get(bytes("CurrentTerm")) == bytes("\x06"));
    CHECK(kv.get(bytes("LastVoteCand")) == bytes("10.0.0.1:7000"));
    CHECK(kv.get({}) == Bytes{});
    CHECK_FALSE(kv.get(bytes("LastVoteTerm")).has_value());
    kv = open_kv(dir);
  }
}

TEST_CASE("stable.kv: a randomized model against std::map across reopens") {
  TempDir dir;
  std::map<Bytes, Bytes, seglog::detail::KvKeyLess> model;
  std::mt19937_64 random(17);
  KvFile kv = open_kv(dir);
  std::uint64_t rewrites = 0, reopens = 0;
  for (int step = 0; step < 4000; ++step) {
    Bytes key(random() % 4 == 0 ? random() % 40 : random() % 8);
    for (auto& b : key) b = static_cast<std::byte>('a' + random() % 3);
    Bytes value(random() % 16 == 0 ? random() % 3000 : random() % 24);
    for (auto& b : value) b = static_cast<std::byte>(random());
    INFO("step " << step);
    REQUIRE(kv.set(key, value));
    model[key] = value;
    if (random() % 100 == 0) {
      rewrites += kv.rewrites();
      kv = open_kv(dir);
      ++reopens;
      for (const auto& [k, v] : model) REQUIRE(kv.get(k) == v);
    }
    CHECK(kv.get(key) == value);
  }
  rewrites += kv.rewrites();
  kv = open_kv(dir);
  for (const auto& [k, v] : model) REQUIRE(kv.get(k) == v);
  std::cout << "stable.kv model: 4000 sets, " << model.size() << " keys, " << rewrites
            << " rewrites, " << reopens << " reopens\n";
  CHECK(rewrites > 1);
  CHECK(reopens > 10);
}

TEST_CASE("stable.kv: a rewrite keeps every key and starts a file whose tail is zeros") {
  TempDir dir;
  KvFile kv = open_kv(dir);
  const Bytes big(60000, std::byte{7});
  REQUIRE(kv.set(bytes("a"), bytes("1")));
  REQUIRE(kv.set(bytes("big"), big));
  REQUIRE(kv.set(bytes("big"), big));  // does not fit in 64 KiB: a rewrite
  CHECK(kv.rewrites() >= 2);
  kv = open_kv(dir);
  CHECK(kv.get(bytes("a")) == bytes("1"));
  CHECK(kv.get(bytes("big")) == big);
  const auto file = read_file(dir / "stable.kv");
  CHECK(file.size() == kv.capacity());
  CHECK(std::all_of(file.begin() + static_cast<std::ptrdiff_t>(kv.end()), file.end(),
                    [](std::byte b) { return b == std::byte{0}; }));
}

// A store whose last set is the record at [last_at, end).
struct Prepared {
  std::uint64_t last_at = 0;
  std::uint64_t end = 0;
};
Prepared prepare(const TempDir& dir) {
  KvFile kv = open_kv(dir);
  REQUIRE(kv.set(bytes("CurrentTerm"), bytes("old")));
  REQUIRE(kv.set(bytes("LastVoteCand"), bytes("n1")));
  const std::uint64_t last_at = kv.end();
  REQUIRE(kv.set(bytes("CurrentTerm"), bytes("new term, a longer value")));
  return {last_at, kv.end()};
}

TEST_CASE("stable.kv: the last record torn at every length opens to the old value, tail zeroed") {
  TempDir dir;
  const Prepared p = prepare(dir);
  const auto whole = read_file(dir / "stable.kv");
  int torn = 0;
  for (std::uint64_t keep = 0; keep < p.end - p.last_at; ++keep) {
    // The record's first `keep` bytes reached the disk, then garbage that
    // an interrupted write may leave (the rest of the sector).
    auto file = whole;
    for (std::uint64_t i = p.last_at + keep; i < p.end; ++i) file[i] = std::byte{0xA5};
    write_file(dir / "stable.kv", file);
    INFO("torn after " << keep << " bytes");
    KvFile kv = open_kv(dir);
    CHECK(kv.torn_tail_cut());
    CHECK(kv.get(bytes("CurrentTerm")) == bytes("old"));
    CHECK(kv.get(bytes("LastVoteCand")) == bytes("n1"));
    CHECK(kv.end() == p.last_at);
    const auto after = read_file(dir / "stable.kv");
    CHECK(std::all_of(after.begin() + static_cast<std::ptrdiff_t>(p.last_at), after.end(),
                      [](std::byte b) { return b == std::byte{0}; }));
    ++torn;
  }
  std::cout << "stable.kv torn tails: " << torn << " lengths, each cut to the old value\n";
  CHECK(torn > 16);
}

TEST_CASE("stable.kv: a flipped bit anywhere is either the torn last record or corrupted") {
  TempDir dir;
  const Prepared p = prepare(dir);
  std::size_t tried = 0, cut = 0, refused = 0;
  const auto whole = read_file(dir / "stable.kv");
  for (std::uint64_t at = 0; at < p.end; ++at) {
    auto file = whole;
    file[at] ^= std::byte{1} << (at % 8);
    write_file(dir / "stable.kv", file);
    INFO("bit " << at % 8 << " of byte " << at);
    ++tried;
    auto kv = KvFile::open(dir.path(), false);
    if (at >= p.last_at) {
      // The last record: as if torn, the older value (never a wrong one).
      REQUIRE(kv);
      CHECK(kv->get(bytes("CurrentTerm")) == bytes("old"));
      ++cut;
    } else {
      CHECK(outcome(kv) == errc::corrupted);
      ++refused;
    }
  }
  std::cout << "stable.kv bit flips: " << tried << " tried, " << cut << " read as a torn tail, "
            << refused << " corrupted\n";
  CHECK(refused > 0);
  CHECK(cut > 0);
}

TEST_CASE("stable.kv: bytes after the end that are not a torn record are corrupted") {
  TempDir dir;
  KvFile kv = open_kv(dir);
  REQUIRE(kv.set(bytes("big"), Bytes(40000, std::byte{3})));
  // The first set sized the file at four times its live bytes: 160 KiB.
  REQUIRE(kv.set(bytes("big"), Bytes(40000, std::byte{4})));
  const std::uint64_t end = kv.end();
  auto file = read_file(dir / "stable.kv");
  REQUIRE(file.size() > end + detail::kv_record_bytes(kMaxKvKeyBytes, kMaxKvValueBytes));
  // Far beyond any one record's reach of the end: not an interrupted set.
  file.back() = std::byte{1};
  write_file(dir / "stable.kv", file);
  CHECK(outcome(KvFile::open(dir.path(), true)) == errc::corrupted);
}

}  // namespace
}  // namespace seglog::test

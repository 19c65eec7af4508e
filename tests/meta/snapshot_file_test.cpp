// meta/snapshot_file_test.cpp — snapshot.bin: store and load, the header
// layout, and every damaged header or data byte is corrupted.
#include "meta/snapshot_file.hpp"
#include "meta/meta_support.hpp"
#include "meta/snapshot_header.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <xxhash.h>

#include <cstdint>
#include <string>

namespace seglog::test {
namespace {

using detail::kSnapshotHeaderBytes;
using detail::load_snapshot;
using detail::open_snapshot;
using detail::read_snapshot_meta;
using detail::store_snapshot;

Status store(const TempDir& dir, const std::vector<std::byte>& data, std::uint64_t last_index = 10,
             std::uint64_t last_term = 2) {
  return store_snapshot(dir.path(), data, last_index, last_term, {}, {});
}

TEST_CASE("a directory without snapshot.bin has no snapshot") {
  TempDir dir;
  CHECK(outcome(open_snapshot(dir.path())) == errc::not_found);
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK_FALSE(loaded->has_value());
  const auto meta = read_snapshot_meta(dir.path());
  REQUIRE(meta);
  CHECK_FALSE(meta->has_value());
}

TEST_CASE("store_snapshot then load_snapshot returns the same data and meta") {
  const std::size_t size = GENERATE(0u, 1u, 4095u, 4096u, 4097u, 300000u);
  TempDir dir;
  const std::vector<std::byte> data = payload_for(size, size);
  REQUIRE(is_ok(outcome(store(dir, data, 100, 7))));
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->meta == SnapshotMeta{100, 7, size});
  CHECK((*loaded)->data == data);
  const auto meta = read_snapshot_meta(dir.path());
  REQUIRE(meta);
  CHECK(**meta == SnapshotMeta{100, 7, size});
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
}

TEST_CASE("snapshot.bin is a 4096-byte header followed by the data") {
  TempDir dir;
  const std::vector<std::byte> data = payload_for(1, 1000);
  REQUIRE(is_ok(outcome(store(dir, data, 0x0102030405060708ull, 0x1112131415161718ull))));
  const std::vector<std::byte> file = read_file(dir / "snapshot.bin");
  REQUIRE(file.size() == kSnapshotHeaderBytes + data.size());
  CHECK(std::vector<std::byte>(file.begin() + kSnapshotHeaderBytes, file.end()) == data);
  const auto u64_at = [&](std::size_t offset) {
    std::uint64_t value = 0;
    for (std::size_t i = 8; i-- > 0;)
      value = value << 8 | std::to_integer<std::uint64_t>(file[offset + i]);
    return value;
  };
  CHECK(read_text(dir / "snapshot.bin").substr(0, 8) == "SEGLSNAP");
  CHECK((u64_at(8) & 0xFFFFFFFF) == 1);            // format version
  CHECK(u64_at(8) >> 32 == kSnapshotHeaderBytes);  // header_bytes
  CHECK(u64_at(16) == 0x0102030405060708ull);
  CHECK(u64_at(24) == 0x1112131415161718ull);
  CHECK(u64_at(32) == data.size());
  CHECK(u64_at(40) == XXH3_64bits(data.data(), data.size()));
  CHECK(u64_at(48) == XXH3_64bits(file.data(), 48));
  for (std::size_t i = 56; i < kSnapshotHeaderBytes; ++i) REQUIRE(file[i] == std::byte{0});
}

TEST_CASE("the data of an opened snapshot is page-aligned and zero-copy") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, payload_for(3, 5000)))));
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  CHECK(reinterpret_cast<std::uintptr_t>(reader->data().data()) % 4096 == 0);
  CHECK(reader->data().data() == reader->data().data());
  const SnapshotReader copy = *reader;
  CHECK(copy.data().data() == reader->data().data());
}

TEST_CASE("a zero-length snapshot opens with empty data") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, {}, 5, 1))));
  CHECK(std::filesystem::file_size(dir / "snapshot.bin") == kSnapshotHeaderBytes);
  const auto reader = open_snapshot(dir.path());
  REQUIRE(reader);
  CHECK(reader->meta() == SnapshotMeta{5, 1, 0});
  CHECK(reader->data().empty());
}

TEST_CASE("store_snapshot calls on_commit once with the new meta") {
  TempDir dir;
  std::vector<SnapshotMeta> seen;
  REQUIRE(is_ok(outcome(store_snapshot(dir.path(), payload_for(1, 10), 8, 3, {},
                                       [&](const SnapshotMeta& m) { seen.push_back(m); }))));
  CHECK(seen == std::vector<SnapshotMeta>{{8, 3, 10}});
}

TEST_CASE("store_snapshot replaces the previous snapshot") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, payload_for(1, 5000), 10, 1))));
  REQUIRE(is_ok(outcome(store(dir, payload_for(2, 20), 20, 2))));
  const auto loaded = load_snapshot(dir.path());
  REQUIRE(loaded);
  CHECK((*loaded)->meta == SnapshotMeta{20, 2, 20});
  CHECK((*loaded)->data == payload_for(2, 20));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"snapshot.bin"});
}

// Both ways of reading must refuse a damaged header.
Outcome open_and_meta(const TempDir& dir) {
  const Outcome opened = outcome(open_snapshot(dir.path()));
  const Outcome meta = outcome(read_snapshot_meta(dir.path()));
  if (!(opened == errc::corrupted)) return opened;
  return meta;
}

TEST_CASE("a flipped bit in the first 64 bytes of the snapshot header is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, 100)))));
  check_every_variant_corrupted(
      dir / "snapshot.bin", "every bit of header bytes 0-63 flipped",
      [](const std::vector<std::byte>& bytes, std::size_t k) {
        return k < 64 * 8 ? flip_bit(bytes, k) : std::nullopt;
      },
      [&] { return open_and_meta(dir); });
}

TEST_CASE("a flipped bit in every byte of the snapshot header is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, 100)))));
  // Byte k gets bit k % 8 flipped, so every bit position occurs throughout.
  check_every_variant_corrupted(
      dir / "snapshot.bin", "bit k % 8 of every header byte k flipped",
      [](const std::vector<std::byte>& bytes, std::size_t k) {
        return k < kSnapshotHeaderBytes ? flip_bit(bytes, k * 8 + k % 8) : std::nullopt;
      },
      [&] { return open_and_meta(dir); });
}

TEST_CASE("a flipped bit in a sample of data bytes is corrupted when opened") {
  TempDir dir;
  const std::size_t size = 100000;
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, size)))));
  const std::vector<std::size_t> offsets = {
      0, 1, 7, 8, 63, 64, 4095, 4096, 50000, size - 9, size - 8, size - 2, size - 1};
  check_every_variant_corrupted(
      dir / "snapshot.bin", "sampled data bits flipped",
      [&](const std::vector<std::byte>& bytes, std::size_t k) {
        if (k >= offsets.size() * 8) return std::optional<std::vector<std::byte>>();
        return flip_bit(bytes, (kSnapshotHeaderBytes + offsets[k / 8]) * 8 + k % 8);
      },
      [&] { return outcome(open_snapshot(dir.path())); });
  // The header alone is intact: read_snapshot_meta does not read the data.
  flip_byte(dir / "snapshot.bin", kSnapshotHeaderBytes + 5);
  CHECK(is_ok(outcome(read_snapshot_meta(dir.path()))));
  CHECK(outcome(load_snapshot(dir.path())) == errc::corrupted);
}

TEST_CASE("snapshot.bin truncated inside the header or the data is corrupted") {
  TempDir dir;
  const std::size_t size = 300;
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, size)))));
  // Every length up to 128 and around the header's end and the data's end,
  // every 61st in between.
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n < kSnapshotHeaderBytes + size; ++n) {
    if (n < 128 || (n + 64 > kSnapshotHeaderBytes && n < kSnapshotHeaderBytes + 64) ||
        n + 64 > kSnapshotHeaderBytes + size || n % 61 == 0) {
      lengths.push_back(n);
    }
  }
  check_every_variant_corrupted(
      dir / "snapshot.bin", "truncations",
      [&](const std::vector<std::byte>& bytes, std::size_t k) {
        return k < lengths.size() ? truncate_to(bytes, lengths[k]) : std::nullopt;
      },
      [&] { return open_and_meta(dir); });
}

TEST_CASE("snapshot.bin with bytes after the data is corrupted") {
  TempDir dir;
  const std::size_t size = GENERATE(0u, 10u);
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, size)))));
  std::vector<std::byte> file = read_file(dir / "snapshot.bin");
  file.push_back(std::byte{0});
  write_file(dir / "snapshot.bin", file);
  CHECK(open_and_meta(dir) == errc::corrupted);
}

TEST_CASE("a snapshot header of an unknown version is corrupted even with a valid checksum") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store(dir, payload_for(9, 10)))));
  std::vector<std::byte> file = read_file(dir / "snapshot.bin");
  // Version 3: newer than this code (2 is the metadata format).
  file[8] = std::byte{3};
  const std::uint64_t sum = XXH3_64bits(file.data(), 48);
  for (std::size_t i = 0; i < 8; ++i) file[48 + i] = static_cast<std::byte>(sum >> (8 * i));
  write_file(dir / "snapshot.bin", file);
  const auto result = open_and_meta(dir);
  CHECK(result == errc::corrupted);
  CHECK(result.message.find("unknown snapshot format version 3") != std::string::npos);
}

TEST_CASE("a snapshot.bin of zeros is corrupted") {
  TempDir dir;
  write_file(dir / "snapshot.bin", std::vector<std::byte>(kSnapshotHeaderBytes + 16));
  CHECK(open_and_meta(dir) == errc::corrupted);
}

}  // namespace
}  // namespace seglog::test

// ---- version 2: metadata between the header and the data --------------------

namespace seglog::test {
namespace {

Status store_with_metadata(const TempDir& dir, const std::vector<std::byte>& data,
                           const std::vector<std::byte>& metadata) {
  return store_snapshot(dir.path(), data, 10, 2, metadata, {});
}

TEST_CASE("a snapshot with metadata is a version 2 file laid out as format-meta.md says") {
  TempDir dir;
  const auto data = payload_for(1, 300);
  const auto metadata = payload_for(2, 4097);  // two pages of metadata
  REQUIRE(is_ok(outcome(store_with_metadata(dir, data, metadata))));
  const auto file = read_file(dir / "snapshot.bin");
  const std::size_t data_offset = 4096 + 2 * 4096;
  REQUIRE(file.size() == data_offset + data.size());
  auto u64_at = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 8; i-- > 0;) v = v << 8 | std::to_integer<std::uint64_t>(file[at + i]);
    return v;
  };
  CHECK((u64_at(8) & 0xFFFFFFFF) == 2);   // format_version
  CHECK(u64_at(8) >> 32 == data_offset);  // header_bytes
  CHECK(u64_at(16) == 10);
  CHECK(u64_at(24) == 2);
  CHECK(u64_at(32) == data.size());
  CHECK(u64_at(40) == XXH3_64bits(data.data(), data.size()));
  CHECK(u64_at(48) == metadata.size());
  CHECK(u64_at(56) == XXH3_64bits(metadata.data(), metadata.size()));
  CHECK(u64_at(64) == XXH3_64bits(file.data(), 64));
  for (std::size_t i = 72; i < 4096; ++i) REQUIRE(file[i] == std::byte{0});
  CHECK(std::equal(metadata.begin(), metadata.end(), file.begin() + 4096));
  for (std::size_t i = 4096 + metadata.size(); i < data_offset; ++i) {
    REQUIRE(file[i] == std::byte{0});
  }
  CHECK(std::equal(data.begin(), data.end(), file.begin() + data_offset));
  const auto loaded = load_snapshot(dir.path()).value().value();
  CHECK(loaded.meta == SnapshotMeta{10, 2, data.size(), metadata});
  CHECK(loaded.data == data);
  CHECK(read_snapshot_meta(dir.path()).value().value() == loaded.meta);
}

TEST_CASE("a snapshot without metadata is still written as version 1") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_with_metadata(dir, payload_for(1, 10), {}))));
  const auto file = read_file(dir / "snapshot.bin");
  CHECK(file[8] == std::byte{1});
  CHECK(file.size() == kSnapshotHeaderBytes + 10);
}

TEST_CASE("a flipped bit in every byte of a version 2 header and metadata pages is corrupted") {
  TempDir dir;
  const std::size_t metadata_size = 100;
  REQUIRE(
      is_ok(outcome(store_with_metadata(dir, payload_for(9, 50), payload_for(3, metadata_size)))));
  const std::size_t metadata_end = kSnapshotHeaderBytes + metadata_size;
  // Byte k gets bit k % 8 flipped. Header and metadata: both
  // read_snapshot_meta and open_snapshot see it.
  check_every_variant_corrupted(
      dir / "snapshot.bin", "bit k % 8 of every header and metadata byte k flipped",
      [&](const std::vector<std::byte>& bytes, std::size_t k) {
        return k < metadata_end ? flip_bit(bytes, k * 8 + k % 8) : std::nullopt;
      },
      [&] { return open_and_meta(dir); });
  // The zeros after the metadata, up to the data: open_snapshot sees it.
  check_every_variant_corrupted(
      dir / "snapshot.bin", "bit k % 8 of every metadata padding byte k flipped",
      [&](const std::vector<std::byte>& bytes, std::size_t k) {
        const std::size_t at = metadata_end + k;
        return at < 2 * kSnapshotHeaderBytes ? flip_bit(bytes, at * 8 + at % 8) : std::nullopt;
      },
      [&] { return outcome(open_snapshot(dir.path())); });
}

TEST_CASE("a version 2 file truncated anywhere is corrupted") {
  TempDir dir;
  REQUIRE(is_ok(outcome(store_with_metadata(dir, payload_for(9, 40), payload_for(4, 30)))));
  const std::size_t size = 2 * kSnapshotHeaderBytes + 40;
  check_every_variant_corrupted(
      dir / "snapshot.bin", "truncations every 7 bytes",
      [&](const std::vector<std::byte>& bytes, std::size_t k) {
        return k * 7 < size ? truncate_to(bytes, k * 7) : std::nullopt;
      },
      [&] { return open_and_meta(dir); });
}

}  // namespace
}  // namespace seglog::test

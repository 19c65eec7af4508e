// fuzz/fuzz_snapshot_file.cpp — libFuzzer target: arbitrary bytes as
// snapshot.bin, read the three ways seglog reads it: read_snapshot_meta
// (header only), open_snapshot (mapped, data verified) and load_snapshot
// (owning copy), plus decode_snapshot_header on the bytes themselves
// (meta/snapshot_file.hpp, meta/snapshot_header.hpp; docs/reliability.md,
// "Fuzzing"). Each input is tried as is and with both checksums
// recomputed, to reach the checks behind them (a crafted file).
//
// Invariants: no crash or sanitizer report; every call returns a value or
// corrupted; a header that decodes encodes back to the same 4096 bytes;
// when open succeeds, the header-only read agrees with it, and the data it
// maps, the data load copies and the input's bytes after the header are the
// same.
#include "format/endian.hpp"
#include "fuzz_support.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/snapshot_header.hpp"

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace seglog::detail;
using seglog::errc;

void check_snapshot(std::span<const std::byte> bytes) {
  const seglog::fuzz::ScratchDir& dir = seglog::fuzz::ScratchDir::get();
  dir.write(std::string(kSnapshotFileName), reinterpret_cast<const std::uint8_t*>(bytes.data()),
            bytes.size());
  const std::uint64_t size = bytes.size();

  auto header = decode_snapshot_header(dir.path() / kSnapshotFileName, bytes);
  if (header) {
    const SnapshotHeaderBytes again = encode_snapshot_header(*header);
    SEGLOG_FUZZ_CHECK(size >= kSnapshotHeaderBytes);
    SEGLOG_FUZZ_CHECK(std::memcmp(again.data(), bytes.data(), kSnapshotHeaderBytes) == 0);
  } else {
    SEGLOG_FUZZ_CHECK(header.error() == errc::corrupted);
  }

  auto meta = read_snapshot_meta(dir.path());
  if (meta) {
    SEGLOG_FUZZ_CHECK(meta->has_value() && header);
    SEGLOG_FUZZ_CHECK((*meta)->size == size - kSnapshotHeaderBytes);
  } else {
    SEGLOG_FUZZ_CHECK(meta.error() == errc::corrupted);
  }

  auto reader = open_snapshot(dir.path());
  auto loaded = load_snapshot(dir.path());
  SEGLOG_FUZZ_CHECK(bool(reader) == bool(loaded));
  if (!reader) {
    SEGLOG_FUZZ_CHECK(reader.error() == errc::corrupted && loaded.error() == errc::corrupted);
    return;
  }
  SEGLOG_FUZZ_CHECK(meta && **meta == reader->meta());
  SEGLOG_FUZZ_CHECK(reader->meta().last_index == header->last_index &&
                    reader->meta().last_term == header->last_term);
  const std::span<const std::byte> mapped = reader->data();
  SEGLOG_FUZZ_CHECK(mapped.size() == size - kSnapshotHeaderBytes);
  SEGLOG_FUZZ_CHECK(
      mapped.empty() ||
      std::memcmp(mapped.data(), bytes.data() + kSnapshotHeaderBytes, mapped.size()) == 0);
  SEGLOG_FUZZ_CHECK(loaded->has_value() && (*loaded)->meta == reader->meta());
  SEGLOG_FUZZ_CHECK((*loaded)->data.size() == mapped.size());
  SEGLOG_FUZZ_CHECK(mapped.empty() ||
                    std::memcmp((*loaded)->data.data(), mapped.data(), mapped.size()) == 0);
}

// The data checksum (offset 40) first: the header checksum covers it.
void fix_checksums(std::span<std::byte> file) {
  if (file.size() < kSnapshotHeaderBytes) return;
  const std::span<const std::byte> data = file.subspan(kSnapshotHeaderBytes);
  store_le<std::uint64_t>(file.data() + 40, XXH3_64bits(data.data(), data.size()));
  store_le<std::uint64_t>(file.data() + kSnapshotHeaderChecked,
                          XXH3_64bits(file.data(), kSnapshotHeaderChecked));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> file(size);
  if (size > 0) std::memcpy(file.data(), data, size);
  check_snapshot(file);
  fix_checksums(file);
  check_snapshot(file);
  return 0;
}

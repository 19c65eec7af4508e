// seglog/options.hpp — how SegmentedStorage::open is configured.
#pragma once

#include <seglog/logger.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>

namespace seglog {

struct Options {
  // The data directory; created (with parents) if missing and writable.
  std::filesystem::path dir;
  // Capacity of a segment file: at least 64 KiB, at most 4 GiB.
  std::uint64_t segment_size = 64ull << 20;
  // One sparse-index point per this many bytes of records (>= 64).
  std::uint32_t index_interval_bytes = 4096;
  // Mapped sealed segments kept beyond the active one (>= 1).
  std::uint32_t max_mapped_segments = 64;
  // Largest payload accepted (<= 4 GiB - 64 KiB). An entry larger than a
  // segment's capacity gets a segment of its own, sized to fit.
  std::uint64_t max_entry_size = 64ull << 20;
  // Open without the LOCK: reads only; every write is errc::read_only.
  bool read_only = false;
  // Verify each record's checksum on every read (recommended).
  bool verify_checksums = true;
  // Null: silent.
  std::shared_ptr<Logger> logger;
};

}  // namespace seglog

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
  // The mapping budget (docs/design.md, "Memory"): sealed segments stay
  // mapped, once read, until one of these bounds is passed; then the one
  // mapped longest ago is unmapped (views keep their bytes alive). The
  // active segment and the spare are mapped besides. 0 is automatic:
  // - max_mapped_bytes: the memory this process may use (physical memory,
  //   or its cgroup's limit when lower), so a log that fits in memory stays
  //   mapped; a bigger one is read from the disk anyway. Mapped bytes cost
  //   page tables (at most 1/512 of them, once read) and count in VmRSS as
  //   file pages the kernel reclaims at will.
  // - max_mapped_segments: a quarter of vm.max_map_count (16,382 with
  //   Linux's default), far from the kernel's bound on mappings.
  // Stats::max_mapped_bytes and max_mapped_segments say what was chosen.
  std::uint64_t max_mapped_bytes = 0;
  std::uint32_t max_mapped_segments = 0;
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

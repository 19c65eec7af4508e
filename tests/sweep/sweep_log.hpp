// sweep/sweep_log.hpp — the directory every sweep case damages: a log of
// several sealed segments and an unsealed newest one with an unsynced
// tail, plus state.json, cluster.json and snapshot.bin, built through the
// public API; its bytes (the pristine image) and where everything lies in
// them (docs/format.md), and the entries a reader must get back.
#pragma once

#include <seglog/seglog.hpp>

#include "sweep/scratch_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace seglog::sweep {

namespace fs = std::filesystem;

// File name -> bytes: the directory as the crash left it (LOCK included).
using Image = std::map<std::string, std::vector<std::byte>>;

// A kept record of a segment file.
struct RecordSpan {
  std::uint64_t index = 0;
  std::uint64_t offset = 0;  // of the 32-byte header
  std::uint64_t size = 0;    // 32 + payload (the `size` field)
  std::uint64_t bytes = 0;   // padded to 8
  std::uint64_t payload_bytes() const { return size - 32; }
  std::uint64_t end() const { return offset + bytes; }
};

// Where things lie in one segment file of the image.
struct SegmentLayout {
  std::string name;
  std::uint64_t first_index = 0;
  std::uint64_t file_bytes = 0;
  bool sealed = false;
  bool newest = false;
  std::uint64_t current_slot = 0;  // 512 or 1024: the slot holding the current state
  std::uint64_t other_slot = 0;
  std::uint64_t synced_end = 0;     // the current slot's durable synced end
  std::vector<RecordSpan> records;  // kept records, in index order
  std::uint64_t records_end = 0;    // end of the kept records
  std::uint64_t footer_offset = 0;  // sealed: the footer [footer_offset, file_bytes)
  std::uint64_t footer_bytes = 0;
};

// The log every case starts from. Built once per test case (a few ms).
struct SweepLog {
  SweepLog();

  ScratchDir scratch;
  Image image;                          // the pristine directory
  std::vector<SegmentLayout> segments;  // by first index; the last one is the newest
  std::vector<LogEntry> entries;        // first_index .. last_index
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;

  // The newest segment's sync positions. The last sync() that returned made
  // every entry up to synced_last durable (its records end at synced_end);
  // its state slot records only the sync before (durable_synced_last,
  // ending at the slot's synced_end): design.md, "sync".
  std::uint64_t synced_last = 0;
  std::uint64_t synced_end = 0;
  std::uint64_t durable_synced_last = 0;
  std::uint64_t durable_synced_end = 0;

  PersistentState state;
  ClusterConfig cluster;
  SnapshotMeta snapshot_meta;
  std::vector<std::byte> snapshot_data;

  const LogEntry& entry(std::uint64_t index) const { return entries[index - first_index]; }
  const SegmentLayout& newest() const { return segments.back(); }
  const SegmentLayout* segment_named(const std::string& name) const;
  // Options for a directory holding a copy of the image (small segments).
  Options options_for(const fs::path& dir) const;
};

}  // namespace seglog::sweep

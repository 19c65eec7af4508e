// golden/golden_log.hpp — the operations that wrote tests/golden/data/,
// and what reading it back must give (golden_test.cpp). The directory is
// the cross-architecture reference of the on-disk format: written once on
// x86-64 by golden_make, read back and rewritten on every architecture CI
// runs (docs/reliability.md, "Cross-architecture golden directory").
#pragma once

#include <seglog/seglog.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace seglog::golden {

inline constexpr std::uint64_t kEntries = 400;
inline constexpr std::uint64_t kSegmentSize = 64 << 10;  // the smallest: 3 segments

// Entry i: payload 0..1363 bytes, terms 1..5, types 0..2 — every byte a
// function of i, so any architecture computes the same entries.
inline LogEntry entry(std::uint64_t i) {
  LogEntry e;
  e.index = i;
  e.term = 1 + i / 100;
  e.type = static_cast<std::uint8_t>(i % 3);
  const std::size_t size = (i * 37) % 300 + (i % 5 == 0 ? 1000 : 0) + (i % 64 == 0 ? 64 : 0);
  e.data.resize(size);
  for (std::size_t k = 0; k < size; ++k) {
    e.data[k] = static_cast<std::byte>((i * 131 + k * 7 + (k >> 8)) & 0xFF);
  }
  return e;
}

// A vote that is not UTF-8 (stored as voted_for_hex), NUL included.
inline PersistentState state() { return {7, std::string("n2\xff\0", 4), 390}; }

inline ClusterConfig cluster() {
  return {300,
          3,
          {{"node-1", "10.0.0.1:7000", true},
           {"n\xC5\x93ud-2", "[fe80::2]:7000", true},
           {"node-3", "10.0.0.3:7000", false}}};
}

inline std::vector<std::byte> snapshot_data() {
  std::vector<std::byte> data(5000);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<std::byte>((k * 17) >> 3);
  return data;
}
inline constexpr std::uint64_t kSnapshotIndex = 200;
inline constexpr std::uint64_t kSnapshotTerm = 3;

inline Options options(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = kSegmentSize;
  return o;
}

// Which append_entries overload write() calls: both must write the same
// bytes.
enum class AppendFrom { log_entries, entry_refs };

// Writes the golden directory into `dir` (created): the entries in
// batches of 16, a sync after each, then the state, the cluster
// configuration and the snapshot, and a clean close. Returns an empty
// string or what failed.
inline std::string write(const std::filesystem::path& dir,
                         AppendFrom from = AppendFrom::log_entries) {
  auto opened = SegmentedStorage::open(options(dir));
  if (!opened) return "open: " + opened.error().message();
  SegmentedStorage& log = **opened;
  for (std::uint64_t first = 1; first <= kEntries; first += 16) {
    std::vector<LogEntry> batch;
    for (std::uint64_t i = first; i < first + 16 && i <= kEntries; ++i) batch.push_back(entry(i));
    std::vector<EntryRef> refs;
    for (const LogEntry& e : batch) refs.push_back({e.index, e.term, e.type, e.data});
    const Status appended = from == AppendFrom::entry_refs
                                ? log.append_entries(std::span<const EntryRef>(refs))
                                : log.append_entries(std::span<const LogEntry>(batch));
    if (!appended) return "append: " + appended.error().message();
    if (auto st = log.sync(); !st) return "sync: " + st.error().message();
    // The seal of a segment a roll left behind runs in the background:
    // wait for it, so that every run writes the same header states.
    if (auto st = log.flush(); !st) return "flush: " + st.error().message();
  }
  if (auto st = log.save_state(state()); !st) return "save_state: " + st.error().message();
  if (auto st = log.save_cluster_config(cluster()); !st)
    return "save_cluster: " + st.error().message();
  const auto data = snapshot_data();
  if (auto st = log.save_snapshot(data, kSnapshotIndex, kSnapshotTerm); !st) {
    return "save_snapshot: " + st.error().message();
  }
  if (auto st = log.close(); !st) return "close: " + st.error().message();
  return {};
}

}  // namespace seglog::golden

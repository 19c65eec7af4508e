// tools/seglog/meta_files.cpp — the files beside the log, through
// src/meta's own decoders (docs/format-meta.md); stable.kv's reading is
// kv_check's.
#include "meta_files.hpp"

#include "format/checksum.hpp"
#include "io/file.hpp"
#include "meta/cluster_file.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/snapshot_header.hpp"
#include "meta/state_file.hpp"

#include <algorithm>
#include <vector>

namespace seglog::tool {

namespace {

// The snapshot's data (from `offset`), hashed in 1 MiB reads (XXH3-64,
// seed 0).
Result<std::uint64_t> data_checksum(const detail::File& file, std::uint64_t offset,
                                    std::uint64_t size, const ProgressHook& progress) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  std::vector<std::byte> chunk(1 << 20);
  for (std::uint64_t at = 0; at < size;) {
    const std::uint64_t want = std::min<std::uint64_t>(chunk.size(), size - at);
    auto got = file.read_upto(offset + at, {chunk.data(), want});
    if (!got) return got.error();
    if (*got == 0) break;  // shorter than its header says: caught by the size check
    XXH3_64bits_update(&state, chunk.data(), *got);
    at += *got;
    if (progress) progress(*got);
  }
  return XXH3_64bits_digest(&state);
}

Status read_snapshot(const std::filesystem::path& dir, Depth depth, MetaFiles& out,
                     Findings& findings, const ProgressHook& progress) {
  const std::string name(detail::kSnapshotFileName);
  auto file = detail::File::open(dir / name, detail::File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) return {};
    return file.error();
  }
  auto size = file->size();
  if (!size) return size.error();
  detail::SnapshotHeaderBytes page{};
  auto got = file->read_upto(0, page);
  if (!got) return got.error();
  auto header = detail::decode_snapshot_header(dir / name, std::span(page.data(), *got));
  if (!header) {
    out.snapshot_damaged = true;
    findings.damage("snapshot_file", name, header.error().message(), 0, std::nullopt);
    return {};
  }
  // Version 2 headers put metadata between the header and the data
  // (docs/format-meta.md, "snapshot.bin").
  const std::uint64_t data_offset = header->data_offset();
  if (*size < data_offset || header->data_size != *size - data_offset) {
    out.snapshot_damaged = true;
    findings.damage("snapshot_file", name,
                    "header says " + std::to_string(header->data_size) +
                        " bytes of data, the file holds " +
                        std::to_string(*size - std::min(*size, data_offset)),
                    32, std::nullopt);
    return {};
  }
  // The metadata and the zeros after it, checked by the library's own
  // check (open checks the metadata, open_snapshot both); a version 1
  // header has none.
  if (header->metadata_size != 0) {
    std::vector<std::byte> region(data_offset - detail::kSnapshotHeaderBytes);
    auto read = file->read_upto(detail::kSnapshotHeaderBytes, region);
    if (!read) return read.error();
    region.resize(*read);  // shorter than its header says: the check says so
    if (auto checked = detail::check_snapshot_metadata(dir / name, *header, region); !checked) {
      out.snapshot_damaged = true;
      findings.damage("snapshot_file", name, checked.error().message(),
                      detail::kSnapshotHeaderBytes, std::nullopt);
      return {};
    }
    if (depth == Depth::full && progress) progress(region.size());
  }
  if (depth == Depth::full) {
    auto sum = data_checksum(*file, data_offset, header->data_size, progress);
    if (!sum) return sum.error();
    if (*sum != header->data_xxh3) {
      out.snapshot_damaged = true;
      findings.damage("snapshot_file", name,
                      "data fails its checksum (every read of the snapshot fails)", data_offset,
                      std::nullopt);
      return {};
    }
  }
  out.snapshot = SnapshotMeta{header->last_index, header->last_term, header->data_size};
  return {};
}

}  // namespace

Result<MetaFiles> read_meta(const std::filesystem::path& dir, Depth depth, Findings& findings,
                            const ProgressHook& progress) {
  MetaFiles out;
  if (auto state = detail::load_state(dir); state) {
    out.state = *state;
  } else if (state.error() == errc::corrupted) {
    out.state_damaged = true;
    findings.damage("state_file", std::string(detail::kStateFileName), state.error().message());
  } else {
    return state.error();
  }
  if (auto cluster = detail::load_cluster_config(dir); cluster) {
    out.cluster = *cluster;
  } else if (cluster.error() == errc::corrupted) {
    out.cluster_damaged = true;
    findings.damage("cluster_file", std::string(detail::kClusterFileName),
                    cluster.error().message());
  } else {
    return cluster.error();
  }
  if (auto s = read_snapshot(dir, depth, out, findings, progress); !s) return s.error();
  auto kv = check_kv(dir, findings);
  if (!kv) return kv.error();
  out.kv = std::move(*kv);
  return out;
}

Result<RestartFile> read_restart(const std::filesystem::path& dir, Findings& findings) {
  RestartFile out;
  auto restart = detail::load_restart(dir);
  if (restart) {
    out.restart = *restart;
    return out;
  }
  if (restart.error() != errc::corrupted) return restart.error();
  // Open refuses the directory here (SegmentedStorage::open), read-only
  // too: without the list, a discarded log cannot be told from the log.
  out.damaged = true;
  findings.damage("restart_file", std::string(detail::kRestartFileName),
                  restart.error().message() +
                      "; every open fails on it: where the log restarted and which segments the "
                      "restart discarded are unknown (the segments are judged as if no restart "
                      "happened)");
  return out;
}

}  // namespace seglog::tool

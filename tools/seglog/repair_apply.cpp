// tools/seglog/repair_apply.cpp — the repair's writes. Order (each step
// durable before the next, so a crash leaves either the data in place or
// a copy of it in the quarantine): create the quarantine folder; for a
// move, rename and sync both directories; for a cut, copy the bytes into
// the quarantine and fsync them, then zero them in the segment, fdatasync,
// write the new state slot, fdatasync; for a salvage, copy stable.kv into
// the quarantine and fsync it, then replace it atomically. README.txt and
// the repair log last.
#include "repair_apply.hpp"

#include "commands.hpp"
#include "errors.hpp"
#include "format/segment_header.hpp"
#include "io/file.hpp"
#include "log/sparse_index.hpp"
#include "meta/atomic_replace.hpp"
#include "meta/kv_file.hpp"
#include "record_reader.hpp"

#include <array>
#include <chrono>
#include <ctime>
#include <fstream>
#include <system_error>
#include <vector>

namespace seglog::tool {

namespace {

std::string utc_stamp(const char* format) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char out[64];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

Status copy_bytes(const std::filesystem::path& from, std::uint64_t offset, std::uint64_t end,
                  const std::filesystem::path& to) {
  auto in = detail::File::open(from, detail::File::Mode::read_only);
  if (!in) return in.error();
  auto out = detail::File::open(to, detail::File::Mode::create_new);
  if (!out) return out.error();
  std::vector<std::byte> chunk(1 << 20);
  for (std::uint64_t at = offset; at < end;) {
    const std::uint64_t want = std::min<std::uint64_t>(chunk.size(), end - at);
    auto got = in->read_upto(at, {chunk.data(), want});
    if (!got) return got.error();
    if (*got == 0) break;
    if (auto s = out->write_at(at - offset, {chunk.data(), *got}); !s) return s;
    at += *got;
  }
  return out->sync();
}

// The segment's records end at `offset` from now on: zeros there (a clean
// end), and a state slot saying nothing after it was synced, so the next
// writable open scans it, finds the end, and seals it there.
Status cut_segment(const std::filesystem::path& path, const RepairAction& a) {
  auto file = detail::File::open(path, detail::File::Mode::read_write);
  if (!file) return file.error();
  if (a.end > a.offset) {
    if (auto s = file->write_zeros(a.offset, a.end - a.offset); !s) return s;
    if (auto s = file->data_sync(); !s) return s;
  }
  detail::SegmentState state;
  state.sequence = (a.state ? a.state->sequence : 0) + 1;
  state.synced_end = a.offset;
  state.start_index = a.state ? a.state->start_index : 0;
  std::array<std::byte, detail::kSlotBytes> slot{};
  detail::encode_state(slot.data(), state, a.salt);
  if (auto s = file->write_at(detail::next_slot_offset(state.sequence), slot); !s) return s;
  return file->data_sync();
}

// A sealed segment's footer rebuilt from its records (the placement rule
// of AppendCursor, as the seal computed it), written where the old one
// was, then a sealed slot with the new point count.
Status reseal_segment(const std::filesystem::path& path, const RepairAction& a) {
  const detail::SegmentState& old_state = *a.state;
  const detail::SegmentIdentity& id = *a.identity;
  auto reader = RecordReader::open(path, a.end, a.salt);
  if (!reader) return reader.error();
  detail::AppendCursor cursor = detail::AppendCursor::empty(id.capacity, id.index_interval_bytes);
  std::vector<detail::SparsePoint> points;
  std::uint64_t index = id.first_index;
  while (cursor.end < old_state.end_offset) {
    auto at = reader->at(cursor.end, index, old_state.end_offset);
    if (!at) return at.error();
    if (at->check != detail::RecordCheck::ok) {
      return detail::make_error(errc::corrupted, "record at offset " + std::to_string(cursor.end) +
                                                     " of " + path.string() +
                                                     " changed since it was checked");
    }
    const detail::SparsePoint point{static_cast<std::uint32_t>(index - id.first_index),
                                    static_cast<std::uint32_t>(cursor.end)};
    if (cursor.advance(at->record.bytes)) points.push_back(point);
    ++index;
  }
  if (old_state.footer_offset + detail::footer_bytes(points.size()) > a.end) {
    return detail::make_error(errc::corrupted, "the rebuilt footer of " + path.string() +
                                                   " does not fit where the old one was");
  }
  std::vector<std::byte> footer(detail::footer_bytes(points.size()));
  detail::encode_footer(footer.data(), points.data(), points.size(), a.salt);
  auto file = detail::File::open(path, detail::File::Mode::read_write);
  if (!file) return file.error();
  if (auto s = file->write_at(old_state.footer_offset, footer); !s) return s;
  if (auto s = file->data_sync(); !s) return s;
  detail::SegmentState state = old_state;
  state.sequence = old_state.sequence + 1;
  state.point_count = static_cast<std::uint32_t>(points.size());
  std::array<std::byte, detail::kSlotBytes> slot{};
  detail::encode_state(slot.data(), state, a.salt);
  if (auto s = file->write_at(detail::next_slot_offset(state.sequence), slot); !s) return s;
  return file->data_sync();
}

// stable.kv rebuilt from its intact records: the damaged file is copied
// (and synced) into the quarantine first, then replaced atomically, so a
// crash leaves the damaged file or the salvaged one, and the copy.
Status salvage_kv(const std::filesystem::path& dir, const RepairAction& a,
                  const std::filesystem::path& quarantine) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(dir / a.name, ec);
  if (ec) return detail::os_error("stat", dir / a.name, ec.value());
  if (auto s = copy_bytes(dir / a.name, 0, size, quarantine / a.name); !s) return s;
  if (auto s = detail::sync_directory(quarantine); !s) return s;
  std::uint64_t end = 0;
  const auto file = detail::encode_kv_file(a.kv_values, detail::random_kv_salt(), end);
  return detail::atomic_replace(dir, a.name, file);
}

std::string readme_entry(const std::filesystem::path& dir, const RepairAction& a) {
  std::string out;
  if (a.kind == ActionKind::salvage) {
    out = "- " + a.name + ": a copy of the whole damaged file, from " + (dir / a.name).string() +
          "; that file was replaced by one holding its " + std::to_string(a.kv_values.size()) +
          " intact keys (undo: put the copy back)\n";
    for (const std::string& lost : a.lost) out += "  lost: " + lost + "\n";
  } else if (a.kind == ActionKind::move) {
    out = "- " + a.name + ": the whole file, from " + (dir / a.name).string() + "\n";
  } else if (a.kind == ActionKind::reseal) {
    out = "- " + cut_file_name(a) + ": bytes " + std::to_string(a.offset) + ".." +
          std::to_string(a.end) + " of " + (dir / a.name).string() +
          ", its old footer; a footer rebuilt from the segment's records was written "
          "in its place\n";
  } else {
    out = "- " + cut_file_name(a) + ": bytes " + std::to_string(a.offset) + ".." +
          std::to_string(a.end) + " of " + (dir / a.name).string() + " (offset 0 here is offset " +
          std::to_string(a.offset) + " there); the segment now ends its records at offset " +
          std::to_string(a.offset) + " and the bytes after it are zeros\n";
  }
  if (a.first_index && a.last_index) {
    out += "  indices: " + std::to_string(*a.first_index) + ".." + std::to_string(*a.last_index) +
           "\n";
  } else if (a.first_index) {
    out += "  indices: from " + std::to_string(*a.first_index) + "\n";
  }
  out += "  why: " + a.why + "\n";
  return out;
}

}  // namespace

std::filesystem::path quarantine_path(const std::filesystem::path& dir) {
  const std::filesystem::path base = dir / kQuarantineName / utc_stamp("%Y%m%dT%H%M%SZ");
  std::filesystem::path path = base;
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(path, ec); ++n) {
    path = base.string() + "-" + std::to_string(n);
  }
  return path;
}

std::string cut_file_name(const RepairAction& a) {
  return a.name + ".bytes-" + std::to_string(a.offset) + "-" + std::to_string(a.end);
}

Status apply_repair(const std::filesystem::path& given_dir, const RepairPlan& plan,
                    const std::filesystem::path& quarantine) {
  std::error_code ec;
  // The README says where each item came from in full.
  const std::filesystem::path dir = std::filesystem::absolute(given_dir, ec);
  std::filesystem::create_directories(quarantine, ec);
  if (ec) return detail::os_error("create", quarantine, ec.value());
  if (auto s = detail::sync_directory(quarantine.parent_path()); !s) return s;
  if (auto s = detail::sync_directory(dir); !s) return s;
  std::string readme = "seglog " + std::string(tool_version()) + " repair of " + dir.string() +
                       " at " + utc_stamp("%Y-%m-%dT%H:%M:%SZ") +
                       "\n\nWhat it took out of the directory, and why. Nothing was deleted: "
                       "to undo, put each item back where it came from (a cut: write the bytes "
                       "back at their offset).\n\n";
  std::string log_line = utc_stamp("%Y-%m-%dT%H:%M:%SZ") + " seglog " + tool_version() +
                         " repair: into " + quarantine.filename().string() + ":";
  Status status;
  for (const RepairAction& a : plan.actions) {
    if (a.kind == ActionKind::move) {
      if (auto s = detail::rename_file(dir / a.name, quarantine / a.name); !s) {
        status = s;
        break;
      }
      if (auto s = detail::sync_directory(quarantine); !s) return s;
      if (auto s = detail::sync_directory(dir); !s) return s;
    } else if (a.kind == ActionKind::salvage) {
      if (auto s = salvage_kv(dir, a, quarantine); !s) {
        status = s;
        break;
      }
    } else {
      const auto copy = quarantine / cut_file_name(a);
      if (auto s = copy_bytes(dir / a.name, a.offset, a.end, copy); !s) {
        status = s;
        break;
      }
      if (auto s = detail::sync_directory(quarantine); !s) return s;
      if (auto s = a.kind == ActionKind::cut ? cut_segment(dir / a.name, a)
                                             : reseal_segment(dir / a.name, a);
          !s) {
        status = s;
        break;
      }
    }
    readme += readme_entry(dir, a);
    // Piece by piece: g++ 12 at -O3 warns (-Wrestrict, a false positive)
    // on `" " + std::string(...)`.
    log_line += ' ';
    log_line += action_name(a.kind);
    log_line += ' ';
    log_line += a.name;
    if (a.kind == ActionKind::cut || a.kind == ActionKind::reseal) {
      log_line += '@';
      log_line += std::to_string(a.offset);
    }
    log_line += ';';
  }
  if (!status) readme += "\nTHE REPAIR STOPPED HERE: " + status.error().message() + "\n";
  {
    std::ofstream out(quarantine / "README.txt", std::ios::binary | std::ios::trunc);
    out << readme;
  }
  {
    std::ofstream out(dir / kQuarantineName / "repair.log", std::ios::binary | std::ios::app);
    out << log_line << (status ? "" : " STOPPED: " + status.error().message()) << "\n";
  }
  (void)detail::sync_directory(quarantine);
  return status;
}

}  // namespace seglog::tool

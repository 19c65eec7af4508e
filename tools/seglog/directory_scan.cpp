// tools/seglog/directory_scan.cpp — the listing and the header pages
// (docs/format.md, "Directory", "Segment header"; the checks are those of
// a writable open, docs/design.md "Open" step 2).
#include "directory_scan.hpp"

#include "errors.hpp"
#include "format/endian.hpp"
#include "format/file_names.hpp"
#include "io/file.hpp"
#include "meta/kv_format.hpp"
#include "meta/restart_file.hpp"

#include <algorithm>
#include <array>
#include <system_error>

namespace seglog::tool {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

FileKind classify_other(const std::string& name, bool directory) {
  if (directory) return name == kQuarantineName ? FileKind::quarantine : FileKind::stray;
  if (detail::is_temp_name(name)) return FileKind::temporary;
  if (ends_with(name, detail::kSpareSuffix)) return FileKind::spare;
  if (name == detail::kLockName) return FileKind::lock;
  if (name == "state.json") return FileKind::state;
  if (name == "cluster.json") return FileKind::cluster;
  if (name == "snapshot.bin") return FileKind::snapshot;
  if (name == detail::kRestartFileName) return FileKind::restart;
  if (name == detail::kKvFileName) return FileKind::kv;
  return FileKind::stray;
}

const char* kind_name(FileKind kind) noexcept {
  switch (kind) {
    case FileKind::temporary:
      return "temporary";
    case FileKind::spare:
      return "spare";
    case FileKind::lock:
      return "lock";
    case FileKind::state:
      return "state";
    case FileKind::cluster:
      return "cluster";
    case FileKind::snapshot:
      return "snapshot";
    case FileKind::restart:
      return "restart";
    case FileKind::kv:
      return "kv";
    case FileKind::quarantine:
      return "quarantine";
    case FileKind::stray:
      break;
  }
  return "stray";
}

Result<SegmentHeader> read_segment_header(const fs::path& path,
                                          std::optional<std::uint64_t> name_index) {
  SegmentHeader h;
  h.name = path.filename().string();
  h.path = path;
  h.name_index = name_index.value_or(0);
  auto file = detail::File::open(path, detail::File::Mode::read_only);
  if (!file) return file.error();
  auto size = file->size();
  if (!size) return size.error();
  h.file_bytes = *size;
  std::array<std::byte, detail::kSegmentHeaderBytes> page{};
  auto got = file->read_upto(0, page);
  if (!got) return got.error();
  if (*got < detail::kSegmentHeaderBytes) {
    h.unreadable = std::to_string(*got) + " bytes long, shorter than its 4096-byte header";
    return h;
  }
  h.identity = detail::decode_identity(page.data());
  if (!h.identity) {
    h.unreadable = "identity block fails its checksum (or an unknown format version)";
    return h;
  }
  for (int slot = 0; slot < 2; ++slot) {
    const std::byte* at = page.data() + detail::kSlotOffsets[slot];
    h.slot_written[slot] = detail::load_le<std::uint64_t>(at) != 0;
    const auto state = detail::decode_state(at, h.identity->salt);
    h.slot_valid[slot] = state.has_value();
    // The valid slot with the higher sequence is current (current_state).
    if (state && (!h.state || state->sequence > h.state->sequence)) {
      h.state = state;
      h.current_slot = slot;
    }
  }
  if (!name_index) h.name_index = h.identity->first_index;
  if (h.identity->first_index != h.name_index && h.identity->first_index != 0) {
    h.unreadable = "holds first index " + std::to_string(h.identity->first_index) + ", not the " +
                   std::to_string(h.name_index) + " its name says";
  } else if (h.file_bytes > h.identity->capacity) {
    h.unreadable = "is " + std::to_string(h.file_bytes) +
                   " bytes, larger than the capacity its header states (" +
                   std::to_string(h.identity->capacity) + ")";
  } else if (const auto at = detail::reserved_byte_set(page.data())) {
    h.unreadable = "non-zero reserved byte at offset " + std::to_string(*at) + " of its header";
  }
  return h;
}

Result<DirectoryScan> scan_directory(const fs::path& dir) {
  DirectoryScan scan;
  scan.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return detail::make_error(errc::not_found, dir.string() + " is not a directory");
  }
  std::vector<std::pair<std::uint64_t, fs::path>> segment_paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::error_code type_ec;
    const bool directory = entry.is_directory(type_ec);
    if (auto index = detail::parse_segment_name(name); index && !directory) {
      segment_paths.emplace_back(*index, entry.path());
      continue;
    }
    OtherFile other;
    other.name = name;
    other.directory = directory;
    other.kind = classify_other(name, directory);
    if (!directory) {
      std::error_code size_ec;
      other.bytes = entry.file_size(size_ec);
      if (size_ec) {
        if (size_ec == std::errc::no_such_file_or_directory) {
          return detail::make_error(errc::stale, name + " was removed while being read");
        }
        return detail::os_error("stat", entry.path(), size_ec.value());
      }
    }
    scan.others.push_back(std::move(other));
  }
  if (ec) return detail::os_error("list directory", dir, ec.value());
  std::sort(segment_paths.begin(), segment_paths.end());
  std::sort(scan.others.begin(), scan.others.end(),
            [](const OtherFile& a, const OtherFile& b) { return a.name < b.name; });
  for (const auto& [index, path] : segment_paths) {
    auto header = read_segment_header(path, index);
    if (!header) {
      // Listed a moment ago: a live writer removed it (truncations,
      // rewrites). A new reading sees the directory as it is now.
      if (header.error() == errc::not_found) {
        return detail::make_error(errc::stale, path.string() + " was removed while being read");
      }
      return header.error();
    }
    scan.segments.push_back(std::move(*header));
  }
  return scan;
}

}  // namespace seglog::tool

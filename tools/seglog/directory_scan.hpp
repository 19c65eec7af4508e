// tools/seglog/directory_scan.hpp — what a seglog directory holds, from
// one listing and one 4 KiB read of each segment's header page, never a
// record (docs/format.md, "Directory" and "Segment header"). Read with
// pread only, so a live writer that trims or replaces a file cannot hurt.
#pragma once

#include <seglog/error.hpp>

#include "format/segment_header.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seglog::tool {

namespace fs = std::filesystem;

// The name of the folder repair moves what it removes into; seglog itself
// ignores it.
inline constexpr const char* kQuarantineName = "quarantine";

enum class FileKind {
  temporary,   // *.tmp: an operation interrupted before its rename
  spare,       // *.spare: a segment prepared ahead of a roll, never used
  lock,        // LOCK
  state,       // state.json
  cluster,     // cluster.json
  snapshot,    // snapshot.bin
  restart,     // restart.json: the last restart_log
  kv,          // stable.kv: the key-value store
  quarantine,  // quarantine/, repair's
  stray,       // anything else: ignored by seglog
};

struct OtherFile {
  std::string name;
  FileKind kind = FileKind::stray;
  std::uint64_t bytes = 0;
  bool directory = false;
};

// One segment file's header page.
struct SegmentHeader {
  std::string name;
  fs::path path;
  std::uint64_t name_index = 0;  // the index its name says
  std::uint64_t file_bytes = 0;
  std::optional<detail::SegmentIdentity> identity;  // nullopt: unreadable
  std::optional<detail::SegmentState> state;        // the current slot
  int current_slot = -1;                            // 0 (A), 1 (B), -1: none
  // Per slot (A at 512, B at 1024): written (sequence non-zero) and valid.
  bool slot_written[2] = {false, false};
  bool slot_valid[2] = {false, false};
  std::string unreadable;  // why open would refuse the header; empty: fine

  bool usable() const noexcept { return unreadable.empty(); }
  bool unassigned() const noexcept { return identity && identity->first_index == 0; }
  bool sealed() const noexcept { return state && state->sealed; }
  std::uint64_t first_index() const noexcept {
    return identity && identity->first_index != 0 ? identity->first_index : name_index;
  }
  std::uint64_t salt() const noexcept { return identity ? identity->salt : 0; }
};

struct DirectoryScan {
  fs::path dir;
  std::vector<SegmentHeader> segments;  // in name order (= index order)
  std::vector<OtherFile> others;        // in name order
};

// Lists `dir` and reads every segment's header page.
// Errors: not_found (no such directory), io_error, stale (a file listed a
//         moment ago was gone when read: a live writer; scan again).
[[nodiscard]] Result<DirectoryScan> scan_directory(const fs::path& dir);

// Reads the header page of one segment file (also outside a directory,
// for dump --segment). `name_index`: the index its name says, or nullopt.
[[nodiscard]] Result<SegmentHeader> read_segment_header(const fs::path& path,
                                                        std::optional<std::uint64_t> name_index);

// The kind of a name that is not a segment's.
FileKind classify_other(const std::string& name, bool directory);
const char* kind_name(FileKind kind) noexcept;

}  // namespace seglog::tool

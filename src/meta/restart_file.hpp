// meta/restart_file.hpp — restart.json: where restart_log restarted the log
// (its next index and the term before it) and which segment files it
// discarded (docs/format-meta.md, "restart.json"; docs/design.md,
// "restart_log").
#pragma once

#include <seglog/error.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seglog::detail {

inline constexpr std::string_view kRestartFileName = "restart.json";

struct LogRestart {
  std::uint64_t next_index = 1;
  std::uint64_t prev_term = 0;
  // The salts of every segment file in the directory when the restart was
  // decided: open removes a segment with one of them (the old log).
  std::vector<std::uint64_t> discarded_salts;

  friend bool operator==(const LogRestart&, const LogRestart&) = default;
};

// The canonical JSON of the "restart" member:
// {"next_index":N,"prev_term":N,"discarded_salts":[N,...]}.
std::string encode_restart(const LogRestart& restart);

// Reads dir/restart.json; nullopt when it does not exist.
// Errors: corrupted (as load_state), io_error.
[[nodiscard]] Result<std::optional<LogRestart>> load_restart(const std::filesystem::path& dir);

// Replaces dir/restart.json durably (see atomic_replace).
// Errors: no_space, io_error (before the rename the old file stays; after
//         it, only the directory fsync failed), not_found (no such `dir`).
[[nodiscard]] Status store_restart(const std::filesystem::path& dir, const LogRestart& restart);

}  // namespace seglog::detail

// meta/state_file.hpp — Raft's hard state in state.json
// (docs/format-meta.md, "state.json").
#pragma once

#include <seglog/error.hpp>
#include <seglog/raft_state.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::detail {

inline constexpr std::string_view kStateFileName = "state.json";

// The canonical JSON of the "state" member (what its checksum covers):
// {"current_term":N,"voted_for":"...","commit_index":N}, or, when the vote
// is not valid UTF-8 (any byte string is a vote: Raft engines store it
// raw), {"current_term":N,"voted_for_hex":"<2 hex digits a byte>","commit_index":N}.
std::string encode_state(const PersistentState& state);

// Reads dir/state.json; nullopt when it does not exist.
// Errors: corrupted (any byte that is not what store_state wrote: not JSON,
//         wrong or missing members, unknown version, checksum mismatch,
//         trailing bytes; the message names the file), io_error.
[[nodiscard]] Result<std::optional<PersistentState>> load_state(const std::filesystem::path& dir);

// Replaces dir/state.json durably (see atomic_replace).
// Every voted_for is stored, whatever its bytes.
// Errors: no_space,
//         io_error (before the rename the old file stays; after it, only
//         the directory fsync failed), not_found (no such `dir`).
[[nodiscard]] Status store_state(const std::filesystem::path& dir, const PersistentState& state);

}  // namespace seglog::detail

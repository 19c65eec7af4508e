// meta/canonical_json.hpp — the one byte-exact way seglog writes JSON
// values and checksums (docs/format-meta.md, "Canonical JSON").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::detail {

// Appends `s` as a JSON string: `"` and `\` escaped with a backslash, bytes
// 0x00-0x1F as \u00xx (lowercase hex), every other byte as is (UTF-8 passes
// through unchanged). Valid UTF-8 is the caller's concern.
void append_json_string(std::string& out, std::string_view s);

// Appends `value` in decimal, no sign, no leading zeros.
void append_json_uint(std::string& out, std::uint64_t value);

// Appends `true` or `false`.
void append_json_bool(std::string& out, bool value);

// True when `s` is valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF); NUL bytes are valid.
bool is_valid_utf8(std::string_view s) noexcept;

// Appends every byte of `bytes` as two lowercase hex digits.
void append_hex_bytes(std::string& out, std::string_view bytes);

// The inverse of append_hex_bytes: an even number of lowercase hex digits,
// else nullopt.
std::optional<std::string> parse_hex_bytes(std::string_view hex);

// XXH3-64 (seed 0) of `bytes` as 16 lowercase hex digits.
std::string xxh3_hex(std::string_view bytes);

// The inverse of the hex form: exactly 16 lowercase hex digits, else nullopt.
std::optional<std::uint64_t> parse_xxh3_hex(std::string_view hex);

}  // namespace seglog::detail

// meta/canonical_json.cpp — canonical JSON output and the XXH3 hex form.
#include "meta/canonical_json.hpp"

#include <xxhash.h>

#include <charconv>

namespace seglog::detail {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_json_uint(std::string& out, std::uint64_t value) {
  char buffer[20];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_json_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

std::string xxh3_hex(std::string_view bytes) {
  std::uint64_t hash = XXH3_64bits(bytes.data(), bytes.size());
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i) {
    hex[static_cast<std::size_t>(i)] = kHexDigits[hash & 0xF];
    hash >>= 4;
  }
  return hex;
}

std::optional<std::uint64_t> parse_xxh3_hex(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : hex) {
    std::uint64_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint64_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    value = value << 4 | digit;
  }
  return value;
}

}  // namespace seglog::detail

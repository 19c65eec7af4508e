// tools/seglog/entry_printer.hpp — one dumped entry or record as a line
// for people or as a JSON line (docs/cli.md, "dump").
#pragma once

#include "commands.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

namespace seglog::tool {

struct PrintedEntry {
  std::optional<std::uint64_t> offset;  // --segment: the record's offset
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint8_t type = 0;
  std::uint64_t bytes = 0;  // payload bytes
  std::string status;       // "ok", or what is wrong
  std::span<const std::byte> payload;
  bool has_fields = true;  // false: only the index is known (status says why)
};

// Payload bytes as dump --payload FORMAT writes them; nullopt for none.
std::optional<std::string> payload_text(PayloadFormat format, std::span<const std::byte> bytes);
// "preview", "hex", "base64", "text", "none": the JSON member's suffix
// (payload_hex, value_hex).
const char* payload_format_name(PayloadFormat format) noexcept;

class EntryPrinter {
 public:
  EntryPrinter(std::FILE* out, PayloadFormat payload, bool json, int index_width)
      : out_(out), payload_(payload), json_(json), index_width_(index_width) {}
  // False when standard output failed (e.g. a closed pipe).
  bool print(const PrintedEntry& entry);
  // A line that is not an entry ("# ..." for people, {"note": ...} in JSON).
  bool note(const std::string& text);

 private:
  std::FILE* out_;
  PayloadFormat payload_;
  bool json_;
  int index_width_;
};

}  // namespace seglog::tool

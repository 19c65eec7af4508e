// tools/seglog/entry_printer.cpp — dump's lines.
#include "entry_printer.hpp"

#include "human_format.hpp"
#include "json_out.hpp"

namespace seglog::tool {

namespace json = boost::json;

namespace {

// The payload preview: its first 16 bytes in hex.
constexpr std::size_t kPreviewBytes = 16;

}  // namespace

std::optional<std::string> payload_text(PayloadFormat format, std::span<const std::byte> bytes) {
  switch (format) {
    case PayloadFormat::preview:
      return hex_bytes(bytes, kPreviewBytes);
    case PayloadFormat::hex:
      return hex_bytes(bytes);
    case PayloadFormat::base64:
      return base64_bytes(bytes);
    case PayloadFormat::text:
      return escaped_text(bytes);
    case PayloadFormat::none:
      break;
  }
  return std::nullopt;
}

const char* payload_format_name(PayloadFormat format) noexcept {
  switch (format) {
    case PayloadFormat::preview:
      return "preview";
    case PayloadFormat::hex:
      return "hex";
    case PayloadFormat::base64:
      return "base64";
    case PayloadFormat::text:
      return "text";
    case PayloadFormat::none:
      break;
  }
  return "none";
}

bool EntryPrinter::print(const PrintedEntry& e) {
  if (json_) {
    json::object o;
    if (e.offset) o["offset"] = *e.offset;
    if (e.has_fields || e.index != 0) o["index"] = e.index;
    if (e.has_fields) {
      o["term"] = e.term;
      o["type"] = e.type;
      o["bytes"] = e.bytes;
    }
    o["checksum"] = e.status;
    if (e.has_fields) {
      if (auto text = payload_text(payload_, e.payload)) {
        o[std::string("payload_") + payload_format_name(payload_)] = std::move(*text);
      }
    }
    return print_json_line(out_, o);
  }
  std::string line;
  char buffer[160];
  if (e.offset) {
    std::snprintf(buffer, sizeof buffer, "@%-10llu ", static_cast<unsigned long long>(*e.offset));
    line += buffer;
  }
  if (e.has_fields) {
    std::snprintf(buffer, sizeof buffer, "%*llu  term %-4llu type %-3u %8llu B  %-8s", index_width_,
                  static_cast<unsigned long long>(e.index), static_cast<unsigned long long>(e.term),
                  static_cast<unsigned>(e.type), static_cast<unsigned long long>(e.bytes),
                  e.status.c_str());
    line += buffer;
    if (auto text = payload_text(payload_, e.payload)) line += "  " + *text;
  } else {
    std::snprintf(buffer, sizeof buffer, "%*llu  ", index_width_,
                  static_cast<unsigned long long>(e.index));
    line += buffer + e.status;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += '\n';
  return std::fwrite(line.data(), 1, line.size(), out_) == line.size();
}

bool EntryPrinter::note(const std::string& text) {
  if (json_) return print_json_line(out_, json::object{{"note", json_text(text)}});
  const std::string line = "# " + text + "\n";
  return std::fwrite(line.data(), 1, line.size(), out_) == line.size();
}

}  // namespace seglog::tool

// meta/meta_document.cpp — envelope, checksum and canonical form of the
// JSON documents (docs/format-meta.md, "JSON files").
#include "meta/meta_document.hpp"

#include "meta/canonical_json.hpp"

#include <boost/json/parser.hpp>

namespace seglog::detail {

std::string encode_document(const DocumentKind& kind, std::string_view payload) {
  std::string out = "{\"format\":";
  append_json_string(out, kind.format);
  out += ",\"version\":";
  append_json_uint(out, kMetaFormatVersion);
  out += ',';
  append_json_string(out, kind.payload_key);
  out += ':';
  out += payload;
  out += ",\"xxh3\":";
  append_json_string(out, xxh3_hex(payload));
  out += "}\n";
  return out;
}

Result<ParsedDocument> parse_document(const std::filesystem::path& path, std::string_view text,
                                      const DocumentKind& kind) {
  // Standard JSON only (no comments, no trailing commas, valid UTF-8); the
  // parser refuses bytes after the value, and tells where it stopped.
  boost::json::parser parser;
  boost::system::error_code ec;
  const std::size_t parsed = parser.write(text.data(), text.size(), ec);
  if (ec) {
    return corrupted_file(path,
                          "not JSON at offset " + std::to_string(parsed) + ": " + ec.message());
  }
  boost::json::value root = parser.release();

  const JsonFields fields(path);
  boost::json::object* object = root.if_object();
  if (object == nullptr) return corrupted_file(path, "not a JSON object");

  // The format first, then the version: a document of another kind or
  // another version is refused before its members are judged.
  const boost::json::value* format = object->if_contains("format");
  const boost::json::string* format_string = format == nullptr ? nullptr : format->if_string();
  if (format_string == nullptr || *format_string != kind.format) {
    return corrupted_file(path, "\"format\" is not \"" + std::string(kind.format) + "\"");
  }
  if (!object->contains("version")) return corrupted_file(path, "\"version\" is missing");
  auto version = fields.uint(*object, "document", "version");
  if (!version) return version.error();
  if (*version != kMetaFormatVersion) {
    return corrupted_file(path, "unknown version " + std::to_string(*version) +
                                    " (this build reads version " +
                                    std::to_string(kMetaFormatVersion) + ")");
  }

  auto members = fields.object(root, "document", {"format", "version", kind.payload_key, "xxh3"});
  if (!members) return members.error();
  auto checksum = fields.string(*object, "document", "xxh3");
  if (!checksum) return checksum.error();
  if (!parse_xxh3_hex(*checksum)) {
    return corrupted_file(path, "\"xxh3\" is not 16 lowercase hex digits");
  }
  ParsedDocument document;
  document.payload = std::move((*object)[kind.payload_key]);
  document.checksum = std::move(*checksum);
  return document;
}

Status verify_document(const std::filesystem::path& path, std::string_view text,
                       const DocumentKind& kind, const ParsedDocument& document,
                       std::string_view payload) {
  const std::string computed = xxh3_hex(payload);
  if (computed != document.checksum) {
    return corrupted_file(
        path, "checksum mismatch: stored xxh3 " + document.checksum + ", computed " + computed);
  }
  const std::string canonical = encode_document(kind, payload);
  if (text != canonical) {
    std::size_t at = 0;
    while (at < text.size() && at < canonical.size() && text[at] == canonical[at]) ++at;
    return corrupted_file(
        path, "not in canonical form (first difference at offset " + std::to_string(at) + ")");
  }
  return {};
}

}  // namespace seglog::detail

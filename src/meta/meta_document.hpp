// meta/meta_document.hpp — the checksummed JSON document that state.json and
// cluster.json share: envelope, checksum, canonical form, load and store
// (docs/format-meta.md, "JSON files").
#pragma once

#include "meta/atomic_replace.hpp"
#include "meta/json_fields.hpp"
#include "meta/small_file.hpp"

#include <seglog/error.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace seglog::detail {

// The only version of the JSON documents this build reads and writes.
inline constexpr std::uint64_t kMetaFormatVersion = 1;

// What distinguishes one kind of document from another.
struct DocumentKind {
  std::string_view file_name;    // "state.json"
  std::string_view format;       // value of "format": "seglog-state"
  std::string_view payload_key;  // member holding the payload: "state"
};

// The exact bytes of a document whose payload serializes canonically to
// `payload`: {"format":F,"version":1,"<key>":<payload>,"xxh3":"<hex>"} and
// a line feed, where hex is XXH3-64 (seed 0) of the payload bytes.
std::string encode_document(const DocumentKind& kind, std::string_view payload);

// A document whose envelope checked out; the payload is not yet verified.
struct ParsedDocument {
  boost::json::value payload;
  std::string checksum;  // the stored "xxh3": 16 lowercase hex digits
};

// Parses `text` and checks the envelope: a JSON object with exactly the
// members format (== kind.format), version (== 1), the payload and xxh3.
// Errors: corrupted (not JSON, trailing bytes, invalid UTF-8, wrong or
//         missing members, unknown version), naming `path`.
[[nodiscard]] Result<ParsedDocument> parse_document(const std::filesystem::path& path,
                                                    std::string_view text,
                                                    const DocumentKind& kind);

// Checks a parsed document against its payload re-encoded canonically: the
// checksum must match, and `text` must be byte for byte the canonical
// document (so no bit of the file can change without detection).
// Errors: corrupted (checksum mismatch, not in canonical form).
[[nodiscard]] Status verify_document(const std::filesystem::path& path, std::string_view text,
                                     const DocumentKind& kind, const ParsedDocument& document,
                                     std::string_view payload);

// Decodes `text` into a T. `decode(fields, payload) -> Result<T>` reads the
// payload strictly; `encode(T) -> std::string` is its canonical form.
// Errors: corrupted.
template <class T, class Decode, class Encode>
[[nodiscard]] Result<T> decode_document(const std::filesystem::path& path, std::string_view text,
                                        const DocumentKind& kind, Decode decode, Encode encode) {
  auto document = parse_document(path, text, kind);
  if (!document) return document.error();
  const JsonFields fields(path);
  Result<T> value = decode(fields, document->payload);
  if (!value) return value.error();
  if (auto verified = verify_document(path, text, kind, *document, encode(*value)); !verified) {
    return verified.error();
  }
  return value;
}

// Loads dir/kind.file_name; nullopt when the file does not exist.
// Errors: corrupted (see decode_document), io_error.
template <class T, class Decode, class Encode>
[[nodiscard]] Result<std::optional<T>> load_document(const std::filesystem::path& dir,
                                                     const DocumentKind& kind, Decode decode,
                                                     Encode encode) {
  const std::filesystem::path path = dir / kind.file_name;
  auto text = read_small_file(path, kMaxMetaFileBytes);
  if (!text) return text.error();
  if (!text->has_value()) return std::optional<T>();
  auto value = decode_document<T>(path, **text, kind, decode, encode);
  if (!value) return value.error();
  return std::optional<T>(std::move(*value));
}

// Replaces dir/kind.file_name with the document of `value`. The bytes are
// decoded again before writing, so a value that could not be loaded back
// (a string that is not valid UTF-8) is refused instead of stored.
// Errors: invalid_argument (not representable, or over kMaxMetaFileBytes),
//         no_space, io_error (see atomic_replace).
template <class T, class Decode, class Encode>
[[nodiscard]] Status store_document(const std::filesystem::path& dir, const DocumentKind& kind,
                                    const T& value, Decode decode, Encode encode) {
  const std::filesystem::path path = dir / kind.file_name;
  const std::string text = encode_document(kind, encode(value));
  if (text.size() > kMaxMetaFileBytes) {
    return Error(errc::invalid_argument, path.string() + ": " + std::to_string(text.size()) +
                                             " bytes, more than the limit of " +
                                             std::to_string(kMaxMetaFileBytes));
  }
  if (auto check = decode_document<T>(path, text, kind, decode, encode); !check) {
    // Everything but a string's bytes is valid by construction.
    std::string reason = check.error().message();
    const std::string prefix = path.string() + ": corrupted: ";
    if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
    return Error(errc::invalid_argument,
                 "cannot store " + path.string() +
                     ": a string is not valid UTF-8 (it would read back as " + reason + ")");
  }
  return atomic_replace(dir, kind.file_name, std::as_bytes(std::span(text)));
}

}  // namespace seglog::detail

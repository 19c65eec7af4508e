// meta/state_file.cpp — state.json: the "state" payload on the shared
// checksummed document.
#include "meta/state_file.hpp"

#include "meta/canonical_json.hpp"
#include "meta/meta_document.hpp"

namespace seglog::detail {

namespace {

constexpr DocumentKind kStateDocument{kStateFileName, "seglog-state", "state"};

// A vote that is not valid UTF-8 is stored as "voted_for_hex" in place of
// "voted_for" (docs/format-meta.md, "state.json"): exactly one of them.
Result<PersistentState> decode_state(const JsonFields& fields, const boost::json::value& payload) {
  const auto* raw = payload.if_object();
  const bool hex_vote = raw != nullptr && raw->contains("voted_for_hex");
  auto object =
      hex_vote ? fields.object(payload, "state", {"current_term", "voted_for_hex", "commit_index"})
               : fields.object(payload, "state", {"current_term", "voted_for", "commit_index"});
  if (!object) return object.error();
  PersistentState state;
  auto current_term = fields.uint(**object, "state", "current_term");
  if (!current_term) return current_term.error();
  auto voted_for = fields.string(**object, "state", hex_vote ? "voted_for_hex" : "voted_for");
  if (!voted_for) return voted_for.error();
  auto commit_index = fields.uint(**object, "state", "commit_index");
  if (!commit_index) return commit_index.error();
  state.current_term = *current_term;
  if (hex_vote) {
    // Lowercase hex, two digits a byte; whether it had to be hex (the
    // bytes are not UTF-8) is checked by the canonical-form comparison.
    auto bytes = parse_hex_bytes(*voted_for);
    if (!bytes) {
      return fields.error("state", "voted_for_hex", "not an even number of lowercase hex digits");
    }
    state.voted_for = std::move(*bytes);
  } else {
    state.voted_for = std::move(*voted_for);
  }
  state.commit_index = *commit_index;
  return state;
}

}  // namespace

std::string encode_state(const PersistentState& state) {
  std::string out = "{\"current_term\":";
  append_json_uint(out, state.current_term);
  if (is_valid_utf8(state.voted_for)) {
    out += ",\"voted_for\":";
    append_json_string(out, state.voted_for);
  } else {
    out += ",\"voted_for_hex\":\"";
    append_hex_bytes(out, state.voted_for);
    out += '"';
  }
  out += ",\"commit_index\":";
  append_json_uint(out, state.commit_index);
  out += '}';
  return out;
}

Result<std::optional<PersistentState>> load_state(const std::filesystem::path& dir) {
  return load_document<PersistentState>(dir, kStateDocument, decode_state, encode_state);
}

Status store_state(const std::filesystem::path& dir, const PersistentState& state) {
  return store_document(dir, kStateDocument, state, decode_state, encode_state);
}

}  // namespace seglog::detail

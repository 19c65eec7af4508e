// meta/state_file.cpp — state.json: the "state" payload on the shared
// checksummed document.
#include "meta/state_file.hpp"

#include "meta/canonical_json.hpp"
#include "meta/meta_document.hpp"

namespace seglog::detail {

namespace {

constexpr DocumentKind kStateDocument{kStateFileName, "seglog-state", "state"};

Result<PersistentState> decode_state(const JsonFields& fields, const boost::json::value& payload) {
  auto object = fields.object(payload, "state", {"current_term", "voted_for", "commit_index"});
  if (!object) return object.error();
  PersistentState state;
  auto current_term = fields.uint(**object, "state", "current_term");
  if (!current_term) return current_term.error();
  auto voted_for = fields.string(**object, "state", "voted_for");
  if (!voted_for) return voted_for.error();
  auto commit_index = fields.uint(**object, "state", "commit_index");
  if (!commit_index) return commit_index.error();
  state.current_term = *current_term;
  state.voted_for = std::move(*voted_for);
  state.commit_index = *commit_index;
  return state;
}

}  // namespace

std::string encode_state(const PersistentState& state) {
  std::string out = "{\"current_term\":";
  append_json_uint(out, state.current_term);
  out += ",\"voted_for\":";
  append_json_string(out, state.voted_for);
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

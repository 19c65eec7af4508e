// tools/seglog/json_out.cpp — JSON values of the tool's reports.
#include "json_out.hpp"

#include "human_format.hpp"
#include "meta/canonical_json.hpp"

namespace seglog::tool {

namespace json = boost::json;

std::string json_text(std::string_view text) {
  if (detail::is_valid_utf8(text)) return std::string(text);
  return escaped_text(text);
}

json::value json_optional(const std::optional<std::uint64_t>& value) {
  if (!value) return nullptr;
  return *value;
}

json::object finding_json(const Finding& f) {
  json::object o;
  o["severity"] = severity_name(f.severity);
  o["kind"] = f.kind;
  o["file"] = json_text(f.file);
  o["offset"] = json_optional(f.offset);
  o["index"] = json_optional(f.index);
  o["message"] = json_text(f.message);
  return o;
}

json::array findings_json(const Findings& findings) {
  json::array out;
  for (const Finding& f : findings.all()) out.push_back(finding_json(f));
  return out;
}

json::value state_json(const std::optional<PersistentState>& state) {
  if (!state) return nullptr;
  json::object o;
  o["current_term"] = state->current_term;
  if (detail::is_valid_utf8(state->voted_for)) {
    o["voted_for"] = state->voted_for;
  } else {
    std::string hex;
    detail::append_hex_bytes(hex, state->voted_for);
    o["voted_for_hex"] = hex;
  }
  o["commit_index"] = state->commit_index;
  return o;
}

json::value cluster_json(const std::optional<ClusterConfig>& cluster) {
  if (!cluster) return nullptr;
  json::object o;
  o["index"] = cluster->index;
  o["term"] = cluster->term;
  json::array members;
  for (const ClusterMember& m : cluster->members) {
    members.push_back(json::object{
        {"id", json_text(m.id)}, {"address", json_text(m.address)}, {"voter", m.voter}});
  }
  o["members"] = std::move(members);
  return o;
}

json::value snapshot_json(const std::optional<SnapshotMeta>& snapshot) {
  if (!snapshot) return nullptr;
  return json::object{{"last_index", snapshot->last_index},
                      {"last_term", snapshot->last_term},
                      {"size", snapshot->size}};
}

bool print_json_line(std::FILE* out, const json::value& value) {
  std::string line = json::serialize(value);
  line += '\n';
  return std::fwrite(line.data(), 1, line.size(), out) == line.size();
}

}  // namespace seglog::tool

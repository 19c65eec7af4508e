// meta/cluster_file.cpp — cluster.json: the "cluster" payload on the shared
// checksummed document.
#include "meta/cluster_file.hpp"

#include "meta/canonical_json.hpp"
#include "meta/meta_document.hpp"

namespace seglog::detail {

namespace {

constexpr DocumentKind kClusterDocument{kClusterFileName, "seglog-cluster", "cluster"};

Result<ClusterMember> decode_member(const JsonFields& fields, const boost::json::value& value,
                                    const std::string& where) {
  auto object = fields.object(value, where, {"id", "address", "voter"});
  if (!object) return object.error();
  auto id = fields.string(**object, where, "id");
  if (!id) return id.error();
  auto address = fields.string(**object, where, "address");
  if (!address) return address.error();
  auto voter = fields.boolean(**object, where, "voter");
  if (!voter) return voter.error();
  return ClusterMember{std::move(*id), std::move(*address), *voter};
}

Result<ClusterConfig> decode_cluster(const JsonFields& fields, const boost::json::value& payload) {
  auto object = fields.object(payload, "cluster", {"index", "term", "members"});
  if (!object) return object.error();
  ClusterConfig config;
  auto index = fields.uint(**object, "cluster", "index");
  if (!index) return index.error();
  auto term = fields.uint(**object, "cluster", "term");
  if (!term) return term.error();
  auto members = fields.array(**object, "cluster", "members");
  if (!members) return members.error();
  config.index = *index;
  config.term = *term;
  config.members.reserve((*members)->size());
  for (std::size_t i = 0; i < (*members)->size(); ++i) {
    auto member =
        decode_member(fields, (**members)[i], "cluster.members[" + std::to_string(i) + "]");
    if (!member) return member.error();
    config.members.push_back(std::move(*member));
  }
  return config;
}

}  // namespace

std::string encode_cluster(const ClusterConfig& config) {
  std::string out = "{\"index\":";
  append_json_uint(out, config.index);
  out += ",\"term\":";
  append_json_uint(out, config.term);
  out += ",\"members\":[";
  for (std::size_t i = 0; i < config.members.size(); ++i) {
    const ClusterMember& member = config.members[i];
    if (i > 0) out += ',';
    out += "{\"id\":";
    append_json_string(out, member.id);
    out += ",\"address\":";
    append_json_string(out, member.address);
    out += ",\"voter\":";
    append_json_bool(out, member.voter);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<std::optional<ClusterConfig>> load_cluster_config(const std::filesystem::path& dir) {
  return load_document<ClusterConfig>(dir, kClusterDocument, decode_cluster, encode_cluster);
}

Status store_cluster_config(const std::filesystem::path& dir, const ClusterConfig& config) {
  return store_document(dir, kClusterDocument, config, decode_cluster, encode_cluster);
}

}  // namespace seglog::detail

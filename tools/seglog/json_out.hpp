// tools/seglog/json_out.hpp — the JSON the tool prints (schemas:
// docs/cli.md, "JSON"), through Boost.JSON. Every string is valid UTF-8:
// bytes that are not (a raw vote, a file name) are written \xNN-escaped.
#pragma once

#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include "findings.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace seglog::tool {

// `text` if it is valid UTF-8, else its escaped_text form.
std::string json_text(std::string_view text);

boost::json::value json_optional(const std::optional<std::uint64_t>& value);
boost::json::object finding_json(const Finding& finding);
boost::json::array findings_json(const Findings& findings);
boost::json::value state_json(const std::optional<PersistentState>& state);
boost::json::value cluster_json(const std::optional<ClusterConfig>& cluster);
boost::json::value snapshot_json(const std::optional<SnapshotMeta>& snapshot);

// One line: the value, then a line feed. False when the write failed.
bool print_json_line(std::FILE* out, const boost::json::value& value);

}  // namespace seglog::tool

// tool/tool_support.hpp — running the seglog tool from a test (as a user
// would: a child process, its output and exit status), parsing its JSON,
// and golden files (SEGLOG_UPDATE_GOLDEN=1 rewrites them).
#pragma once

#include <boost/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace seglog::tooltest {

namespace fs = std::filesystem;

struct ToolRun {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that killed it, or 0
  std::string out;
  std::string err;
};

// Runs the tool (path in $SEGLOG_TOOL) with `args`, standard input from
// /dev/null (not a terminal), and waits for it.
ToolRun run_tool(const std::vector<std::string>& args);

// The tool's standard output as one JSON value / as JSON Lines (each line
// must parse: Catch2 REQUIREs it).
boost::json::object parse_object(const std::string& text);
std::vector<boost::json::object> parse_lines(const std::string& text);

// Compares `text` with tests/tool/golden/<name>; with SEGLOG_UPDATE_GOLDEN=1
// writes it instead.
void check_golden(const std::string& name, const std::string& text);

// `text` with every `from` replaced by `to` (a temporary path by "DIR").
std::string replace_all(std::string text, const std::string& from, const std::string& to);

// Lowercase hex, two digits a byte (what dump --payload hex prints).
std::string hex_of(const std::vector<std::byte>& bytes);

// The findings of a verify --json object of `kind` (any when empty) and
// severity "damage" / "warning".
std::vector<boost::json::object> findings_of(const boost::json::object& report,
                                             const std::string& severity,
                                             const std::string& kind = "");

}  // namespace seglog::tooltest

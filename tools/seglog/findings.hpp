// tools/seglog/findings.hpp — what stat, verify and repair report: one
// finding per problem, naming the file, offset and index (docs/cli.md,
// "Findings").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seglog::tool {

// damage: data a writable open refuses or a read fails on, or parts of the
// directory that contradict each other; verify exits 1. warning: not
// damage (a torn tail a writable open cuts, leftovers it removes, files
// seglog ignores), reported so an operator knows.
enum class Severity { damage, warning };

struct Finding {
  Severity severity = Severity::damage;
  std::string kind;  // stable, for scripts: docs/cli.md lists them
  std::string file;  // a name in the directory; empty: the directory
  std::optional<std::uint64_t> offset;
  std::optional<std::uint64_t> index;
  std::string message;
};

class Findings {
 public:
  void damage(std::string kind, std::string file, std::string message,
              std::optional<std::uint64_t> offset = {}, std::optional<std::uint64_t> index = {});
  void warning(std::string kind, std::string file, std::string message,
               std::optional<std::uint64_t> offset = {}, std::optional<std::uint64_t> index = {});
  void append(const Findings& other);
  void remove_kind(const std::string& kind);

  const std::vector<Finding>& all() const noexcept { return list_; }
  std::size_t damage_count() const noexcept;
  std::size_t warning_count() const noexcept { return list_.size() - damage_count(); }
  bool clean() const noexcept { return damage_count() == 0; }

 private:
  std::vector<Finding> list_;
};

const char* severity_name(Severity severity) noexcept;

// "damage: 00000000000000000001.seg at offset 4136 (index 2): ..." — one
// line, for standard output or error.
std::string describe(const Finding& finding);

}  // namespace seglog::tool

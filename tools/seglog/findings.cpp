// tools/seglog/findings.cpp — findings and their one-line description.
#include "findings.hpp"

#include <algorithm>

namespace seglog::tool {

void Findings::damage(std::string kind, std::string file, std::string message,
                      std::optional<std::uint64_t> offset, std::optional<std::uint64_t> index) {
  list_.push_back(
      {Severity::damage, std::move(kind), std::move(file), offset, index, std::move(message)});
}

void Findings::warning(std::string kind, std::string file, std::string message,
                       std::optional<std::uint64_t> offset, std::optional<std::uint64_t> index) {
  list_.push_back(
      {Severity::warning, std::move(kind), std::move(file), offset, index, std::move(message)});
}

void Findings::append(const Findings& other) {
  list_.insert(list_.end(), other.list_.begin(), other.list_.end());
}

void Findings::remove_kind(const std::string& kind) {
  std::erase_if(list_, [&](const Finding& f) { return f.kind == kind; });
}

std::size_t Findings::damage_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(
      list_.begin(), list_.end(), [](const Finding& f) { return f.severity == Severity::damage; }));
}

const char* severity_name(Severity severity) noexcept {
  return severity == Severity::damage ? "damage" : "warning";
}

std::string describe(const Finding& f) {
  std::string out = severity_name(f.severity);
  out += ": ";
  if (!f.file.empty()) {
    out += f.file;
    if (f.offset) out += " at offset " + std::to_string(*f.offset);
    if (f.index) out += " (index " + std::to_string(*f.index) + ")";
    out += ": ";
  } else if (f.index) {
    out += "index " + std::to_string(*f.index) + ": ";
  }
  out += f.message;
  out += " [" + f.kind + "]";
  return out;
}

}  // namespace seglog::tool

// io/machine_limits.cpp — reads /proc and /sys for the machine's memory
// and mapping limits. A value that cannot be read is left out (nullopt),
// never guessed here: the caller picks the fallback.
#include "io/machine_limits.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace seglog::detail {
namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return std::nullopt;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

// The limit of this process's memory cgroup, v2 first.
std::optional<std::uint64_t> cgroup_memory_limit() {
  const auto cgroups = read_text("/proc/self/cgroup");
  if (!cgroups) return std::nullopt;
  if (const auto path = cgroup_path(*cgroups, true)) {
    if (const auto text = read_text("/sys/fs/cgroup" + std::string(*path) + "/memory.max")) {
      return parse_cgroup_limit(*text);
    }
  }
  if (const auto path = cgroup_path(*cgroups, false)) {
    if (const auto text =
            read_text("/sys/fs/cgroup/memory" + std::string(*path) + "/memory.limit_in_bytes")) {
      return parse_cgroup_limit(*text);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_cgroup_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text == "max") return std::nullopt;
  const auto value = parse_number(text);
  // cgroup v1 says "no limit" with the largest page-aligned signed value.
  if (!value || *value >= (std::uint64_t{1} << 62)) return std::nullopt;
  return value;
}

std::optional<std::string_view> cgroup_path(std::string_view text, bool v2) {
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    // hierarchy-ID:controller-list:path
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, first);
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (v2 && id == "0" && controllers.empty()) return path;
    if (!v2) {
      for (std::string_view rest = controllers; !rest.empty();) {
        const std::size_t comma = rest.find(',');
        if (rest.substr(0, comma) == "memory") return path;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> machine_memory_bytes() {
  const auto physical = physical_memory_bytes();
  const auto limit = cgroup_memory_limit();
  if (physical && limit) return std::min(*physical, *limit);
  return physical ? physical : limit;
}

std::optional<std::uint64_t> max_map_count() {
  const auto text = read_text("/proc/sys/vm/max_map_count");
  return text ? parse_number(*text) : std::nullopt;
}

}  // namespace seglog::detail

// tools/seglog/human_format.hpp — how the tool writes for people: sizes in
// KiB/MiB/GiB, payloads as hex, base64 or escaped text, aligned columns
// (docs/cli.md, "Output").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seglog::tool {

// "0 B", "512 B", "4.0 KiB", "64.0 MiB", "1.25 GiB".
std::string human_bytes(std::uint64_t bytes);
// "1.2 GB/s" (decimal: throughput).
std::string human_rate(double bytes_per_second);
// "0:07", "1:02:03".
std::string human_duration(double seconds);

// Lowercase hex, two digits a byte, of at most `max_bytes` bytes (then
// "..." when more follow).
std::string hex_bytes(std::span<const std::byte> bytes, std::size_t max_bytes = SIZE_MAX);
std::string base64_bytes(std::span<const std::byte> bytes);
// Printable ASCII as is; `\` as `\\`; every other byte as \xNN.
std::string escaped_text(std::span<const std::byte> bytes);
std::string escaped_text(std::string_view text);

// Rows of cells printed with each column padded to its widest cell;
// columns marked numeric are right-aligned.
class Table {
 public:
  explicit Table(std::vector<bool> numeric) : numeric_(std::move(numeric)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Each row on its own line, columns two spaces apart, each line
  // prefixed with `indent`.
  std::string render(std::string_view indent = "") const;

 private:
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace seglog::tool

// tools/seglog/commands.hpp — the four subcommands and their options, as
// main.cpp parses them (docs/cli.md). Each returns the process's exit
// status and writes its errors to standard error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace seglog::tool {

// Exit statuses (docs/cli.md, "Exit status").
inline constexpr int kExitClean = 0;   // done; nothing damaged found
inline constexpr int kExitDamage = 1;  // damage found (or left, after repair)
inline constexpr int kExitError = 2;   // usage, OS error, refused, gave up

struct StatOptions {
  std::filesystem::path dir;
  bool json = false;
};

enum class PayloadFormat { preview, none, hex, base64, text };

struct DumpOptions {
  std::filesystem::path dir;
  std::optional<std::uint64_t> from;
  std::optional<std::uint64_t> to;
  PayloadFormat payload = PayloadFormat::preview;
  std::optional<std::filesystem::path> segment;  // --segment FILE
  bool kv = false;                               // --kv: stable.kv's pairs
  bool json = false;
};

enum class ProgressMode { automatic, never };

struct VerifyOptions {
  std::filesystem::path dir;
  bool json = false;
  ProgressMode progress = ProgressMode::automatic;
};

struct RepairOptions {
  std::filesystem::path dir;
  bool dry_run = false;
  bool yes = false;
  bool json = false;
};

int run_stat(const StatOptions& options);
int run_dump(const DumpOptions& options);
int run_dump_kv(const DumpOptions& options);  // dump --kv (dump_kv.cpp)
int run_verify(const VerifyOptions& options);
int run_repair(const RepairOptions& options);

// The tool's version: the library's (meson's project version).
const char* tool_version() noexcept;

}  // namespace seglog::tool

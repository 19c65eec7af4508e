// tools/seglog/main.cpp — the seglog command line: subcommands stat, dump,
// verify and repair, parsed by CLI11 (docs/cli.md says why CLI11). Every
// error is a value up to here; CLI11 reports usage errors by exception,
// caught at the parse, and nothing else may escape main.
#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <string>

#ifndef SEGLOG_VERSION
#define SEGLOG_VERSION "unknown"
#endif

namespace seglog::tool {

const char* tool_version() noexcept { return SEGLOG_VERSION; }

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "seglog: look inside a seglog directory (a Raft node's log, snapshot, hard state and "
      "cluster configuration), live or not.\nExit status: 0 clean, 1 damage found, 2 usage or "
      "OS error. See man seglog or docs/cli.md.",
      "seglog"};
  app.set_version_flag("--version", std::string("seglog ") + tool_version());
  app.require_subcommand(1);

  StatOptions stat;
  auto* stat_cmd = app.add_subcommand(
      "stat",
      "One screen about DIR: index range and terms, segments, snapshot, hard state, cluster "
      "configuration, the writer holding the lock, leftovers and problems seen in the headers. "
      "Reads headers, not records. Exit 1 if a header shows damage.");
  stat_cmd->add_option("DIR", stat.dir, "the seglog directory")->required();
  stat_cmd->add_flag("--json", stat.json, "one JSON object (schema: docs/cli.md)");

  DumpOptions dump;
  std::string payload = "preview";
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::string segment;
  auto* dump_cmd = app.add_subcommand(
      "dump",
      "The entries of DIR, one line each: index, term, type, payload size, checksum status and "
      "payload. Streams. With --segment FILE: every record of one segment file with its offset, "
      "valid or not. With --kv: the key-value store's pairs. Exit 1 if an entry cannot be read.");
  dump_cmd->add_option("DIR", dump.dir, "the seglog directory");
  auto* from_opt =
      dump_cmd->add_option("--from", from, "first index to print (default: the first)");
  auto* to_opt =
      dump_cmd->add_option("--to", to, "last index to print, inclusive (default: the last)");
  dump_cmd
      ->add_option("--payload", payload,
                   "payload as: preview (first 16 bytes in hex), none, hex, base64, text")
      ->check(CLI::IsMember({"preview", "none", "hex", "base64", "text"}));
  auto* segment_opt = dump_cmd->add_option(
      "--segment", segment, "dump this segment file's records with their offsets, valid or not");
  auto* kv_opt = dump_cmd->add_flag(
      "--kv", dump.kv,
      "the key-value pairs of DIR/stable.kv (set_value), as get_value serves them; --payload "
      "applies to the values");
  dump_cmd->add_flag("--json", dump.json, "JSON Lines: one object per entry");
  segment_opt->excludes(from_opt)->excludes(to_opt);
  kv_opt->excludes(from_opt)->excludes(to_opt)->excludes(segment_opt);

  VerifyOptions verify;
  bool no_progress = false;
  auto* verify_cmd = app.add_subcommand(
      "verify",
      "Read and check everything in DIR: every record's checksum and index, segment headers, "
      "state slots, footers, contiguity, the snapshot's checksum, the state and cluster files, "
      "and the four parts against each other. Exit 0 clean, 1 damage found.");
  verify_cmd->add_option("DIR", verify.dir, "the seglog directory")->required();
  verify_cmd->add_flag("--json", verify.json, "one JSON object (schema: docs/cli.md)");
  verify_cmd->add_flag("--no-progress", no_progress,
                       "no progress bar (it is shown only on a terminal, for a large log)");

  RepairOptions repair;
  auto* repair_cmd = app.add_subcommand(
      "repair",
      "Make a damaged DIR open again without deleting anything: what is taken out of the log is "
      "moved into DIR/quarantine/<time>/ with a README.txt. Takes the writer's lock (refuses "
      "with `locked` if a writer has DIR open). Exit 0 when DIR then verifies clean.");
  repair_cmd->add_option("DIR", repair.dir, "the seglog directory")->required();
  repair_cmd->add_flag("--dry-run", repair.dry_run, "print the exact plan; change nothing");
  repair_cmd->add_flag("--yes,-y", repair.yes,
                       "apply without asking (needed when standard input is not a terminal)");
  repair_cmd->add_flag("--json", repair.json, "one JSON object: the plan and its outcome");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0.
    const int code = app.exit(e);
    return code == 0 ? kExitClean : kExitError;
  }

  if (*stat_cmd) return run_stat(stat);
  if (*dump_cmd) {
    static const std::map<std::string, PayloadFormat> kFormats = {
        {"preview", PayloadFormat::preview},
        {"none", PayloadFormat::none},
        {"hex", PayloadFormat::hex},
        {"base64", PayloadFormat::base64},
        {"text", PayloadFormat::text}};
    dump.payload = kFormats.at(payload);
    if (from_opt->count() > 0) dump.from = from;
    if (to_opt->count() > 0) dump.to = to;
    if (segment_opt->count() > 0) dump.segment = segment;
    if (!dump.segment && dump.dir.empty()) {
      std::cerr << "seglog dump: DIR or --segment FILE is required\n" << dump_cmd->help();
      return kExitError;
    }
    return run_dump(dump);
  }
  if (*verify_cmd) {
    verify.progress = no_progress ? ProgressMode::never : ProgressMode::automatic;
    return run_verify(verify);
  }
  if (*repair_cmd) return run_repair(repair);
  return kExitError;
}

}  // namespace
}  // namespace seglog::tool

int main(int argc, char** argv) {
  try {
    return seglog::tool::run(argc, argv);
  } catch (const std::exception& e) {
    // Only allocation failures can get here (errors are values below).
    std::fprintf(stderr, "seglog: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "seglog: unexpected failure\n");
  }
  return seglog::tool::kExitError;
}

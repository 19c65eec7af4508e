// tools/seglog/dump_kv.cpp — `seglog dump --kv DIR`: the key-value pairs
// of stable.kv as get_value serves them (the last record of a key wins; a
// torn tail is not a pair), read without the lock through kv_check, so a
// live writer's store can be looked at (docs/cli.md, "dump").
#include "commands.hpp"
#include "entry_printer.hpp"
#include "human_format.hpp"
#include "json_out.hpp"
#include "kv_check.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace seglog::tool {

namespace json = boost::json;

namespace {

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool write_line(const std::string& line) {
  return std::fwrite(line.data(), 1, line.size(), stdout) == line.size();
}

bool print_note(const DumpOptions& options, const std::string& text) {
  if (options.json) return print_json_line(stdout, json::object{{"note", json_text(text)}});
  return write_line("# " + text + "\n");
}

}  // namespace

int run_dump_kv(const DumpOptions& options) {
  Findings findings;
  auto checked = check_kv(options.dir, findings);
  if (!checked) {
    std::cerr << "seglog dump: " << checked.error().message() << "\n";
    return kExitError;
  }
  if (!*checked) {
    std::cerr << "seglog dump: note: " << (options.dir / "stable.kv").string()
              << " does not exist: no value was ever set\n";
    return kExitClean;
  }
  const KvReport& kv = **checked;
  for (const Finding& f : findings.all()) std::cerr << "seglog dump: " << describe(f) << "\n";
  bool ok = true;
  if (kv.damaged()) {
    // get_value fails on this file: what is listed is what a repair keeps.
    ok = print_note(options, "stable.kv is damaged (get_value fails on it); the " +
                                 std::to_string(kv.values.size()) +
                                 " keys below are what `seglog repair` keeps");
    for (const KvLoss& loss : kv.lost) ok = ok && print_note(options, "lost: " + describe(loss));
  } else {
    ok = print_note(options, "stable.kv: " + std::to_string(kv.values.size()) + " keys, " +
                                 std::to_string(kv.used_bytes) + " of " +
                                 std::to_string(kv.file_bytes) + " bytes used");
  }
  Table table({false, true, false});
  for (const auto& [key, value] : kv.values) {
    if (!ok) break;
    const auto text = payload_text(options.payload, value);
    if (options.json) {
      json::object o;
      o["key"] = json_text(as_string(key));
      o["key_hex"] = hex_bytes(key);
      o["bytes"] = value.size();
      if (text) o[std::string("value_") + payload_format_name(options.payload)] = *text;
      ok = print_json_line(stdout, o);
    } else {
      std::vector<std::string> row{escaped_text(key), std::to_string(value.size()) + " B"};
      if (text && !text->empty()) row.push_back(*text);
      table.add(std::move(row));
    }
  }
  if (ok && !options.json) {
    std::string out = table.render();
    ok = write_line(out);
  }
  if (std::fflush(stdout) != 0 || !ok) return kExitError;
  return kv.damaged() ? kExitDamage : kExitClean;
}

}  // namespace seglog::tool

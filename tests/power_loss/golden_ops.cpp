// power_loss/golden_ops.cpp — recording, normalizing and comparing the
// durable operations of a scenario (golden_ops.hpp).
#include "power_loss/golden_ops.hpp"

#include "power_loss/write_ranges.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <iterator>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#ifndef SEGLOG_GOLDEN_DIR
#error "SEGLOG_GOLDEN_DIR (tests/power_loss/golden in the source tree) must be defined"
#endif

namespace seglog::test {
namespace {

using seglog::detail::fault::Call;
using seglog::detail::fault::Op;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Where a run of exactly 16 lowercase hex digits starts in `name`, or npos.
std::size_t random_part(const std::string& name) {
  for (std::size_t i = 0; i + 16 <= name.size(); ++i) {
    if (i > 0 && std::isalnum(static_cast<unsigned char>(name[i - 1]))) continue;
    bool all = true;
    for (std::size_t k = i; k < i + 16 && all; ++k) all = is_hex(name[k]);
    if (!all) continue;
    if (i + 16 < name.size() && std::isalnum(static_cast<unsigned char>(name[i + 16]))) continue;
    return i;
  }
  return std::string::npos;
}

std::string slug(const std::string& scenario) {
  std::string out;
  for (char c : scenario) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string size_of(int fd) {
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) return " size ?";
  return " size " + std::to_string(st.st_size);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines of `stream` with each run of unlinks of random-named files
// sorted: open removes leftover temporaries in directory order, which for
// random names is random (either order is the same cleanup). The spares
// in such a run become one line: how many a crash leaves depends on how
// far the spare thread had got, which the writer does not wait for (the
// crash image keeps a spare's creation only if a directory sync of
// another thread happened to follow it).
std::vector<std::string> normalized(const std::vector<std::string>& stream) {
  std::vector<std::string> out;
  auto leftover = [](const std::string& line) { return line.starts_with("  unlink <"); };
  auto spare = [](const std::string& line) { return line.starts_with("  unlink <spare "); };
  for (auto it = stream.begin(); it != stream.end();) {
    if (!leftover(*it)) {
      out.push_back(*it++);
      continue;
    }
    const auto end = std::find_if_not(it, stream.end(), leftover);
    std::vector<std::string> run;
    std::copy_if(it, end, std::back_inserter(run), [&](const std::string& l) { return !spare(l); });
    if (std::any_of(it, end, spare)) run.push_back("  unlink <leftover spares>");
    std::sort(run.begin(), run.end());
    out.insert(out.end(), run.begin(), run.end());
    it = end;
  }
  return out;
}

std::size_t op_count(const std::vector<std::string>& lines) {
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("  "); }));
}

}  // namespace

void OpRecorder::watch(const std::filesystem::path& dir) {
  std::lock_guard lock(mu_);
  dir_ = dir;
  watching_ = true;
}

void OpRecorder::begin_operation(const std::string& label) {
  std::lock_guard lock(mu_);
  writer_ = std::this_thread::get_id();
  writer_lines_.push_back(label);
}

void OpRecorder::crash(std::uint64_t pattern) {
  std::lock_guard lock(mu_);
  watching_ = false;
  ++crashes_;
  writer_lines_.push_back("-- power loss " + std::to_string(crashes_) + " (loss pattern " +
                          std::to_string(pattern) + "); the log reopens on what it left");
  // The next log has threads of its own (an id may be reused).
  background_.clear();
}

bool OpRecorder::relevant(const Call& call) const {
  if (!watching_) return false;
  if (call.op == Op::sync_directory) return call.path.lexically_normal() == dir_.lexically_normal();
  return call.path.parent_path().lexically_normal() == dir_.lexically_normal();
}

std::string OpRecorder::name_of(const std::filesystem::path& path, bool writer) {
  const std::string name = path.filename().string();
  const std::size_t at = random_part(name);
  if (at == std::string::npos) return name;
  auto known = names_.find(name);
  if (known != names_.end()) return known->second;
  std::string kind = "random";
  if (name.ends_with(".spare")) kind = "spare";
  if (name.starts_with("snapshot.bin.") && name.ends_with(".tmp")) kind = "snapshot tmp";
  const std::string who = writer ? "w" : "b";
  const int n = ++counters_[kind + " " + who];
  return names_[name] = "<" + kind + " " + who + std::to_string(n) + ">";
}

std::vector<std::string>& OpRecorder::stream_of(std::thread::id thread, bool spare) {
  if (thread == writer_) return writer_lines_;
  auto it = background_.find(thread);
  if (it == background_.end()) it = background_.emplace(thread, Stream{crashes_ + 1, spare}).first;
  return background_lines_[it->second];
}

int OpRecorder::before(const Call& call) {
  // Runs on the calling thread, right before the call: its pwrites follow.
  if (call.op == Op::write) reset_write_range();
  return 0;
}

void OpRecorder::after(const Call& call, int err) {
  std::lock_guard lock(mu_);
  if (!relevant(call)) return;
  const bool writer = std::this_thread::get_id() == writer_;
  std::string line = std::string("  ") + seglog::detail::fault::op_name(call.op) + " ";
  if (call.op == Op::sync_directory) {
    line += "<dir>";
  } else if (call.op == Op::rename && call.from != nullptr) {
    line += name_of(*call.from, writer) + " -> " + name_of(call.path, writer);
  } else {
    line += name_of(call.path, writer);
  }
  if (err == 0) {
    if (call.op == Op::write) {
      const WriteRange range = write_range();
      std::string bytes = std::to_string(range.bytes);
      // restart.json lists random salts in decimal: its length varies
      // from run to run.
      if (call.path.filename() == "restart.json.tmp") bytes = "<salts>";
      line += range.calls == 0 ? " [?]" : " [" + std::to_string(range.offset) + ", +" + bytes + ")";
    }
    if (call.op == Op::preallocate || call.op == Op::truncate) line += size_of(call.fd);
  } else {
    line += std::string(" failed: ") + std::strerror(err);
  }
  const bool spare = call.path.filename().string().ends_with(".spare");
  stream_of(std::this_thread::get_id(), spare).push_back(std::move(line));
}

std::string OpRecorder::text(const std::string& scenario) const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  out << "# Durable operations of the power-loss scenario \"" << scenario << "\"\n"
      << "# (tests/power_loss/power_loss_test.cpp), per thread, in that thread's order;\n"
      << "# the threads' interleaving is not recorded. Written by power_loss_golden_test\n"
      << "# with SEGLOG_UPDATE_GOLDEN=1; see docs/reliability.md, \"Golden records of the\n"
      << "# durable operations\". write: [offset, +bytes); preallocate, truncate: the size\n"
      << "# after.\n";
  const std::vector<std::string> writer = normalized(writer_lines_);
  out << "\n## writer (the test's thread): " << op_count(writer) << " ops\n";
  for (const std::string& line : writer) out << line << "\n";
  for (const auto& [stream, lines] : background_lines_) {
    const auto [n, spares] = stream;
    out << "\n## " << (spares ? "spares " : "background ") << n
        << (spares ? " (the log's spare thread" : " (the log's worker")
        << (n == 1 ? "" : ", after a power loss") << "): " << op_count(lines) << " ops\n";
    for (const std::string& line : normalized(lines)) out << line << "\n";
  }
  return out.str();
}

bool OpRecorder::finish(const std::string& scenario) {
  check_golden(scenario, text(scenario));
  return true;
}

std::filesystem::path golden_path(const std::string& scenario) {
  return std::filesystem::path(SEGLOG_GOLDEN_DIR) / (slug(scenario) + ".ops");
}

std::string line_diff(const std::string& want_text, const std::string& got_text) {
  const std::vector<std::string> a = lines_of(want_text);
  const std::vector<std::string> b = lines_of(got_text);
  if (a == b) return {};
  // Longest common subsequence, from the ends: lcs[i][j] for a[i..], b[j..].
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Line {
    char tag;  // ' ', '-', '+'
    std::size_t a_line, b_line;
    const std::string* text;
  };
  std::vector<Line> script;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      script.push_back({' ', i, j, &a[i]});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script.push_back({'-', i, j, &a[i]});
      ++i;
    } else {
      script.push_back({'+', i, j, &b[j]});
      ++j;
    }
  }
  // Hunks: changed lines with three lines of context each side.
  constexpr std::size_t kContext = 3;
  std::vector<bool> shown(script.size(), false);
  for (std::size_t k = 0; k < script.size(); ++k) {
    if (script[k].tag == ' ') continue;
    const std::size_t from = k >= kContext ? k - kContext : 0;
    const std::size_t to = std::min(script.size(), k + kContext + 1);
    for (std::size_t x = from; x < to; ++x) shown[x] = true;
  }
  std::ostringstream out;
  for (std::size_t k = 0; k < script.size(); ++k) {
    if (!shown[k]) continue;
    if (k == 0 || !shown[k - 1]) {
      out << "@@ golden line " << script[k].a_line + 1 << ", this run line " << script[k].b_line + 1
          << " @@\n";
    }
    out << script[k].tag << " " << *script[k].text << "\n";
  }
  return out.str();
}

void check_golden(const std::string& scenario, const std::string& record) {
  const std::filesystem::path path = golden_path(scenario);
  const char* update = std::getenv("SEGLOG_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << record;
    REQUIRE(out.good());
    std::cout << "golden record written: " << path.string() << " (" << record.size() << " bytes)\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FAIL_CHECK("no golden record " << path.string() << " for the scenario \"" << scenario
                                   << "\": write it with SEGLOG_UPDATE_GOLDEN=1");
    return;
  }
  std::ostringstream golden;
  golden << in.rdbuf();
  const std::string diff = line_diff(golden.str(), record);
  const std::size_t lines =
      static_cast<std::size_t>(std::count(record.begin(), record.end(), '\n'));
  if (diff.empty()) {
    std::cout << "golden record, " << scenario << ": " << lines << " lines, unchanged ("
              << path.filename().string() << ")\n";
    return;
  }
  FAIL_CHECK("the durable operations of \""
             << scenario << "\" differ from " << path.string()
             << " ('-' golden, '+' this run). A pure move of code must not "
             << "change them; if the change is meant, rerun with SEGLOG_UPDATE_GOLDEN=1 and "
             << "say why in the commit.\n"
             << diff);
}

}  // namespace seglog::test

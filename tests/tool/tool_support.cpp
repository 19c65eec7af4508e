// tool/tool_support.cpp — the child process, JSON parsing and goldens.
#include "tool/tool_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace seglog::tooltest {

namespace json = boost::json;

ToolRun run_tool(const std::vector<std::string>& args) {
  const char* tool = std::getenv("SEGLOG_TOOL");
  REQUIRE(tool != nullptr);
  int out_pipe[2];
  int err_pipe[2];
  REQUIRE(::pipe2(out_pipe, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err_pipe, O_CLOEXEC) == 0);
  std::vector<std::string> argv_strings = {tool};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execv(tool, argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ToolRun run;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    run.signal = WTERMSIG(status);
  }
  return run;
}

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  INFO("JSON: " << text);
  REQUIRE(!ec);
  REQUIRE(value.is_object());
  return value.as_object();
}

std::vector<json::object> parse_lines(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(parse_object(line));
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void check_golden(const std::string& name, const std::string& text) {
  const fs::path path = fs::path(SEGLOG_TOOL_GOLDEN_DIR) / name;
  const char* update = std::getenv("SEGLOG_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
    WARN("rewrote " << path.string());
    return;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path.string() << " (SEGLOG_UPDATE_GOLDEN=1 writes it)");
  REQUIRE(in.good());
  std::string expected((std::istreambuf_iterator<char>(in)), {});
  if (expected != text) {
    std::istringstream a(expected);
    std::istringstream b(text);
    std::string la;
    std::string lb;
    int line = 0;
    while (true) {
      ++line;
      const bool ga = static_cast<bool>(std::getline(a, la));
      const bool gb = static_cast<bool>(std::getline(b, lb));
      if (!ga && !gb) break;
      if (la != lb || ga != gb) {
        INFO("first difference at line " << line << "\n  golden: " << la << "\n  actual: " << lb);
        CHECK(expected == text);
        return;
      }
    }
  }
  CHECK(expected == text);
}

std::string hex_of(const std::vector<std::byte>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    out += kDigits[std::to_integer<unsigned>(b) >> 4];
    out += kDigits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

std::vector<json::object> findings_of(const json::object& report, const std::string& severity,
                                      const std::string& kind) {
  std::vector<json::object> out;
  const json::value* list = report.if_contains("findings");
  if (list == nullptr) list = report.if_contains("problems");
  REQUIRE(list != nullptr);
  for (const json::value& v : list->as_array()) {
    const json::object& f = v.as_object();
    if (f.at("severity").as_string() != severity.c_str()) continue;
    if (!kind.empty() && f.at("kind").as_string() != kind.c_str()) continue;
    out.push_back(f);
  }
  return out;
}

}  // namespace seglog::tooltest

// rounds.cpp — the rounds of --impl all: one forked child per run, its
// phases object passed back through a pipe.
#include "rounds.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace seglog::workload {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Writes all of `text` to `fd`; false if the pipe broke.
bool write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

// Runs one implementation in a forked child, so that each starts from a
// fresh process (heap, RSS, mappings: reopen's rss_kib would otherwise
// carry what the allocator kept from the runs before) and returns the
// child's phases object, passed back through a pipe.
json::object run_in_child(const Params& params, const std::string& impl, const fs::path& root,
                          const std::vector<std::string>& phases, std::ostream* progress) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (child == 0) {
    ::close(fds[0]);
    int status = 0;
    try {
      if (!write_all(fds[1], json::serialize(run_one(params, impl, root, phases, progress)))) {
        status = 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "workload: FAILED (" << impl << "): " << e.what() << "\n";
      status = 1;
    }
    // _exit: the parent's TempDir must not be removed by this copy of it.
    std::cerr.flush();
    ::_exit(status);
  }
  ::close(fds[1]);
  const std::string text = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the run of " + impl + " failed");
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) throw std::runtime_error("bad JSON from the run of " + impl);
  return std::move(parsed.as_object());
}

// Removes a run's directory when the run ends, also when it throws: at
// scale one leftover log is gigabytes the next size would miss.
class RemovedAtEnd {
 public:
  explicit RemovedAtEnd(fs::path dir) : dir_(std::move(dir)) {}
  ~RemovedAtEnd() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  RemovedAtEnd(const RemovedAtEnd&) = delete;
  RemovedAtEnd& operator=(const RemovedAtEnd&) = delete;

 private:
  fs::path dir_;
};

// The implementations of one round: as given in odd rounds, reversed in
// even ones. On a VM whose host takes back the guest's free memory, the
// run that follows a pause (or the one that follows a smaller run) pays
// the host's faults on the page cache it fills; at 1 M entries, with
// seglog always first, such a run was slower by up to 3x and decided
// whole rounds. Alternating puts each implementation in each place
// equally often (docs/performance.md, "At scale").
std::vector<std::string> round_order(const std::vector<std::string>& impls, std::uint64_t round) {
  std::vector<std::string> order = impls;
  if (round % 2 == 0) std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace

SubjectConfig subject_config(const Params& p) {
  SubjectConfig config;
  config.segment_size = p.segment_size;
  config.max_entry_size = std::max<std::uint64_t>(config.max_entry_size, p.payload);
  config.payload_bytes = p.payload;
  config.verify_checksums = p.verify_checksums;
  config.max_mapped_segments = p.max_mapped_segments;
  config.max_mapped_bytes = p.max_mapped_bytes;
  return config;
}

json::object run_one(const Params& params, const std::string& impl, const fs::path& root,
                     const std::vector<std::string>& phases, std::ostream* progress) {
  auto subject = make_subject(impl, subject_config(params));
  return run_phases(params, *subject, root, phases, progress);
}

RoundsResult run_rounds(const RoundsPlan& plan, const fs::path& root) {
  std::vector<json::object> rounds_runs;
  std::vector<json::object> rounds_ratios;
  RoundsResult result;
  for (std::uint64_t round = 1; round <= plan.repeat; ++round) {
    json::object runs;
    json::array order;
    for (const std::string& impl : round_order(plan.impls, round)) {
      const auto phases = compared_phases(impl, plan.phases);
      if (phases.empty()) continue;
      if (plan.progress != nullptr) {
        *plan.progress << "workload: round " << round << " of " << plan.repeat << ": running "
                       << impl << "\n";
        plan.progress->flush();
      }
      const fs::path dir = root / impl;
      const RemovedAtEnd removed(dir);
      fs::create_directories(dir);
      runs[impl] = run_in_child(plan.params, impl, dir, phases, plan.progress);
      order.emplace_back(impl);
    }
    json::object ratios = compare_ratios(runs, plan.goals);
    result.rounds.push_back(
        json::object{{"order", std::move(order)}, {"runs", runs}, {"ratios", ratios}});
    rounds_runs.push_back(std::move(runs));
    rounds_ratios.push_back(std::move(ratios));
  }
  result.runs = median_runs(rounds_runs);
  result.ratios = median_ratios(rounds_ratios);
  return result;
}

}  // namespace seglog::workload

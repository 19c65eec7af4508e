// power_loss/golden_ops.hpp — the golden record of a power-loss scenario:
// every durable operation its calls made, per thread, normalized so that a
// run of the same scenario writes the same text (docs/reliability.md,
// "Golden records of the durable operations"). golden_ops_test.cpp
// compares it with tests/power_loss/golden/<scenario>.ops.
#pragma once

#include "power_loss/scenario.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seglog::test {

// What is recorded, and why it is the same from run to run:
//  - Per thread, in the order that thread made the calls: the writer (the
//    test's thread, under the heading of the public operation it is in)
//    and each background thread of each opened log ("background 1",
//    "background 2" after a crash): the log's worker, and its spare
//    thread ("spares 1", ...), told apart by their first op (only the
//    spare thread creates spares). Each thread runs its calls in program
//    order and each thread's background tasks run one at a time in the
//    order they were queued, so each thread's sequence is fixed by the
//    data; how the threads interleave is not, and is not recorded.
//  - Every op of the seam (the prefaulter has none: it changes no byte).
//  - write: [offset, +bytes) (write_ranges.hpp), but restart.json's
//    length, which depends on the random salts it lists, as "+<salts>";
//    preallocate and truncate: the file's size after the call. Every
//    other op: its file.
//  - Random names by order of first appearance in the writer (w) or the
//    background (b): "<spare b1>", "<snapshot tmp w1>", "<random w1>";
//    the directory itself is "<dir>". A run of unlinks of random-named
//    files (open removing leftover spares, in directory order) is sorted.
class OpRecorder final : public ScenarioObserver {
 public:
  void watch(const std::filesystem::path& dir) override;
  void begin_operation(const std::string& label) override;
  void end_operation() override {}
  void crash(std::uint64_t pattern) override;
  // Compares with (or, SEGLOG_UPDATE_GOLDEN=1, writes) the golden file.
  bool finish(const std::string& scenario) override;

  int before(const seglog::detail::fault::Call& call) override;
  void after(const seglog::detail::fault::Call& call, int err) override;

  // The record as it stands, for `scenario`.
  std::string text(const std::string& scenario) const;

 private:
  bool relevant(const seglog::detail::fault::Call& call) const;
  std::string name_of(const std::filesystem::path& path, bool writer);
  // `spare`: the call is on a spare segment (decides a new thread's role).
  std::vector<std::string>& stream_of(std::thread::id thread, bool spare);

  mutable std::mutex mu_;
  std::filesystem::path dir_;
  bool watching_ = false;
  std::thread::id writer_ = std::this_thread::get_id();
  int crashes_ = 0;
  // A background stream: the opened log (1, 2 after a crash, ...) and
  // whether it is the spare thread.
  using Stream = std::pair<int, bool>;
  std::map<std::thread::id, Stream> background_;  // this log's background threads
  std::vector<std::string> writer_lines_;
  std::map<Stream, std::vector<std::string>> background_lines_;
  std::map<std::string, std::string> names_;  // random name -> label
  std::map<std::string, int> counters_;       // "<kind> <w|b>" -> labels given
};

// The golden file of `scenario`: <golden dir>/<slug>.ops.
std::filesystem::path golden_path(const std::string& scenario);

// A line diff of `want` (golden) and `got` (this run), in hunks with three
// lines of context; empty when they are equal.
std::string line_diff(const std::string& want, const std::string& got);

// Compares `record` with the golden file of `scenario` (a failed CHECK
// with the diff), or writes it there when SEGLOG_UPDATE_GOLDEN=1.
void check_golden(const std::string& scenario, const std::string& record);

}  // namespace seglog::test

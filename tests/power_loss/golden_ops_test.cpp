// golden_ops_test.cpp — the power-loss scenarios of power_loss_test.cpp,
// run again with an OpRecorder beside each (golden_ops.hpp): their durable
// operations must match tests/power_loss/golden/<scenario>.ops line for
// line, so a change that only moves code (issue 14) is proven to call the
// disk exactly as before. The crash images are not checked here (the
// power_loss test does); SEGLOG_UPDATE_GOLDEN=1 rewrites the golden files.
// docs/reliability.md, "Golden records of the durable operations".
#include "power_loss/golden_ops.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <thread>

using seglog::detail::fault::Call;
using seglog::detail::fault::Op;
using seglog::test::OpRecorder;
using seglog::test::Scenario;
using seglog::test::ScenarioObserver;

namespace {

std::unique_ptr<ScenarioObserver> make_recorder() { return std::make_unique<OpRecorder>(); }

// Every Scenario of this executable (the TEST_CASEs of power_loss_test.cpp
// are compiled in) records its operations.
const bool observed = (Scenario::observe_all(&make_recorder), true);

// A recorder watching /scratch, its writer inside append(1).
struct Recording {
  OpRecorder r;
  const std::filesystem::path dir = "/scratch";
  const std::filesystem::path spare = dir / "77c966e06af9086b.spare";
  Recording() {
    r.watch(dir);
    r.begin_operation("append(1)");
  }
};

}  // namespace

TEST_CASE_METHOD(Recording,
                 "the golden record names random files by first appearance and each thread apart",
                 "[power_loss][golden]") {
  CHECK(observed);
  const std::filesystem::path segment = dir / "00000000000000000266.seg";
  const std::filesystem::path other = dir / "0000000000000000.spare";  // hex, but not the first
  for (const Call& call :
       {Call{Op::rename, segment, &spare}, Call{Op::unlink, other},
        Call{Op::write, dir / "elsewhere" / "y.seg"}, Call{Op::sync_directory, dir},
        Call{Op::unlink, dir / "elsewhere" / "x.seg"}}) {
    r.after(call, 0);
  }
  const std::string text = r.text("unit");
  CHECK(text.find("## writer (the test's thread): 3 ops\nappend(1)\n"
                  "  rename <spare w1> -> 00000000000000000266.seg\n"
                  "  unlink <leftover spares>\n"
                  "  sync_directory <dir>\n") != std::string::npos);
}

TEST_CASE_METHOD(Recording,
                 "the golden record tells the spare thread from the worker by its first op",
                 "[power_loss][golden]") {
  const std::filesystem::path segment = dir / "00000000000000000001.seg";
  // Each stream's first op decides its role, whichever thread starts
  // first. Both threads live at once, as a log's do (an ended thread's id
  // may be reused).
  std::promise<void> spares_done;
  std::thread worker([&, done = spares_done.get_future()] {
    r.after(Call{Op::sync_directory, dir}, 0);
    r.after(Call{Op::sync, segment}, 0);
    done.wait();
  });
  std::thread spares([&] {
    r.after(Call{Op::create, spare}, 0);
    r.after(Call{Op::sync, spare}, 0);
  });
  spares.join();
  spares_done.set_value();
  worker.join();
  const std::string text = r.text("unit");
  CHECK(text.find("## background 1 (the log's worker): 2 ops\n"
                  "  sync_directory <dir>\n"
                  "  sync 00000000000000000001.seg\n\n"
                  "## spares 1 (the log's spare thread): 2 ops\n"
                  "  create <spare b1>\n"
                  "  sync <spare b1>\n") != std::string::npos);
  // Unlinks of leftover spares at open: one line, however many there were.
  r.after(Call{Op::unlink, dir / "0123456789abcdef.spare"}, 0);
  r.after(Call{Op::unlink, dir / "fedcba9876543210.spare"}, 0);
  r.after(Call{Op::sync_directory, dir}, 0);
  CHECK(r.text("unit").find("## writer (the test's thread): 2 ops\nappend(1)\n"
                            "  unlink <leftover spares>\n"
                            "  sync_directory <dir>\n") != std::string::npos);
}

TEST_CASE("a line diff of golden records shows a swap as one removed and one added line",
          "[power_loss][golden]") {
  const std::string golden = "seal\n  sync a.seg\n  write a.seg [4096, +64)\n  sync a.seg\n";
  const std::string now = "seal\n  write a.seg [4096, +64)\n  sync a.seg\n  sync a.seg\n";
  const std::string diff = seglog::test::line_diff(golden, now);
  CHECK(diff ==
        "@@ golden line 1, this run line 1 @@\n"
        "  seal\n"
        "- "
        "  sync a.seg\n"
        "    write a.seg [4096, +64)\n"
        "    sync a.seg\n"
        "+ "
        "  sync a.seg\n");
  CHECK(seglog::test::line_diff(golden, golden).empty());
}

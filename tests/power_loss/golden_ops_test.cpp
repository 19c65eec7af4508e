// golden_ops_test.cpp — the power-loss scenarios of power_loss_test.cpp,
// run again with an OpRecorder beside each (golden_ops.hpp): their durable
// operations must match tests/power_loss/golden/<scenario>.ops line for
// line, so a change that only moves code (issue 14) is proven to call the
// disk exactly as before. The crash images are not checked here (the
// power_loss test does); SEGLOG_UPDATE_GOLDEN=1 rewrites the golden files.
// docs/reliability.md, "Golden records of the durable operations".
#include "power_loss/golden_ops.hpp"

#include <catch2/catch.hpp>

#include <memory>

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

}  // namespace

TEST_CASE("the golden record names random files by first appearance and each thread apart",
          "[power_loss][golden]") {
  CHECK(observed);
  OpRecorder r;
  const std::filesystem::path dir = "/scratch";
  r.watch(dir);
  r.begin_operation("append(1)");
  const std::filesystem::path spare = dir / "77c966e06af9086b.spare";
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
                  "  unlink <spare w2>\n"
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

// meta/replace_faults_test.cpp — atomic_replace when the OS fails a step
// (through io/fault_injection.hpp): the old file or the new, never a mix.
#include "meta/atomic_replace.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <tuple>
#include <utility>

namespace seglog::test {
namespace {

using detail::atomic_replace;
using detail::fault::Op;

TEST_CASE("atomic_replace keeps the old file when any step before the rename fails") {
  const auto [op, err, expected] = GENERATE(
      std::tuple{Op::write, ENOSPC, errc::no_space}, std::tuple{Op::write, EDQUOT, errc::no_space},
      std::tuple{Op::write, EIO, errc::io_error}, std::tuple{Op::sync, EIO, errc::io_error},
      std::tuple{Op::sync, ENOSPC, errc::no_space}, std::tuple{Op::rename, EIO, errc::io_error});
  TempDir dir;
  write_text(dir / "f.json", "old");
  {
    FailOp fail(op, err);
    CHECK(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new"))) == expected);
    CHECK(fail.failures() == 1);
  }
  CHECK(read_text(dir / "f.json") == "old");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace reports a failed directory fsync after the rename") {
  TempDir dir;
  write_text(dir / "f.json", "old");
  FailOp fail(Op::sync_directory, EIO);
  CHECK(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new"))) == errc::io_error);
  // The rename happened: the new bytes are visible, their durability unknown.
  CHECK(read_text(dir / "f.json") == "new");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace makes every durable step in order") {
  TempDir dir;
  std::vector<std::pair<Op, std::string>> ops;
  detail::fault::set_hook([&](Op op, const std::filesystem::path& p) {
    ops.emplace_back(op, p.filename().string());
    return 0;
  });
  const auto result = outcome(atomic_replace(dir.path(), "f.json", bytes_of("new")));
  detail::fault::set_hook({});
  REQUIRE(is_ok(result));
  const std::string dir_name = dir.path().filename().string();
  CHECK(ops == std::vector<std::pair<Op, std::string>>{{Op::write, "f.json.tmp"},
                                                       {Op::sync, "f.json.tmp"},
                                                       {Op::rename, "f.json"},
                                                       {Op::sync_directory, dir_name}});
}

}  // namespace
}  // namespace seglog::test

// meta/replace_faults_test.cpp — atomic_replace when the OS fails a step
// (through io/fault_injection.hpp): the old file or the new, never a mix.
#include "meta/atomic_replace.hpp"
#include "meta/meta_support.hpp"
#include "support/fault_hook.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <tuple>
#include <vector>

namespace seglog::test {
namespace {

using detail::atomic_replace;
using detail::fault::Op;

TEST_CASE("atomic_replace keeps the old file when any step before the rename fails") {
  const auto [op, err, expected] = GENERATE(
      std::tuple{Op::create, ENOSPC, errc::no_space}, std::tuple{Op::create, EIO, errc::io_error},
      std::tuple{Op::write, ENOSPC, errc::no_space}, std::tuple{Op::write, EDQUOT, errc::no_space},
      std::tuple{Op::write, EIO, errc::io_error}, std::tuple{Op::sync, EIO, errc::io_error},
      std::tuple{Op::sync, ENOSPC, errc::no_space}, std::tuple{Op::rename, EIO, errc::io_error});
  TempDir dir;
  write_text(dir / "f.json", "old");
  {
    ScopedFault fail(op, err);
    CHECK(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new"))) == expected);
    CHECK(fail.hits() == 1);
  }
  CHECK(read_text(dir / "f.json") == "old");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace reports a failed directory fsync after the rename") {
  TempDir dir;
  write_text(dir / "f.json", "old");
  ScopedFault fail(Op::sync_directory, EIO);
  CHECK(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new"))) == errc::io_error);
  // The rename happened: the new bytes are visible, their durability unknown.
  CHECK(read_text(dir / "f.json") == "new");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace makes every durable step in order") {
  TempDir dir;
  CallLog log;
  REQUIRE(is_ok(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new")))));
  const std::string dir_name = dir.path().filename().string();
  CHECK(log.take() == std::vector<SeenCall>{{Op::create, "f.json.tmp"},
                                            {Op::write, "f.json.tmp"},
                                            {Op::sync, "f.json.tmp"},
                                            {Op::rename, "f.json"},
                                            {Op::sync_directory, dir_name}});
}

}  // namespace
}  // namespace seglog::test

// meta/atomic_replace_test.cpp — replacing a file whole: new bytes or old
// bytes, never a mix, and no temporary file left behind.
#include "meta/atomic_replace.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>

namespace seglog::test {
namespace {

using detail::atomic_replace;

TEST_CASE("atomic_replace creates a file holding exactly the given bytes") {
  TempDir dir;
  REQUIRE(is_ok(outcome(atomic_replace(dir.path(), "f.json", bytes_of("hello")))));
  CHECK(read_text(dir / "f.json") == "hello");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace replaces a longer file and leaves no temporary file") {
  TempDir dir;
  write_text(dir / "f.json", "a much longer old content");
  REQUIRE(is_ok(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new")))));
  CHECK(read_text(dir / "f.json") == "new");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace with no bytes leaves an empty file") {
  TempDir dir;
  write_text(dir / "f.json", "old");
  REQUIRE(is_ok(outcome(atomic_replace(dir.path(), "f.json", {}))));
  CHECK(std::filesystem::file_size(dir / "f.json") == 0);
}

TEST_CASE("atomic_replace overwrites a leftover temporary file") {
  TempDir dir;
  write_text(dir / "f.json.tmp", "leftover of a crash, longer than the new content");
  REQUIRE(is_ok(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new")))));
  CHECK(read_text(dir / "f.json") == "new");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace keeps the old file when the temporary name is a directory") {
  TempDir dir;
  write_text(dir / "f.json", "old");
  std::filesystem::create_directory(dir / "f.json.tmp");
  const auto result = outcome(atomic_replace(dir.path(), "f.json", bytes_of("new")));
  CHECK(result == errc::io_error);
  CHECK(result.message.find("f.json.tmp") != std::string::npos);
  CHECK(read_text(dir / "f.json") == "old");
}

TEST_CASE("atomic_replace removes its temporary file when the target is a directory") {
  TempDir dir;
  std::filesystem::create_directory(dir / "f.json");
  CHECK(outcome(atomic_replace(dir.path(), "f.json", bytes_of("new"))) == errc::io_error);
  CHECK(std::filesystem::is_directory(dir / "f.json"));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"f.json"});
}

TEST_CASE("atomic_replace into a missing directory is not_found") {
  TempDir dir;
  CHECK(outcome(atomic_replace(dir / "missing", "f.json", bytes_of("x"))) ==
        errc::not_found);
}

#ifdef SEGLOG_FAULT_INJECTION
using detail::fault::Op;

TEST_CASE("atomic_replace keeps the old file when any step before the rename fails") {
  const auto [op, err, expected] = GENERATE(
      std::tuple{Op::write, ENOSPC, errc::no_space},
      std::tuple{Op::write, EDQUOT, errc::no_space},
      std::tuple{Op::write, EIO, errc::io_error},
      std::tuple{Op::sync, EIO, errc::io_error},
      std::tuple{Op::sync, ENOSPC, errc::no_space},
      std::tuple{Op::rename, EIO, errc::io_error});
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
#endif

}  // namespace
}  // namespace seglog::test

// meta/atomic_replace_test.cpp — replacing a file whole: new bytes or old
// bytes, never a mix, and no temporary file left behind.
#include "meta/atomic_replace.hpp"
#include "meta/meta_support.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

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
  CHECK(outcome(atomic_replace(dir / "missing", "f.json", bytes_of("x"))) == errc::not_found);
}

}  // namespace
}  // namespace seglog::test

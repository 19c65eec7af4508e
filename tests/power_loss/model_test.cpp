// model_test.cpp — the power-loss model itself: synced bytes always
// survive, unsynced pages vary by sector, namespace operations survive as a
// prefix, steps are named, and a protocol missing an fsync is caught.
#include "io/file.hpp"
#include "power_loss/crash_image.hpp"
#include "power_loss/durable_model.hpp"
#include "support/entries.hpp"
#include "support/results.hpp"
#include "power_loss/scratch_dir.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace seglog::test {
namespace {

using detail::File;

Bytes filled(std::size_t size, unsigned char value) { return Bytes(size, std::byte{value}); }

std::set<std::string> names_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

File create(const std::filesystem::path& path) {
  auto file = File::open(path, File::Mode::create_or_truncate);
  REQUIRE(file);
  return std::move(*file);
}

TEST_CASE("model: synced bytes survive; unsynced pages are old, new or torn per sector",
          "[power_loss][model]") {
  ScratchDir dir;
  DurableModel model(dir.path());
  model.begin_operation("write", 0);
  File f = create(dir / "f");
  REQUIRE(f.write_at(0, filled(8192, 'A')));
  REQUIRE(f.data_sync());
  REQUIRE(detail::sync_directory(dir.path()));
  REQUIRE(f.write_at(0, filled(4096, 'B')));     // overwrites a synced page
  REQUIRE(f.write_at(8192, filled(4096, 'C')));  // grows the file, unsynced
  model.end_operation(0);
  model.uninstall();
  const CrashPoint point = model.crash_points().back();
  CHECK(point.step == "after write returned");
  std::set<std::string> seen;
  for (std::uint64_t k = 0; k < 200; ++k) {
    ScratchDir image;
    write_crash_image(point, k, 7, image.path());
    const Bytes bytes = read_file(image / "f");
    REQUIRE((bytes.size() == 8192 || bytes.size() == 12288));
    for (std::size_t sector = 0; sector < bytes.size(); sector += 512) {
      const std::byte first = bytes[sector];
      for (std::size_t i = sector; i < sector + 512; ++i) REQUIRE(bytes[i] == first);
      const char c = static_cast<char>(first);
      if (sector < 4096) REQUIRE((c == 'A' || c == 'B'));
      if (sector >= 4096 && sector < 8192) REQUIRE(c == 'A');  // synced, never lost
      if (sector >= 8192) REQUIRE((c == 'C' || c == '\0'));
      seen.insert(std::string(1, c == '\0' ? '0' : c) + (sector < 4096 ? "@0" : "@2"));
    }
    if (k == 0) CHECK(bytes == filled(8192, 'A'));
    if (k == 1) CHECK(bytes.size() == 12288);
  }
  // Every choice happened somewhere.
  CHECK(seen == std::set<std::string>{"A@0", "B@0", "A@2", "C@2", "0@2"});
}

TEST_CASE("model: namespace operations after the last directory fsync survive as a prefix",
          "[power_loss][model]") {
  ScratchDir dir;
  {
    File a = create(dir / "a");
    REQUIRE(a.write_at(0, filled(100, 'a')));
  }
  DurableModel model(dir.path());  // "a" is durable
  model.begin_operation("ops", 0);
  {
    File b = create(dir / "b");
    REQUIRE(b.write_at(0, filled(100, 'b')));
    REQUIRE(b.sync());
  }
  REQUIRE(detail::rename_file(dir / "b", dir / "c"));
  REQUIRE(detail::remove_file(dir / "a"));
  model.end_operation(0);
  model.uninstall();
  const auto points = model.crash_points();
  REQUIRE(points.size() == 6);
  CHECK(points[0].step == "before ops#1 create b");
  CHECK(points[3].step == "before ops#4 rename b -> c");
  CHECK(points[4].step == "before ops#5 unlink a");
  std::set<std::set<std::string>> outcomes;
  for (std::uint64_t k = 0; k < 100; ++k) {
    ScratchDir image;
    write_crash_image(points.back(), k, 3, image.path());
    const auto names = names_in(image.path());
    outcomes.insert(names);
    if (names.count("a")) CHECK(read_file(image / "a") == filled(100, 'a'));
    for (const char* n : {"b", "c"}) {
      if (names.count(n)) CHECK(read_file(image / n) == filled(100, 'b'));  // synced
    }
  }
  using Names = std::set<std::string>;
  CHECK(outcomes == std::set<Names>{Names{"a"}, Names{"a", "b"}, Names{"a", "c"}, Names{"c"}});
}

TEST_CASE("model: a replace that renames before fsyncing is caught", "[power_loss][model]") {
  ScratchDir dir;
  {
    File target = create(dir / "target");
    REQUIRE(target.write_at(0, filled(50, 'o')));
  }
  DurableModel model(dir.path());
  model.begin_operation("broken replace", 0);
  {
    File temp = create(dir / "target.tmp");
    REQUIRE(temp.write_at(0, filled(50, 'n')));
    // Missing: temp.sync().
  }
  REQUIRE(detail::rename_file(dir / "target.tmp", dir / "target"));
  REQUIRE(detail::sync_directory(dir.path()));
  model.end_operation(0);
  model.uninstall();
  ScratchDir image;
  write_crash_image(model.crash_points().back(), 0, 1, image.path());
  // The name points at the new file, whose bytes never reached the disk:
  // neither old nor new contents. A correct replace never shows this.
  CHECK(read_file(image / "target").empty());
}

}  // namespace
}  // namespace seglog::test

// contract/fixtures.hpp — the implementations the contract suite runs on.
// The suite is written once and CONTRACT_TEST instantiates every case for
// both fixtures in one executable (the headers are parsed once; under
// clang's ASan the saving was smaller than hoped, ~20 s of CPU, since
// each case is still instantiated twice). The meson tests
// contract_memory and contract_segmented each run one fixture's cases (a
// Catch2 name filter on the fixture's name, see meson.build).
//
// A fixture owns one storage: `f->call(...)` or `*f` reach it, reopen()
// closes it and opens the same data again (a no-op for MemoryStorage), so
// a case that mutates ends with reopen() and checks again, and
// persistent() says whether data outlives the object.
#pragma once

#include <seglog/seglog.hpp>

#include "support/results.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <utility>

namespace seglog::test {

// The largest payload both fixtures accept. Larger than a segment of the
// segmented fixture, so such an entry needs a segment of its own.
inline constexpr std::uint64_t kMaxEntrySize = 96 * 1024;

class MemoryFixture {
 public:
  Storage& storage() { return storage_; }
  Storage& operator*() { return storage_; }
  Storage* operator->() { return &storage_; }
  void reopen() {}
  static constexpr bool persistent() { return false; }

 private:
  MemoryStorage storage_{kMaxEntrySize};
};

// SegmentedStorage in a fresh TempDir, with small segments and a dense
// sparse index so that a few hundred KiB of entries roll several segments.
class SegmentedFixture {
 public:
  static constexpr std::uint64_t kSegmentSize = 64 * 1024;

  SegmentedFixture() {
    options_.dir = dir_.path() / "log";
    options_.segment_size = kSegmentSize;
    options_.index_interval_bytes = 256;
    options_.max_entry_size = kMaxEntrySize;
    open();
  }

  Storage& storage() { return *storage_; }
  Storage& operator*() { return *storage_; }
  Storage* operator->() { return storage_.get(); }
  SegmentedStorage& segmented() { return *storage_; }

  // Closes (tolerating a storage the case already closed) and opens again.
  void reopen() {
    const Outcome closed = outcome(storage_->close());
    REQUIRE((is_ok(closed) || closed == errc::closed));
    storage_.reset();
    open();
  }
  static constexpr bool persistent() { return true; }

  const Options& options() const { return options_; }
  const TempDir& dir() const { return dir_; }

 private:
  void open() {
    auto opened = SegmentedStorage::open(options_);
    REQUIRE(opened);
    storage_ = std::move(*opened);
  }

  TempDir dir_;  // declared first: removed after the storage is gone
  Options options_;
  std::unique_ptr<SegmentedStorage> storage_;
};

}  // namespace seglog::test

// One contract case, run on each fixture as `TestType`. Test files say
// `using namespace seglog::test;` so the fixture's name is short in the
// case names ("... - MemoryFixture"), which is what meson.build filters on.
#define CONTRACT_TEST(name, tags) TEMPLATE_TEST_CASE(name, tags, MemoryFixture, SegmentedFixture)

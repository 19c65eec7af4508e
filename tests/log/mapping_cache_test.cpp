// The mapping budget's parts tested alone (docs/design.md, "Memory"):
// MappingCache evicts the mapping made longest ago while either bound is
// passed, never the one just made, and forgets segments that left the
// log; the cgroup texts the automatic budget reads are parsed as the
// kernel writes them.
#include "io/machine_limits.hpp"
#include "log/segment.hpp"
#include "log/segment_table.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

using seglog::detail::MappingBudget;
using seglog::detail::MappingCache;
using seglog::detail::Segment;

namespace {

// Segments to note (their files are prepared, never mapped here).
std::vector<std::shared_ptr<Segment>> make_segments(const seglog::test::TempDir& dir,
                                                    std::size_t count) {
  Segment::Config cfg;
  cfg.dir = dir.path();
  std::vector<std::shared_ptr<Segment>> out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(Segment::prepare(cfg, 1 + 1000 * i, 64 * 1024).value());
  }
  return out;
}

std::vector<Segment*> victims_of(MappingCache& cache) {
  std::vector<Segment*> out;
  for (const auto& weak : cache.take_victims()) out.push_back(weak.lock().get());
  return out;
}

}  // namespace

TEST_CASE("the mapping cache evicts the oldest mappings beyond its count", "[mapping_cache]") {
  seglog::test::TempDir dir;
  const auto segments = make_segments(dir, 6);
  MappingCache cache(MappingBudget{3, UINT64_MAX});
  for (int i = 0; i < 3; ++i) cache.note_mapped(segments[i], 100);
  CHECK_FALSE(cache.has_victims());
  CHECK(cache.size() == 3);
  cache.note_mapped(segments[3], 100);
  REQUIRE(cache.has_victims());
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[0].get()});
  CHECK_FALSE(cache.has_victims());
  cache.note_mapped(segments[4], 100);
  cache.note_mapped(segments[5], 100);
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[1].get(), segments[2].get()});
  CHECK(cache.size() == 3);
  CHECK(cache.bytes() == 300);
}

TEST_CASE("the mapping cache evicts the oldest mappings beyond its bytes", "[mapping_cache]") {
  seglog::test::TempDir dir;
  const auto segments = make_segments(dir, 5);
  MappingCache cache(MappingBudget{100, 1000});
  cache.note_mapped(segments[0], 400);
  cache.note_mapped(segments[1], 400);
  CHECK_FALSE(cache.has_victims());
  cache.note_mapped(segments[2], 300);  // 1100 > 1000: the first goes
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[0].get()});
  CHECK(cache.bytes() == 700);
  // One mapping bigger than the whole budget stays (its reader needs it);
  // everything older goes.
  cache.note_mapped(segments[3], 5000);
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[1].get(), segments[2].get()});
  CHECK(cache.size() == 1);
  cache.note_mapped(segments[4], 10);
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[3].get()});
  CHECK(cache.bytes() == 10);
}

TEST_CASE("the mapping cache forgets segments that left the log", "[mapping_cache]") {
  seglog::test::TempDir dir;
  auto segments = make_segments(dir, 4);
  MappingCache cache(MappingBudget{3, 1000});
  cache.note_mapped(segments[0], 500);
  cache.note_mapped(segments[1], 400);
  cache.forget({segments[0].get()});  // truncated away: its bytes no longer count
  CHECK(cache.bytes() == 400);
  segments[1].reset();  // gone without a word: forgotten at the next forget
  cache.forget({});
  CHECK(cache.bytes() == 0);
  cache.note_mapped(segments[2], 400);
  cache.note_mapped(segments[3], 400);
  CHECK_FALSE(cache.has_victims());
  CHECK(cache.size() == 2);
  CHECK(cache.bytes() == 800);
  cache.evict_all();
  CHECK(victims_of(cache) == std::vector<Segment*>{segments[2].get(), segments[3].get()});
  CHECK(cache.size() == 0);
  CHECK(cache.bytes() == 0);
}

TEST_CASE("the mapping cache keeps both bounds under random mappings", "[mapping_cache]") {
  seglog::test::TempDir dir;
  auto segments = make_segments(dir, 40);
  std::mt19937_64 rng(15);
  const MappingBudget budget{7, 3000};
  MappingCache cache(budget);
  // A model: the FIFO of live segments with their sizes.
  std::vector<std::pair<Segment*, std::uint64_t>> model;
  for (int step = 0; step < 2000; ++step) {
    const std::size_t pick = rng() % segments.size();
    if (rng() % 10 == 0 && segments[pick]) {  // a segment leaves the log
      const Segment* gone = segments[pick].get();
      cache.forget({gone});
      segments[pick] = nullptr;
      std::erase_if(model, [&](const auto& m) { return m.first == gone; });
      continue;
    }
    if (!segments[pick]) segments[pick] = make_segments(dir, 1).front();
    const std::uint64_t bytes = 1 + rng() % 1500;
    cache.note_mapped(segments[pick], bytes);
    model.emplace_back(segments[pick].get(), bytes);
    auto total = [&] {
      std::uint64_t sum = 0;
      for (const auto& m : model) sum += m.second;
      return sum;
    };
    std::vector<Segment*> expected;
    while (model.size() > 1 && (model.size() > budget.segments || total() > budget.bytes)) {
      if (model.front().first != segments[pick].get()) expected.push_back(model.front().first);
      model.erase(model.begin());
    }
    REQUIRE(victims_of(cache) == expected);
    REQUIRE(cache.size() == model.size());
    REQUIRE(cache.bytes() == total());
  }
}

TEST_CASE("cgroup memory limits are read as the kernel writes them", "[mapping_cache]") {
  using seglog::detail::cgroup_path;
  using seglog::detail::parse_cgroup_limit;
  CHECK(parse_cgroup_limit("max\n") == std::nullopt);
  CHECK(parse_cgroup_limit("1073741824\n") == std::uint64_t{1} << 30);
  CHECK(parse_cgroup_limit("9223372036854771712\n") == std::nullopt);  // v1: no limit
  CHECK(parse_cgroup_limit("") == std::nullopt);
  CHECK(parse_cgroup_limit("12k") == std::nullopt);
  const char* v1 = "12:pids:/\n4:memory:/process_api/71d7\n3:cpu,cpuacct:/x\n0::/\n";
  CHECK(cgroup_path(v1, false) == "/process_api/71d7");
  CHECK(cgroup_path(v1, true) == "/");
  CHECK(cgroup_path("0::/system.slice/raft.service\n", true) == "/system.slice/raft.service");
  CHECK(cgroup_path("0::/system.slice/raft.service\n", false) == std::nullopt);
  CHECK(cgroup_path("5:cpu,memory,blkio:/svc", false) == "/svc");
  CHECK(cgroup_path("garbage", true) == std::nullopt);
  // This machine's values are plausible.
  const auto memory = seglog::detail::machine_memory_bytes();
  REQUIRE(memory.has_value());
  CHECK(*memory >= (std::uint64_t{64} << 20));
  CHECK(seglog::detail::max_map_count().value_or(1) >= 1);
}

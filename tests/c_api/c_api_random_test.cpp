// c_api/c_api_random_test.cpp — the C ABI and the C++ API driven side by
// side with the same random operations (appends good and bad, truncations,
// reads of every kind, state, snapshots, syncs): every call must give the
// same code and the same data through both. The engine calls too
// (delete_range, restart_log, snapshot metadata, the key-value store). On MemoryStorage and on
// SegmentedStorage (each API on its own directory). The seed is printed;
// SEGLOG_RANDOM_SEED replays one.
#include <seglog/seglog.h>
#include <seglog/seglog.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using seglog::test::TempDir;

// The C++ code of a result, as the C ABI numbers it.
template <class R>
int code_of(const R& result) {
  return result ? 0 : result.error().code().value();
}

std::vector<std::byte> bytes(const void* data, std::size_t len) {
  const auto* p = static_cast<const std::byte*>(data);
  return {p, p + len};
}

// One C handle and one C++ storage, fed the same operations.
struct Pair {
  seglog_storage* c = nullptr;
  std::unique_ptr<seglog::Storage> cpp;

  ~Pair() { seglog_storage_free(c); }
};

std::unique_ptr<Pair> make_pair(bool segmented, const TempDir& dir) {
  auto pair = std::make_unique<Pair>();
  if (!segmented) {
    REQUIRE(seglog_open_memory(1024, &pair->c, nullptr) == SEGLOG_OK);
    pair->cpp = std::make_unique<seglog::MemoryStorage>(1024);
    return pair;
  }
  const std::string c_dir = (dir / "c").string();
  seglog_options options;
  seglog_options_init(&options);
  options.dir = c_dir.c_str();
  options.segment_size = 64 << 10;
  options.max_entry_size = 1024;
  REQUIRE(seglog_open(&options, &pair->c, nullptr) == SEGLOG_OK);
  seglog::Options cpp_options;
  cpp_options.dir = dir / "cpp";
  cpp_options.segment_size = 64 << 10;
  cpp_options.max_entry_size = 1024;
  auto opened = seglog::SegmentedStorage::open(cpp_options);
  REQUIRE(opened.has_value());
  pair->cpp = std::move(*opened);
  return pair;
}

class Driver {
 public:
  std::map<int, int> codes_;  // how many calls gave each code

  Driver(Pair& pair, std::uint64_t seed) : p_(pair), rng_(seed) {}

  std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  // An index around the log: below, inside and above it.
  std::uint64_t any_index() {
    const std::uint64_t first = p_.cpp->first_index(), last = p_.cpp->last_index();
    return pick(first > 2 ? first - 2 : 0, last + 3);
  }

  void step() {
    switch (pick(0, 14)) {
      case 0:
      case 1:
      case 2:
        append();
        break;
      case 3:
        truncate_after();
        break;
      case 4:
        truncate_before();
        break;
      case 5:
        get_entry();
        break;
      case 6:
        read_entry();
        break;
      case 7:
        ranges();
        break;
      case 8:
        term();
        break;
      case 9:
        state();
        break;
      case 10:
        snapshot();
        break;
      case 11:
        sync();
        break;
    }
    REQUIRE(seglog_first_index(p_.c) == p_.cpp->first_index());
    REQUIRE(seglog_last_index(p_.c) == p_.cpp->last_index());
  }

 private:
  void append() {
    const std::uint64_t last = p_.cpp->last_index();
    std::uint64_t start = last + 1;
    switch (pick(0, 7)) {
      case 0:
        start = last + 2;
        break;  // a gap
      case 1:
        start = pick(0, last);
        break;  // a retry, a conflict, index 0
      default:
        break;
    }
    const std::uint64_t count = pick(1, 5);
    std::vector<seglog::LogEntry> batch;
    for (std::uint64_t i = 0; i < count; ++i) {
      std::vector<std::byte> data(pick(0, 3) == 0 ? pick(0, 1100) : pick(0, 64));
      for (auto& b : data) b = static_cast<std::byte>(pick(0, 255));
      batch.push_back({start + i, term_ + pick(0, 1) * (start + i <= last),
                       static_cast<std::uint8_t>(pick(0, 255)), std::move(data)});
    }
    if (pick(0, 4) == 0) ++term_;
    std::vector<seglog_entry> c_batch;
    for (const auto& e : batch) {
      c_batch.push_back({e.index, e.term, e.type, e.data.data(), e.data.size()});
    }
    const int c = seglog_append(p_.c, c_batch.data(), c_batch.size(), nullptr);
    agree(c, code_of(p_.cpp->append_entries(batch)));
  }

  void truncate_after() {
    const std::uint64_t index = any_index();
    agree(seglog_truncate_after(p_.c, index, nullptr), code_of(p_.cpp->truncate_after(index)));
  }

  void truncate_before() {
    const std::uint64_t index = any_index();
    agree(seglog_truncate_before(p_.c, index, nullptr), code_of(p_.cpp->truncate_before(index)));
  }

  void get_entry() {
    const std::uint64_t index = any_index();
    seglog_entry e{};
    const int c = seglog_get_entry(p_.c, index, &e, nullptr);
    auto want = p_.cpp->get_entry(index);
    agree(c, code_of(want));
    if (want) {
      CHECK(seglog::LogEntry{e.index, e.term, e.type, bytes(e.data, e.len)} == *want);
    }
    seglog_entry_clear(&e);
  }

  void read_entry() {
    const std::uint64_t index = any_index();
    seglog_view v{};
    const int c = seglog_read_entry(p_.c, index, &v, nullptr);
    auto want = p_.cpp->read_entry(index);
    agree(c, code_of(want));
    if (want) {
      CHECK(seglog::LogEntry{v.index, v.term, v.type, bytes(v.data, v.len)} == want->to_entry());
    }
    seglog_view_release(&v);
  }

  void ranges() {
    const std::uint64_t begin = any_index();
    const std::uint64_t end = pick(0, 5) == 0 ? begin - 1 : begin + pick(0, 20);
    const std::uint64_t budget = pick(0, 1) ? UINT64_MAX : pick(0, 600);
    auto want = p_.cpp->get_entries(begin, end, budget);

    seglog_entries es{};
    agree(seglog_get_entries(p_.c, begin, end, budget, &es, nullptr), code_of(want));
    std::vector<seglog::LogEntry> got;
    for (std::size_t i = 0; i < es.count; ++i) {
      const seglog_entry& e = es.entries[i];
      got.push_back({e.index, e.term, e.type, bytes(e.data, e.len)});
    }
    seglog_entries_clear(&es);
    if (want) CHECK(got == *want);

    const std::size_t capacity = pick(0, 8);
    std::vector<seglog_view> views(capacity);
    std::size_t n = 0;
    agree(seglog_read_entries(p_.c, begin, end, budget, views.data(), capacity, &n, nullptr),
          code_of(want));
    if (want) {
      REQUIRE(n == std::min(capacity, want->size()));
      for (std::size_t i = 0; i < n; ++i) {
        const seglog_view& v = views[i];
        CHECK(seglog::LogEntry{v.index, v.term, v.type, bytes(v.data, v.len)} == (*want)[i]);
      }
    }
    seglog_views_release(views.data(), n);
  }

  void term() {
    const std::uint64_t index = any_index();
    std::uint64_t t = 0;
    const int c = seglog_term(p_.c, index, &t, nullptr);
    auto want = p_.cpp->term(index);
    agree(c, code_of(want));
    if (want) CHECK(t == *want);
  }

  void state() {
    const seglog::PersistentState s{term_, "node-" + std::to_string(pick(0, 9)), pick(0, 100)};
    const seglog_state cs{s.current_term, s.voted_for.data(), s.voted_for.size(), s.commit_index};
    agree(seglog_save_state(p_.c, &cs, nullptr), code_of(p_.cpp->save_state(s)));
    seglog_state got{};
    REQUIRE(seglog_get_state(p_.c, &got, nullptr) == SEGLOG_OK);
    auto want = p_.cpp->get_state();
    REQUIRE(want.has_value());
    CHECK(seglog::PersistentState{got.current_term, std::string(got.voted_for, got.voted_for_len),
                                  got.commit_index} == *want);
    seglog_state_clear(&got);
  }

  void snapshot() {
    const std::uint64_t first = p_.cpp->first_index(), last = p_.cpp->last_index();
    if (last < first) return;
    const std::uint64_t index = pick(first, last);
    auto t = p_.cpp->term(index);
    REQUIRE(t.has_value());
    const std::string data(pick(0, 100), 's');
    const std::string metadata(pick(0, 1) ? pick(1, 40) : 0, 'm');
    agree(seglog_save_snapshot(p_.c, data.data(), data.size(), index, *t, metadata.data(),
                               metadata.size(), nullptr),
          code_of(p_.cpp->save_snapshot(bytes(data.data(), data.size()), index, *t,
                                        bytes(metadata.data(), metadata.size()))));

    seglog_snapshot got{};
    bool found = false;
    seglog_error e = SEGLOG_ERROR_INIT;
    const int c = seglog_get_snapshot(p_.c, &got, &found, &e);
    auto want = p_.cpp->get_snapshot();
    INFO("C: " << (e.message ? e.message : "")
               << "; C++: " << (want ? std::string() : want.error().message()));
    seglog_error_clear(&e);
    agree(c, code_of(want));
    if (!want) return;
    REQUIRE(found == want->has_value());
    CHECK(got.meta.last_index == (*want)->meta.last_index);
    CHECK(got.meta.last_term == (*want)->meta.last_term);
    CHECK(bytes(got.data, got.len) == (*want)->data);
    CHECK(bytes(got.meta.metadata, got.meta.metadata_len) == (*want)->meta.metadata);
    seglog_snapshot_clear(&got);
  }

  void delete_range() {
    const std::uint64_t first = any_index();
    const std::uint64_t last = pick(0, 5) == 0 ? first - 1 : first + pick(0, 10);
    agree(seglog_delete_range(p_.c, first, last, nullptr),
          code_of(p_.cpp->delete_range(first, last)));
  }

  void restart_log() {
    const std::uint64_t next = pick(0, 9) == 0 ? pick(0, 1) : any_index() + pick(0, 50);
    const std::uint64_t prev = next <= 1 ? pick(0, 1) : term_;
    agree(seglog_restart_log(p_.c, next, prev, nullptr), code_of(p_.cpp->restart_log(next, prev)));
  }

  void key_value() {
    const std::string key = "k" + std::to_string(pick(0, 5));
    const std::string value(pick(0, 20) == 0 ? 70000 : pick(0, 30), 'v');
    agree(seglog_set_value(p_.c, key.data(), key.size(), value.data(), value.size(), nullptr),
          code_of(
              p_.cpp->set_value(bytes(key.data(), key.size()), bytes(value.data(), value.size()))));
    const std::string probe = "k" + std::to_string(pick(0, 6));
    void* got = nullptr;
    std::size_t len = 0;
    bool found = false;
    const int c = seglog_get_value(p_.c, probe.data(), probe.size(), &got, &len, &found, nullptr);
    auto want = p_.cpp->get_value(bytes(probe.data(), probe.size()));
    agree(c, code_of(want));
    if (want) {
      CHECK(found == want->has_value());
      if (found) CHECK(bytes(got, len) == **want);
    }
    seglog_free_bytes(got);
  }

  void sync() { agree(seglog_sync(p_.c, nullptr), code_of(p_.cpp->sync())); }

  // The two APIs gave the same code; counted for the closing line.
  void agree(int c_code, int cpp_code) {
    REQUIRE(c_code == cpp_code);
    ++codes_[c_code];
  }

  Pair& p_;
  std::mt19937_64 rng_;
  std::uint64_t term_ = 1;
};

std::uint64_t seed() {
  const char* given = std::getenv("SEGLOG_RANDOM_SEED");
  return given != nullptr ? std::strtoull(given, nullptr, 10) : std::random_device{}();
}

void run(bool segmented) {
  const std::uint64_t s = seed();
  INFO("seed " << s << " (SEGLOG_RANDOM_SEED replays it)");
  std::printf("%s: seed %llu, 3000 operations\n", segmented ? "segmented" : "memory",
              static_cast<unsigned long long>(s));
  TempDir dir;
  auto pair = make_pair(segmented, dir);
  Driver driver(*pair, s);
  for (int i = 0; i < 3000; ++i) driver.step();
  std::printf("  ended with the log at [%llu, %llu]; codes:",
              static_cast<unsigned long long>(pair->cpp->first_index()),
              static_cast<unsigned long long>(pair->cpp->last_index()));
  for (const auto& [code, count] : driver.codes_) {
    std::printf(" %s %d", seglog_errc_name(static_cast<seglog_errc>(code)), count);
  }
  std::printf("\n");
}

}  // namespace

TEST_CASE("the C ABI and the C++ API agree on MemoryStorage") { run(false); }

TEST_CASE("the C ABI and the C++ API agree on SegmentedStorage") { run(true); }

// contract/kv_test.cpp — get_value/set_value, the key-value store beside
// the hard state (hashicorp's StableStore): round trips of any bytes,
// overwrites, bounds, a randomized model against std::map across reopens,
// and that neither the log nor the hard state is touched.
#include "contract/expect.hpp"

#include <map>
#include <random>
#include <string>

using namespace seglog;
using namespace seglog::test;

namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes(const std::string& text) {
  Bytes out(text.size());
  std::transform(text.begin(), text.end(), out.begin(),
                 [](char c) { return static_cast<std::byte>(c); });
  return out;
}

}  // namespace

CONTRACT_TEST("set_value then get_value across a reopen; a key never set is nullopt", "[kv]") {
  TestType f;
  CHECK_FALSE(f->get_value(bytes("CurrentTerm")).value().has_value());
  REQUIRE(f->set_value(bytes("CurrentTerm"), bytes(std::string("\0\0\0\0\0\0\0\x05", 8))));
  REQUIRE(f->set_value(bytes("LastVoteCand"), bytes("10.0.0.2:7000")));
  REQUIRE(f->set_value(bytes("CurrentTerm"), bytes(std::string("\0\0\0\0\0\0\0\x06", 8))));
  REQUIRE(f->set_value({}, {}));
  for (int round = 0; round < 2; ++round) {
    CHECK(f->get_value(bytes("CurrentTerm")).value() ==
          bytes(std::string("\0\0\0\0\0\0\0\x06", 8)));
    CHECK(f->get_value(bytes("LastVoteCand")).value() == bytes("10.0.0.2:7000"));
    CHECK(f->get_value({}).value() == Bytes{});
    CHECK_FALSE(f->get_value(bytes("LastVoteTerm")).value().has_value());
    f.reopen();
  }
}

CONTRACT_TEST("set_value takes keys and values up to their bounds and refuses larger ones",
              "[kv]") {
  TestType f;
  const Bytes key(kMaxKvKeyBytes, std::byte{'k'});
  const Bytes value(kMaxKvValueBytes, std::byte{'v'});
  REQUIRE(f->set_value(key, value));
  const Outcome long_key = outcome(f->set_value(Bytes(kMaxKvKeyBytes + 1), {}));
  CHECK(long_key == errc::invalid_argument);
  CHECK_THAT(long_key.message, Catch::Contains("1025"));
  CHECK(outcome(f->set_value(key, Bytes(kMaxKvValueBytes + 1))) == errc::invalid_argument);
  f.reopen();
  CHECK(f->get_value(key).value() == value);  // the refused sets changed nothing
}

CONTRACT_TEST("the key-value store agrees with std::map over random sets and reopens",
              "[kv][model]") {
  TestType f;
  // Keyed by text: std::less<Bytes> trips g++ 12's -Wstringop-overread at
  // -O3 (src/kv_args.hpp, KvKeyLess).
  std::map<std::string, Bytes> model;
  std::mt19937_64 random(29);
  int reopens = 0;
  for (int step = 0; step < 600; ++step) {
    std::string key(random() % 6, 'a');
    for (auto& c : key) c = static_cast<char>('a' + random() % 3);
    Bytes value(random() % 10 == 0 ? random() % 5000 : random() % 16);
    for (auto& b : value) b = static_cast<std::byte>(random());
    INFO("step " << step);
    REQUIRE(f->set_value(bytes(key), value));
    model[key] = value;
    if (random() % 40 == 0) {
      f.reopen();
      ++reopens;
    }
    const std::string probe = key.substr(0, random() % (key.size() + 1));
    const auto want = model.find(probe);
    const auto got = f->get_value(bytes(probe)).value();
    CHECK(got.has_value() == (want != model.end()));
    if (got && want != model.end()) CHECK(*got == want->second);
  }
  f.reopen();
  for (const auto& [key, value] : model) REQUIRE(f->get_value(bytes(key)).value() == value);
  CHECK(reopens > 5);
}

CONTRACT_TEST("set_value touches neither the log nor the hard state", "[kv]") {
  TestType f;
  const auto log = append(*f, make_entries(1, 20));
  const PersistentState state{4, "n1", 10};
  REQUIRE(f->save_state(state));
  REQUIRE(f->set_value(bytes("k"), bytes("v")));
  expect_log_across_reopen(f, 1, log);
  CHECK(f->get_state().value() == state);
}

CONTRACT_TEST("get_value and set_value on a closed storage are closed", "[kv]") {
  TestType f;
  REQUIRE(f->close());
  CHECK(outcome(f->get_value(bytes("k"))) == errc::closed);
  CHECK(outcome(f->set_value(bytes("k"), bytes("v"))) == errc::closed);
  CHECK(outcome(f->set_value(Bytes(kMaxKvKeyBytes + 1), {})) == errc::closed);
}

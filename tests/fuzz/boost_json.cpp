// fuzz/boost_json.cpp — Boost.JSON compiled into the fuzz build, so its
// parser is instrumented too and the state/cluster fuzzers see coverage
// inside it (Debian's libboost_json.so is not instrumented; TOOLCHAIN.md §5).
#include <boost/json/src.hpp>

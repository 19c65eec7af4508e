// support/small_options.hpp — Options with 64 KiB segments and a dense
// sparse index, so a few hundred entries roll many segments.
#pragma once

#include <seglog/options.hpp>

#include <filesystem>

namespace seglog::test {

inline Options small_options(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 * 1024;
  o.index_interval_bytes = 256;
  return o;
}

}  // namespace seglog::test

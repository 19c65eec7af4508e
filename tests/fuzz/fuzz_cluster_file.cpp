// fuzz/fuzz_cluster_file.cpp — libFuzzer target: arbitrary bytes as
// cluster.json, read by load_cluster_config (meta/cluster_file.hpp: Boost.JSON
// parse, envelope, strict members, checksum, canonical form;
// docs/reliability.md, "Fuzzing").
//
// Invariants: no crash or sanitizer report; load either returns a config or
// an error (corrupted, never anything else for bytes that were readable);
// a config that loads is exactly what store_cluster_config writes for it,
// byte for byte (the format is canonical, so no accepted file has a twin).
#include "fuzz_support.hpp"
#include "meta/cluster_file.hpp"
#include "meta/meta_document.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seglog::detail;
  const seglog::fuzz::ScratchDir& dir = seglog::fuzz::ScratchDir::get();
  dir.write(std::string(kClusterFileName), data, size);

  auto config = load_cluster_config(dir.path());
  if (!config) {
    SEGLOG_FUZZ_CHECK(config.error() == seglog::errc::corrupted);
    return 0;
  }
  SEGLOG_FUZZ_CHECK(config->has_value());  // the file is there
  const std::string canonical = encode_document(
      DocumentKind{kClusterFileName, "seglog-cluster", "cluster"}, encode_cluster(**config));
  SEGLOG_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(data), size) == canonical);
  return 0;
}

// fuzz/fuzz_state_file.cpp — libFuzzer target: arbitrary bytes as
// state.json, read by load_state (meta/state_file.hpp: Boost.JSON parse,
// envelope, strict members, checksum, canonical form; docs/reliability.md,
// "Fuzzing").
//
// Invariants: no crash or sanitizer report; load either returns a state or
// an error (corrupted, never anything else for bytes that were readable);
// a state that loads is exactly what store_state writes for it, byte for
// byte (the format is canonical, so no accepted file has a twin).
#include "fuzz_support.hpp"
#include "meta/meta_document.hpp"
#include "meta/state_file.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seglog::detail;
  const seglog::fuzz::ScratchDir& dir = seglog::fuzz::ScratchDir::get();
  dir.write(std::string(kStateFileName), data, size);

  auto state = load_state(dir.path());
  if (!state) {
    SEGLOG_FUZZ_CHECK(state.error() == seglog::errc::corrupted);
    return 0;
  }
  SEGLOG_FUZZ_CHECK(state->has_value());  // the file is there
  const std::string canonical =
      encode_document(DocumentKind{kStateFileName, "seglog-state", "state"}, encode_state(**state));
  SEGLOG_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(data), size) == canonical);
  return 0;
}

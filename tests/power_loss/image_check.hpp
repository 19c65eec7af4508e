// power_loss/image_check.hpp — whether one crash image opens to a state its
// crash point allows (docs/reliability.md, "What each image must open to").
#pragma once

#include "power_loss/expected_state.hpp"

#include <filesystem>
#include <string>

namespace seglog::test {

struct ImageVerdict {
  std::string outcome;  // e.g. "log old whole, state new"; empty when failed
  std::string failure;
};

// Opens the image in `dir` writable and checks it against `expected`.
// `then_write`: also append, sync and close the recovered log (the costly
// part of a check, so the caller does it for every third loss pattern).
ImageVerdict check_image(const std::filesystem::path& dir, const Expectation& expected,
                         bool then_write);

}  // namespace seglog::test

// power_loss/crash_image.hpp — the directory a power loss at a CrashPoint
// may leave, for one random loss pattern (docs/reliability.md, "Simulated
// power loss"):
//  - the directory: the entries of the last directory fsync, plus a random
//    prefix of the creates, renames and unlinks made since (ext4's journal
//    commits namespace operations in order); a file whose create did not
//    survive is gone;
//  - each file: where its content differs from its last synced content
//    (or lies beyond it), each 4 KiB page is independently kept, restored
//    to the synced bytes (zeros where there were none), or torn: each
//    512-byte sector old or new. An unsynced size change (growth,
//    ftruncate) survives or not, as a whole. Synced bytes are never lost.
#pragma once

#include "power_loss/durable_model.hpp"

#include <cstdint>
#include <filesystem>

namespace seglog::test {

// What one image kept and lost, for the counts a test prints.
struct ImageStats {
  std::size_t namespace_ops_pending = 0;
  std::size_t namespace_ops_kept = 0;
  std::size_t pages_differing = 0;  // pages whose unsynced content differs
  std::size_t pages_kept = 0;
  std::size_t pages_restored = 0;
  std::size_t pages_torn = 0;
};

// Writes the image of `point` for loss pattern `pattern` into `dir` (which
// must exist and be empty). Pattern 0 loses everything unsynced, pattern 1
// keeps everything; others draw at random from (pattern, salt), so a case
// is reproducible from the pair.
ImageStats write_crash_image(const CrashPoint& point, std::uint64_t pattern, std::uint64_t salt,
                             const std::filesystem::path& dir);

}  // namespace seglog::test

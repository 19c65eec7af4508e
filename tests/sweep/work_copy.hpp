// sweep/work_copy.hpp — the directory a sweep case damages and opens: a
// copy of the pristine image, changed in place (a flipped bit, a shorter
// file) and put back after the case, so no case pays for a whole copy.
#pragma once

#include "sweep/sweep_log.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace seglog::sweep {

class WorkCopy {
 public:
  // Writes every file of `image` into `dir` (created).
  WorkCopy(fs::path dir, const Image& image);

  const fs::path& dir() const { return dir_; }
  fs::path path(const std::string& name) const { return dir_ / name; }

  // XORs the byte at `offset` of file `name` with `mask`, in place.
  void flip(const std::string& name, std::uint64_t offset, std::uint8_t mask);
  // Rewrites file `name` from the image (bytes and length).
  void restore(const std::string& name);
  // Makes the directory the image again: removes every other entry,
  // rewrites every file.
  void restore_all();
  // Whether the directory is the image, byte for byte; else what differs.
  bool matches_image(std::string& difference) const;
  // Whether the directory holds exactly the image's names with their
  // lengths (cheap: one listing and a stat per file).
  bool same_names_and_sizes(std::string& difference) const;
  // After a writable open: puts back what such an open may change — the
  // newest segment (it seals it) and leftovers (any name that is not a
  // segment, a meta file or LOCK: temporaries, spare segments), which it
  // may remove or create — and says whether anything else changed in name
  // or length (false, with `difference`).
  bool repair_after_writable_open(const std::string& newest, std::string& difference);

 private:
  fs::path dir_;
  const Image& image_;
};

}  // namespace seglog::sweep

// meta/kv_file.hpp — stable.kv: the small durable key-value store beside the
// hard state (Storage::set_value/get_value, hashicorp's StableStore): an
// append-only file of checksummed records, one fdatasync per set, rewritten
// whole (a fresh file renamed over it) only when its preallocated space is
// used up (docs/format-meta.md, "stable.kv"; docs/design.md, "Key-value
// store").
#pragma once

#include <seglog/error.hpp>

#include "meta/kv_format.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace seglog::detail {

// A fresh file's salt: random, non-zero (a record of an older file never
// checks out in a new one).
std::uint64_t random_kv_salt();

class KvFile {
 public:
  using Bytes = KvBytes;

  // Reads dir/stable.kv whole (absent: an empty store). The last record of
  // a key wins. A torn tail (a record an interrupted set left) is cut: a
  // writable open zeroes it and syncs, so the file holds records and then
  // zeros only.
  // Errors: corrupted (the header, or a damaged record with valid records
  //         or other bytes after it: durable data, never cut), io_error.
  [[nodiscard]] static Result<KvFile> open(const std::filesystem::path& dir, bool writable);

  std::optional<Bytes> get(std::span<const std::byte> key) const;

  // Stores (key, value) durably: one record appended and fdatasynced, or,
  // when it does not fit, the live records and it written to a fresh file
  // renamed over the old one. Sizes are the caller's to check.
  // Errors: no_space (nothing changed), io_error (the old value may stay
  //         or the new one be in place, durability unknown; the next set
  //         rewrites the file whole).
  [[nodiscard]] Status set(std::span<const std::byte> key, std::span<const std::byte> value);

  std::uint64_t live_bytes() const noexcept { return live_bytes_; }
  std::uint64_t end() const noexcept { return end_; }
  std::uint64_t capacity() const noexcept { return capacity_; }
  std::uint64_t rewrites() const noexcept { return rewrites_; }
  bool torn_tail_cut() const noexcept { return torn_tail_cut_; }

 private:
  [[nodiscard]] Status rewrite(const KvMap& values);

  std::filesystem::path dir_;
  KvMap values_;
  std::uint64_t salt_ = 0;
  std::uint64_t end_ = 0;       // offset of the next record (0: no file)
  std::uint64_t capacity_ = 0;  // the file's preallocated size
  std::uint64_t live_bytes_ = 0;
  std::uint64_t rewrites_ = 0;
  bool torn_tail_cut_ = false;
  bool must_rewrite_ = false;  // after a failed append: its bytes are unknown
};

}  // namespace seglog::detail

// tools/seglog/kv_check.hpp — stable.kv judged as KvFile::open judges it
// (docs/format-meta.md, "stable.kv", Reading: a torn tail is cut, damage
// with durable data after it fails the open), and, when it is damaged,
// what a salvage keeps: every record whose checksum holds, wherever it is
// (docs/cli.md, "repair").
#pragma once

#include <seglog/error.hpp>

#include "findings.hpp"
#include "meta/kv_format.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seglog::tool {

// Bytes of a damaged stable.kv that hold no valid record: what a salvage
// loses.
struct KvLoss {
  std::uint64_t offset = 0;
  std::uint64_t end = 0;
  // The key the damaged bytes seem to hold (their record header's sizes
  // fit the gap): unverified, since the checksum failed. nullopt: unknown.
  std::optional<detail::KvBytes> key;
  // What the salvage keeps of that key: a newer value (nothing lost), an
  // older one, or none.
  enum class Kept { newer, older, none, unknown } kept = Kept::unknown;
};

struct KvReport {
  std::uint64_t file_bytes = 0;
  std::uint64_t used_bytes = 0;  // the header and the records open reads
  std::size_t records = 0;       // records kept (open's, or the salvage's)
  // The store: what open serves (last record wins); for a damaged file,
  // what a salvage keeps.
  detail::KvMap values;
  detail::KvTail tail = detail::KvTail::zeros;
  bool header_damaged = false;
  // Damaged: the salt every kept record checked out with (the header's
  // field, also when the rest of the header is damaged); nullopt when no
  // record checks out with it (nothing can be salvaged).
  std::optional<std::uint64_t> salt;
  std::vector<KvLoss> lost;

  // Open fails on it (corrupted): a damaged header or durable data after
  // a damaged record.
  bool damaged() const noexcept { return header_damaged || tail == detail::KvTail::damaged; }
};

// Reads DIR/stable.kv (nullopt when absent): a torn tail is a warning
// (kv_torn_tail), damage is damage (kv_file). Errors: io_error.
[[nodiscard]] Result<std::optional<KvReport>> check_kv(const std::filesystem::path& dir,
                                                       Findings& findings);

// "key \"CurrentTerm\": an older value kept" and the like, for people.
std::string describe(const KvLoss& loss);

}  // namespace seglog::tool

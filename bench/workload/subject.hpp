// subject.hpp — the store under test: one small class per implementation
// (--impl). The workload only sees seglog::Storage plus create/open/close.
#pragma once

#include <seglog/error.hpp>
#include <seglog/storage.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seglog::workload {

struct SubjectConfig {
  std::uint64_t segment_size = 64ull << 20;
  std::uint64_t max_entry_size = 64ull << 20;
  // Payload bytes per entry ("physical" sizes its file from it).
  std::uint64_t payload_bytes = 256;
  // Options::verify_checksums for "seglog" (the others have no checksums).
  bool verify_checksums = true;
  // Options::max_mapped_segments for "seglog"; none: the library's default.
  std::optional<std::uint32_t> max_mapped_segments;
  // Options::max_mapped_bytes for "seglog"; none: the library's default.
  std::optional<std::uint64_t> max_mapped_bytes;
};

class Subject {
 public:
  virtual ~Subject() = default;

  // Opens a new, empty store in `dir`, which does not exist yet, into which
  // the workload will append `entries` entries (a sizing hint).
  [[nodiscard]] virtual Status create(const std::filesystem::path& dir, std::uint64_t entries) = 0;
  // Opens the store left in `dir` by an earlier create() and close().
  // Errors: not_found when there is nothing to open.
  [[nodiscard]] virtual Status open(const std::filesystem::path& dir) = 0;
  // Closes the open store (it stays in `dir` for a later open()).
  [[nodiscard]] virtual Status close() = 0;
  // The open store; only between a successful create()/open() and close().
  virtual Storage& storage() = 0;
};

// The names --impl accepts, in the order --help lists them.
std::vector<std::string> subject_names();

// A subject by name, or null when the name is unknown.
std::unique_ptr<Subject> make_subject(std::string_view name, const SubjectConfig& config);

}  // namespace seglog::workload

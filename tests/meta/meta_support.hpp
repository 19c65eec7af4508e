// meta/meta_support.hpp — helpers shared by the meta tests: listing a
// directory, reading text, damaging files, committing snapshots. (Failing
// OS calls: support/fault_hook.hpp.)
#pragma once

#include "meta/snapshot_file.hpp"
#include "support/temp_dir.hpp"
#include "support/entries.hpp"
#include "support/results.hpp"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace seglog::test {

// The names in `dir`, sorted.
inline std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string read_text(const std::filesystem::path& path) {
  const std::vector<std::byte> bytes = read_file(path);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline void write_text(const std::filesystem::path& path, std::string_view text) {
  const auto bytes = std::as_bytes(std::span(text));
  write_file(path, std::vector<std::byte>(bytes.begin(), bytes.end()));
}

inline std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text));
}

// Makes the file at `path`, which holds `current`, hold `next`, touching
// only the bytes that differ: rewriting a file whole (truncate to zero, or
// rename over it) makes ext4 flush it at close, which costs a disk wait per
// variant on a busy machine.
inline void rewrite_changed_bytes(const std::filesystem::path& path,
                                  const std::vector<std::byte>& current,
                                  const std::vector<std::byte>& next) {
  if (next.size() < current.size()) std::filesystem::resize_file(path, next.size());
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  const std::size_t common = std::min(current.size(), next.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (current[i] == next[i]) continue;
    f.seekp(static_cast<std::streamoff>(i));
    f.put(static_cast<char>(next[i]));
  }
  if (next.size() > common) {
    f.seekp(static_cast<std::streamoff>(common));
    f.write(reinterpret_cast<const char*>(next.data() + common),
            static_cast<std::streamsize>(next.size() - common));
  }
  if (!f) throw std::runtime_error("cannot rewrite " + path.string());
}

// Every damaged variant of the file at `path` that `damage` produces must
// make `load()` fail with errc::corrupted naming the file; checks each and
// prints how many were tried. `damage(original, k)` returns variant k or
// nullopt when there are no more.
template <class Damage, class Load>
void check_every_variant_corrupted(const std::filesystem::path& path, std::string_view what,
                                   Damage damage, Load load) {
  const std::vector<std::byte> original = read_file(path);
  std::vector<std::byte> current = original;
  std::size_t tried = 0;
  std::size_t corrupted = 0;
  for (std::size_t k = 0;; ++k) {
    std::optional<std::vector<std::byte>> variant = damage(original, k);
    if (!variant) break;
    rewrite_changed_bytes(path, current, *variant);
    current = std::move(*variant);
    const Outcome result = load();
    ++tried;
    if (result == errc::corrupted &&
        result.message.find(path.filename().string()) != std::string::npos) {
      ++corrupted;
    } else {
      INFO(what << " variant " << k << ": " << describe(result));
      CHECK(result == errc::corrupted);
      CHECK(result.message.find(path.filename().string()) != std::string::npos);
    }
  }
  rewrite_changed_bytes(path, current, original);
  REQUIRE(read_file(path) == original);
  std::cout << path.filename().string() << ", " << what << ": " << tried << " damaged files tried, "
            << corrupted << " corrupted\n";
  CHECK(corrupted == tried);
  CHECK(tried > 0);
}

// Variant k: bit k % 8 of byte k / 8 flipped.
inline std::optional<std::vector<std::byte>> flip_bit(const std::vector<std::byte>& bytes,
                                                      std::size_t k) {
  if (k / 8 >= bytes.size()) return std::nullopt;
  std::vector<std::byte> out = bytes;
  out[k / 8] ^= std::byte{static_cast<unsigned char>(1u << (k % 8))};
  return out;
}

// Variant k: the first k bytes (every length shorter than the file).
inline std::optional<std::vector<std::byte>> truncate_to(const std::vector<std::byte>& bytes,
                                                         std::size_t k) {
  if (k >= bytes.size()) return std::nullopt;
  return std::vector<std::byte>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(k));
}

// A snapshot writer in `dir`, or the test fails.
inline SnapshotWriter begin(const TempDir& dir, std::uint64_t last_index = 10,
                            std::uint64_t last_term = 2,
                            detail::SnapshotCommitHook on_commit = {}) {
  auto writer = detail::begin_snapshot(dir.path(), last_index, last_term, {}, std::move(on_commit));
  REQUIRE(writer);
  return std::move(*writer);
}

// Writes and commits `data` as the snapshot of `dir` at (last_index, 1).
inline void commit_snapshot(const TempDir& dir, const std::vector<std::byte>& data,
                            std::uint64_t last_index) {
  SnapshotWriter writer = begin(dir, last_index, 1);
  REQUIRE(is_ok(outcome(writer.write(data))));
  REQUIRE(is_ok(outcome(writer.commit())));
}

}  // namespace seglog::test

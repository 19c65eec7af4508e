// power_loss/crash_image.cpp — building the directory a power loss leaves
// (crash_image.hpp).
#include "power_loss/crash_image.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

namespace seglog::test {
namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kSector = 512;

enum class Pattern { lose_all, keep_all, random };

Pattern pattern_of(std::uint64_t seed) {
  if (seed == 0) return Pattern::lose_all;
  if (seed == 1) return Pattern::keep_all;
  return Pattern::random;
}

// The file's bytes after the loss: synced content S, page-cache content C.
Bytes mix(const FileVersions& file, Pattern pattern, std::mt19937_64& rng, ImageStats& stats) {
  const Bytes& s = *file.synced;
  const Bytes& c = *file.current;
  if (file.synced == file.current || s == c) return c;
  std::size_t size = c.size();
  if (s.size() != c.size()) {
    // An unsynced size change (growth, preallocation, trim) is one
    // metadata update: it reached the disk or not.
    const bool keep =
        pattern == Pattern::keep_all || (pattern == Pattern::random && (rng() & 1) != 0);
    size = keep ? c.size() : s.size();
  }
  auto old_at = [&](std::size_t i) { return i < s.size() ? s[i] : std::byte{0}; };
  auto new_at = [&](std::size_t i) { return i < c.size() ? c[i] : old_at(i); };
  Bytes out(size);
  for (std::size_t page = 0; page < size; page += kPage) {
    const std::size_t end = std::min(size, page + kPage);
    bool differs = false;
    for (std::size_t i = page; i < end && !differs; ++i) differs = old_at(i) != new_at(i);
    int choice = 1;  // 0 restore, 1 keep, 2 tear
    if (differs) {
      ++stats.pages_differing;
      choice = pattern == Pattern::lose_all   ? 0
               : pattern == Pattern::keep_all ? 1
                                              : static_cast<int>(rng() % 3);
      if (choice == 0) ++stats.pages_restored;
      if (choice == 1) ++stats.pages_kept;
      if (choice == 2) ++stats.pages_torn;
    }
    for (std::size_t sector = page; sector < end; sector += kSector) {
      const bool take_new = choice == 1 || (choice == 2 && (rng() & 1) != 0);
      const std::size_t sector_end = std::min(end, sector + kSector);
      for (std::size_t i = sector; i < sector_end; ++i) out[i] = take_new ? new_at(i) : old_at(i);
    }
  }
  return out;
}

void write_bytes(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write the crash image file " + path.string());
}

}  // namespace

ImageStats write_crash_image(const CrashPoint& point, std::uint64_t pattern_number,
                             std::uint64_t salt, const std::filesystem::path& dir) {
  std::mt19937_64 rng(pattern_number * 0x9E3779B97F4A7C15ull + salt * 0xBF58476D1CE4E5B9ull + 1);
  const Pattern pattern = pattern_of(pattern_number);
  ImageStats stats;
  stats.namespace_ops_pending = point.pending.size();
  std::size_t kept = 0;
  if (pattern == Pattern::keep_all) kept = point.pending.size();
  if (pattern == Pattern::random) kept = rng() % (point.pending.size() + 1);
  stats.namespace_ops_kept = kept;
  std::map<std::string, int> names = point.durable_names;
  for (std::size_t k = 0; k < kept; ++k) {
    const NamespaceOp& op = point.pending[k];
    switch (op.kind) {
      case NamespaceOp::Kind::create:
        names[op.name] = op.file;
        break;
      case NamespaceOp::Kind::rename:
        names.erase(op.name);
        names[op.to] = op.file;
        break;
      case NamespaceOp::Kind::unlink:
        names.erase(op.name);
        break;
    }
  }
  for (const auto& [name, id] : names) {
    auto file = point.files.find(id);
    if (file == point.files.end()) throw std::logic_error("crash point lacks file " + name);
    write_bytes(dir / name, mix(file->second, pattern, rng, stats));
  }
  return stats;
}

}  // namespace seglog::test

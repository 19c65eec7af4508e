// support/entries.hpp — small helpers that keep test cases short: make
// entries with checkable payloads, flip and shrink files.
#pragma once

#include <seglog/entry.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace seglog::test {

// A payload of `size` bytes derived from `index`, so a read can be checked.
inline std::vector<std::byte> payload_for(std::uint64_t index, std::size_t size) {
  std::vector<std::byte> data(size);
  std::uint64_t x = index * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    data[i] = static_cast<std::byte>(x >> 56);
  }
  return data;
}

inline LogEntry make_entry(std::uint64_t index, std::uint64_t term, std::size_t size = 16,
                           std::uint8_t type = 0) {
  return LogEntry{index, term, type, payload_for(index, size)};
}

// Entries [first, first + count) of `term`, each with a payload of `size`.
inline std::vector<LogEntry> make_entries(std::uint64_t first, std::uint64_t count,
                                          std::uint64_t term = 1, std::size_t size = 16) {
  std::vector<LogEntry> out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(make_entry(first + i, term, size));
  return out;
}

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::byte> out(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<std::byte>(bytes[i]);
  return out;
}

inline void write_file(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// XORs the byte at `offset` of the file with `mask` (default: flips all bits).
inline void flip_byte(const std::filesystem::path& path, std::uint64_t offset,
                      std::uint8_t mask = 0xFF) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(static_cast<unsigned char>(c) ^ mask);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
  if (!f) throw std::runtime_error("cannot flip a byte of " + path.string());
}

inline void shrink_file(const std::filesystem::path& path, std::uint64_t size) {
  std::filesystem::resize_file(path, size);
}

}  // namespace seglog::test

// tools/seglog/record_reader.hpp — a segment file's records read with
// pread through a buffer (never a mapping: a live writer may trim the file,
// and a touch past its end would be SIGBUS). Bytes past the file's end read
// as zeros, as in the library's read-only scan (docs/design.md, "Read-only
// opens beside a live writer"). Memory: one buffer of 1 MiB, or of the
// largest record met.
#pragma once

#include <seglog/error.hpp>

#include "format/checksum.hpp"
#include "format/record.hpp"
#include "io/file.hpp"
#include "log/record_walk.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace seglog::tool {

// One position of a walk: what is there, and the record if there is one.
struct RecordAt {
  std::uint64_t offset = 0;
  detail::RecordCheck check = detail::RecordCheck::end;
  detail::DecodedRecord record;  // payload valid until the next read
};

class RecordReader {
 public:
  // Opens `path`; `bound`: nothing at or past it is read (the file size
  // the header scan saw: bytes a writer adds later are not this reading's).
  // Errors: stale (the file is gone), io_error.
  // `verify`: false when the salt is unknown (an unreadable identity):
  // records are then taken on their size and index alone.
  [[nodiscard]] static Result<RecordReader> open(const std::filesystem::path& path,
                                                 std::uint64_t bound, std::uint64_t salt,
                                                 bool verify = true);

  // The record at `offset`, which must end at or before `limit` (a sealed
  // segment's kept end, else the bound), checked against `expected`
  // (checksum verified; nullopt: any index is in sequence).
  [[nodiscard]] Result<RecordAt> at(std::uint64_t offset, std::optional<std::uint64_t> expected,
                                    std::uint64_t limit);

  // The first position after `offset` (8-byte steps, before `limit`)
  // holding a valid record whose index satisfies `accept`; nullopt when
  // none. Used to judge damage by what lies behind it (the look-ahead) and
  // to go on after it.
  template <class Accept>
  [[nodiscard]] Result<std::optional<RecordAt>> find_after(std::uint64_t offset, Accept accept,
                                                           std::uint64_t limit);

  // Bytes [offset, offset + length) of the file, zeros past its end.
  [[nodiscard]] Result<const std::byte*> bytes(std::uint64_t offset, std::uint64_t length);

  std::uint64_t bound() const noexcept { return bound_; }
  std::uint64_t bytes_read() const noexcept { return bytes_read_; }
  const detail::File& file() const noexcept { return file_; }

 private:
  RecordReader(detail::File file, std::uint64_t bound, std::uint64_t salt, bool verify)
      : file_(std::move(file)),
        bound_(bound),
        key_(std::make_unique<detail::ChecksumKey>(salt)),
        verify_(verify) {}

  detail::File file_;
  std::uint64_t bound_;
  std::unique_ptr<detail::ChecksumKey> key_;  // 256 bytes, aligned: on the heap, movable
  bool verify_ = true;
  std::vector<std::byte> buffer_;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::uint64_t buffer_bytes_ = 0;   // valid bytes in buffer_
  std::uint64_t bytes_read_ = 0;
};

template <class Accept>
Result<std::optional<RecordAt>> RecordReader::find_after(std::uint64_t offset, Accept accept,
                                                         std::uint64_t limit) {
  limit = std::min(limit, bound_);
  for (std::uint64_t q = offset + detail::kRecordAlignment; q + detail::kRecordHeaderBytes <= limit;
       q += detail::kRecordAlignment) {
    auto header = bytes(q, detail::kRecordHeaderBytes);
    if (!header) return header.error();
    // Cheap rejections first: the size must fit and the three bytes after
    // the type must be zero, before the checksum is computed.
    if (detail::peek_record_bytes(*header, limit - q) == 0) continue;
    auto found = at(q, std::nullopt, limit);
    if (!found) return found.error();
    if (found->check == detail::RecordCheck::ok && accept(found->record.fields.index)) {
      return std::optional<RecordAt>(std::move(*found));
    }
  }
  return std::optional<RecordAt>();
}

}  // namespace seglog::tool

// tools/seglog/record_reader.cpp — buffered pread of a segment's records.
#include "record_reader.hpp"

#include "errors.hpp"

#include <algorithm>
#include <cstring>

namespace seglog::tool {

namespace {
constexpr std::uint64_t kBufferBytes = 1 << 20;
}

Result<RecordReader> RecordReader::open(const std::filesystem::path& path, std::uint64_t bound,
                                        std::uint64_t salt, bool verify) {
  auto file = detail::File::open(path, detail::File::Mode::read_only);
  if (!file) {
    if (file.error() == errc::not_found) {
      return detail::make_error(errc::stale, path.string() + " was removed while being read");
    }
    return file.error();
  }
  return RecordReader(std::move(*file), bound, salt, verify);
}

Result<const std::byte*> RecordReader::bytes(std::uint64_t offset, std::uint64_t length) {
  if (offset >= buffer_offset_ && offset + length <= buffer_offset_ + buffer_bytes_) {
    return buffer_.data() + (offset - buffer_offset_);
  }
  // Read ahead a whole buffer (sequential walks), never past the bound.
  const std::uint64_t want =
      std::max(length, std::min(kBufferBytes, bound_ - std::min(bound_, offset)));
  if (buffer_.size() < want) buffer_.resize(want);
  auto got = file_.read_upto(offset, std::span<std::byte>(buffer_.data(), want));
  if (!got) return got.error();
  // Past the file's end (a writer's trim meanwhile): zeros, a clean end.
  if (*got < want) std::memset(buffer_.data() + *got, 0, want - *got);
  bytes_read_ += *got;
  buffer_offset_ = offset;
  buffer_bytes_ = want;
  return buffer_.data();
}

Result<RecordAt> RecordReader::at(std::uint64_t offset, std::optional<std::uint64_t> expected,
                                  std::uint64_t limit) {
  RecordAt out;
  out.offset = offset;
  limit = std::min(limit, bound_);
  const std::uint64_t available = limit > offset ? limit - offset : 0;
  auto header = bytes(offset, std::min(available, detail::kRecordHeaderBytes));
  if (!header) return header.error();
  std::uint64_t need = std::min(available, detail::kRecordHeaderBytes);
  if (const std::uint64_t n = detail::peek_record_bytes(*header, available); n > need) {
    need = n;
    header = bytes(offset, need);
    if (!header) return header.error();
  }
  const detail::RecordStatus status =
      detail::decode_record(*header, available, *key_, verify_, out.record);
  if (status == detail::RecordStatus::end) {
    out.check = detail::RecordCheck::end;
  } else if (status != detail::RecordStatus::ok) {
    out.check = detail::RecordCheck::invalid;
  } else if (expected && (out.record.fields.index != *expected || *expected == UINT64_MAX)) {
    out.check = detail::RecordCheck::out_of_sequence;
  } else {
    out.check = detail::RecordCheck::ok;
  }
  return out;
}

}  // namespace seglog::tool

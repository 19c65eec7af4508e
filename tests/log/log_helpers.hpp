// log/log_helpers.hpp — helpers for the segmented-log suites: a model of the
// log (index -> entry) and a check of the storage against it through every
// read, plus looks at the directory and the bytes of segment files (where
// records, state slots and footers are; docs/format.md).
#pragma once

#include <seglog/seglog.hpp>

#include "format/file_names.hpp"
#include "format/record.hpp"
#include "format/segment_footer.hpp"
#include "format/segment_header.hpp"
#include "support/entries.hpp"
#include "support/results.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace seglog::test {

namespace fs = std::filesystem;

inline constexpr std::uint64_t kSegmentSize = 64 * 1024;
inline constexpr std::uint64_t kMaxEntry = 256 * 1024;

// Small segments and a dense sparse index, so a few MiB roll many segments.
inline Options small_options(const fs::path& dir) {
  Options o;
  o.dir = dir;
  o.segment_size = kSegmentSize;
  o.index_interval_bytes = 256;
  o.max_entry_size = kMaxEntry;
  return o;
}

inline Options read_only(Options o) {
  o.read_only = true;
  return o;
}

inline std::unique_ptr<SegmentedStorage> open_or_fail(const Options& options) {
  auto opened = SegmentedStorage::open(options);
  INFO("open " << options.dir.string() << ": " << describe(outcome(opened)));
  REQUIRE(opened);
  return std::move(*opened);
}

// Closes (requiring success) and opens the same directory again.
inline void reopen(std::unique_ptr<SegmentedStorage>& storage) {
  const Options options = storage->options();
  REQUIRE(storage->close());
  storage.reset();
  storage = open_or_fail(options);
}

// ---- the model ----------------------------------------------------------------

// What the log should hold: index -> entry, contiguous.
using Model = std::map<std::uint64_t, LogEntry>;

// Appends `entries` to the storage in batches of 1 to `max_batch` entries
// and to the model (an append replaces the model's entries from the first
// new index on, as truncate_after + append does).
inline void append_all(Storage& storage, Model& model, const std::vector<LogEntry>& entries,
                       std::size_t max_batch = 29) {
  std::size_t done = 0;
  for (std::size_t n = 1; done < entries.size(); n = n % max_batch + 1) {
    const std::size_t take = std::min(n, entries.size() - done);
    const auto batch = std::span(entries).subspan(done, take);
    const auto status = storage.append_entries(batch);
    INFO("append " << batch.front().index << ".." << batch.back().index << ": "
                   << describe(outcome(status)));
    REQUIRE(status);
    done += take;
  }
  if (!entries.empty()) model.erase(model.lower_bound(entries.front().index), model.end());
  for (const LogEntry& e : entries) model[e.index] = e;
}

// The model after truncate_after(index) / truncate_before(index).
inline void model_truncate_after(Model& model, std::uint64_t index) {
  model.erase(model.upper_bound(index), model.end());
}
inline void model_truncate_before(Model& model, std::uint64_t index) {
  model.erase(model.begin(), model.lower_bound(index));
}

// Segment files of `dir` by first index (the name's index).
struct SegmentFile {
  std::uint64_t first_index = 0;
  fs::path path;
};

inline std::vector<SegmentFile> segment_files(const fs::path& dir) {
  std::vector<SegmentFile> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (auto index = detail::parse_segment_name(e.path().filename().string())) {
      out.push_back({*index, e.path()});
    }
  }
  std::sort(out.begin(), out.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.first_index < b.first_index;
  });
  return out;
}

inline std::size_t count_suffix(const fs::path& dir, std::string_view suffix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) ++n;
  }
  return n;
}

// The first indices of the segments after the first: where get_entries
// crosses from one segment into the next.
inline std::vector<std::uint64_t> segment_boundaries(const fs::path& dir) {
  std::vector<std::uint64_t> out;
  const auto files = segment_files(dir);
  for (std::size_t k = 1; k < files.size(); ++k) out.push_back(files[k].first_index);
  return out;
}

// Checks the log holds exactly `model` (contiguous) starting at `first`:
// first/last index, every entry through get_entry, read_entry and term, the
// whole range through windows of get_entries, windows across every segment
// boundary of `dir`, and compacted / out_of_range just outside.
inline void expect_model(const Storage& storage, const Model& model, std::uint64_t first,
                         const fs::path& dir = {}) {
  const std::uint64_t last = model.empty() ? first - 1 : model.rbegin()->first;
  REQUIRE(storage.first_index() == first);
  REQUIRE(storage.last_index() == last);
  if (!model.empty()) REQUIRE(model.begin()->first == first);
  REQUIRE(model.size() == last + 1 - first);  // the model itself is contiguous
  for (const auto& [index, expected] : model) {
    const auto entry = storage.get_entry(index);
    if (!entry || *entry != expected) {
      INFO("get_entry " << index << ": " << describe(outcome(entry)));
      REQUIRE(entry);
      REQUIRE(*entry == expected);
    }
    const auto view = storage.read_entry(index);
    if (!view || view->to_entry() != expected) {
      INFO("read_entry " << index << ": " << describe(outcome(view)));
      REQUIRE(view);
      REQUIRE(view->to_entry() == expected);
    }
    const auto term = storage.term(index);
    if (!term || *term != expected.term) {
      INFO("term " << index << ": " << describe(outcome(term)));
      REQUIRE(term);
      REQUIRE(*term == expected.term);
    }
  }
  auto expect_range = [&](std::uint64_t begin, std::uint64_t end) {
    begin = std::max(begin, first);
    end = std::min(end, last + 1);
    if (begin >= end) return;
    const auto got = storage.get_entries(begin, end);
    INFO("get_entries [" << begin << ", " << end << "): " << describe(outcome(got)));
    REQUIRE(got);
    REQUIRE(got->size() == end - begin);
    for (std::size_t k = 0; k < got->size(); ++k) {
      if ((*got)[k] != model.at(begin + k)) REQUIRE((*got)[k] == model.at(begin + k));
    }
  };
  for (std::uint64_t begin = first; begin <= last; begin += 211) expect_range(begin, begin + 211);
  if (!dir.empty()) {
    for (std::uint64_t b : segment_boundaries(dir)) expect_range(b - 3, b + 3);
  }
  CHECK(outcome(storage.get_entry(last + 1)) == errc::out_of_range);
  if (first > 1) CHECK(outcome(storage.get_entry(first - 1)) == errc::compacted);
}

// ---- bytes of segment files ------------------------------------------------------

struct SegmentHeader {
  detail::SegmentIdentity identity;
  std::optional<detail::SegmentState> state;
};

inline SegmentHeader read_header(const fs::path& path) {
  const auto bytes = read_file(path);
  if (bytes.size() < detail::kSegmentHeaderBytes) throw std::runtime_error("short segment");
  auto identity = detail::decode_identity(bytes.data());
  if (!identity) throw std::runtime_error("bad identity in " + path.string());
  return {*identity, detail::current_state(bytes.data(), identity->salt)};
}

// A record as found in a segment file.
struct RecordAt {
  std::uint64_t index = 0;
  std::uint64_t offset = 0;   // of the record header
  std::uint64_t bytes = 0;    // padded
  std::uint64_t payload = 0;  // payload bytes
};

// The valid records of a segment file from offset 4096, in order, up to the
// sealed end (if the state says one) or the first invalid or zero header.
inline std::vector<RecordAt> records_of(const fs::path& path) {
  const auto bytes = read_file(path);
  const SegmentHeader header = read_header(path);
  std::uint64_t bound = bytes.size();
  if (header.state && header.state->end_offset != 0) {
    bound = std::min<std::uint64_t>(bound, header.state->end_offset);
  }
  std::vector<RecordAt> out;
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  while (pos < bound) {
    detail::DecodedRecord r;
    if (detail::decode_record(bytes.data() + pos, bound - pos, header.identity.salt, true, r) !=
        detail::RecordStatus::ok) {
      break;
    }
    out.push_back({r.fields.index, pos, r.bytes, r.payload.size()});
    pos += r.bytes;
  }
  return out;
}

// The record of `index` in the segment file at `path` (which must hold it).
inline RecordAt record_of(const fs::path& path, std::uint64_t index) {
  for (const RecordAt& r : records_of(path)) {
    if (r.index == index) return r;
  }
  throw std::runtime_error("index " + std::to_string(index) + " not in " + path.string());
}

// Copies a directory (also a live one: the log is a shared mapping, so the
// copy sees appended bytes that were never synced).
inline void copy_dir(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

// Writes `bytes` at `offset` of an existing file.
inline void write_at(const fs::path& path, std::uint64_t offset,
                     const std::vector<std::byte>& bytes) {
  auto content = read_file(path);
  if (content.size() < offset + bytes.size()) content.resize(offset + bytes.size());
  std::copy(bytes.begin(), bytes.end(), content.begin() + static_cast<std::ptrdiff_t>(offset));
  write_file(path, content);
}

}  // namespace seglog::test

// fuzz/fuzz_segment_log.cpp — libFuzzer target: arbitrary bytes as the only
// segment file of a log directory, opened read-only and then writable with
// SegmentedStorage, every entry read (docs/reliability.md, "Fuzzing").
// Each input is tried twice: as is (the checksums catch it), and with every
// checksum recomputed (segment_checksums.hpp: a crafted file, which only
// the structural checks can refuse).
//
// Invariants (any violation aborts): no crash, hang or sanitizer report;
// open and every read either succeed or return an error; the indices are
// sane (1 <= first <= last + 1); a successful read of index i is entry i,
// and read_entry, get_entry, get_entries and term agree on it; reads just
// outside [first, last] fail. Writable only: an entry appended after a
// successful open reads back, and is still there after close and reopen.
#include "format/file_names.hpp"
#include "fuzz_support.hpp"
#include "segment_checksums.hpp"

#include <seglog/segmented_storage.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

using seglog::errc;
using seglog::LogEntry;
using seglog::SegmentedStorage;
using seglog::fuzz::ScratchDir;

constexpr std::uint64_t kRecordHeaderBytes = 32;  // the smallest record

// SEGLOG_FUZZ_VERBOSE=1 (for replaying one input): says how each open went.
template <class R>
void trace(const char* variant, bool read_only, const R& opened) {
  static const bool verbose = std::getenv("SEGLOG_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  if (opened) {
    std::fprintf(stderr, "%s %s: opened, entries [%llu, %llu]\n", variant,
                 read_only ? "read-only" : "writable",
                 static_cast<unsigned long long>((*opened)->first_index()),
                 static_cast<unsigned long long>((*opened)->last_index()));
  } else {
    std::fprintf(stderr, "%s %s: %s\n", variant, read_only ? "read-only" : "writable",
                 opened.error().message().c_str());
  }
}

// SEGLOG_FUZZ_KEEP=DIR (for replaying one input): also writes each variant
// of the file there as raw.seg and crafted.seg, to open with other tools.
void keep_copy(const char* variant, const std::uint8_t* file, std::size_t size) {
  static const char* keep = std::getenv("SEGLOG_FUZZ_KEEP");
  if (keep == nullptr) return;
  std::FILE* out = std::fopen((std::string(keep) + "/" + variant + ".seg").c_str(), "wb");
  SEGLOG_FUZZ_CHECK(out != nullptr && std::fwrite(file, 1, size, out) == size);
  std::fclose(out);
}

seglog::Options options_for(bool read_only) {
  seglog::Options options;
  options.dir = ScratchDir::get().path();
  options.segment_size = 64 * 1024;  // the smallest allowed: appends stay cheap
  options.read_only = read_only;
  return options;
}

// Reads every index in [first, last] (at most what a file of `file_bytes`
// can hold: every record takes 32 bytes or more) and checks that the four
// read calls agree.
void check_reads(const SegmentedStorage& storage, std::size_t file_bytes) {
  const std::uint64_t first = storage.first_index();
  const std::uint64_t last = storage.last_index();
  SEGLOG_FUZZ_CHECK(first >= 1);
  SEGLOG_FUZZ_CHECK(last == first - 1 || last >= first);

  if (first > 1) {
    auto below = storage.get_entry(first - 1);
    SEGLOG_FUZZ_CHECK(!below && below.error() == errc::compacted);
  }
  if (last < UINT64_MAX) {
    auto above = storage.read_entry(last + 1);
    SEGLOG_FUZZ_CHECK(!above && above.error() == errc::out_of_range);
  }
  if (last < first) return;

  const std::uint64_t most = file_bytes / kRecordHeaderBytes + 1;
  const std::uint64_t end = last - first + 1 > most ? first + most : last + 1;
  std::vector<std::optional<LogEntry>> read(end - first);
  for (std::uint64_t index = first; index < end; ++index) {
    auto view = storage.read_entry(index);
    auto entry = storage.get_entry(index);
    auto term = storage.term(index);
    if (view) SEGLOG_FUZZ_CHECK(view->index() == index);
    if (entry) SEGLOG_FUZZ_CHECK(entry->index == index);
    if (view && entry) SEGLOG_FUZZ_CHECK(view->to_entry() == *entry);
    if (term && entry) SEGLOG_FUZZ_CHECK(*term == entry->term);
    if (entry) read[index - first] = std::move(*entry);
  }
  // One batch read: whatever it returns must be the same entries, in order.
  auto batch = storage.get_entries(first, end);
  if (batch) {
    SEGLOG_FUZZ_CHECK(!batch->empty() && batch->size() <= end - first);
    for (std::size_t i = 0; i < batch->size(); ++i) {
      SEGLOG_FUZZ_CHECK((*batch)[i].index == first + i);
      if (read[i]) SEGLOG_FUZZ_CHECK((*batch)[i] == *read[i]);
    }
  }
}

// A writable log that opened must take one more entry and keep it.
void check_append(std::unique_ptr<SegmentedStorage> storage) {
  const std::uint64_t last = storage->last_index();
  if (last == UINT64_MAX) return;
  auto last_term = storage->term(last);
  const LogEntry entry{last + 1,
                       last_term ? std::max<std::uint64_t>(*last_term, 1) : 1,
                       7,
                       {std::byte{'f'}, std::byte{'u'}, std::byte{'z'}, std::byte{'z'}}};
  if (auto appended = storage->append_entries({&entry, 1}); !appended) {
    if (std::getenv("SEGLOG_FUZZ_VERBOSE")) {
      std::fprintf(stderr, "append refused: %s\n", appended.error().message().c_str());
    }
    return;  // refusing is allowed
  }
  auto back = storage->get_entry(entry.index);
  SEGLOG_FUZZ_CHECK(back && *back == entry);
  if (!storage->close()) return;

  auto reopened = SegmentedStorage::open(options_for(/*read_only=*/true));
  SEGLOG_FUZZ_CHECK(reopened);
  auto again = (*reopened)->get_entry(entry.index);
  SEGLOG_FUZZ_CHECK(again && *again == entry);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ScratchDir& dir = ScratchDir::get();
  const std::string name = seglog::detail::segment_name(1);
  std::vector<std::uint8_t> crafted(data, data + size);
  seglog::fuzz::fix_segment_checksums(std::as_writable_bytes(std::span(crafted)));

  for (const std::uint8_t* file : {data, static_cast<const std::uint8_t*>(crafted.data())}) {
    for (const bool read_only : {true, false}) {
      dir.clear();
      dir.write(name, file, size);
      keep_copy(file == data ? "raw" : "crafted", file, size);
      auto storage = SegmentedStorage::open(options_for(read_only));
      trace(file == data ? "raw" : "crafted", read_only, storage);
      if (!storage) continue;  // refusing the file is allowed
      check_reads(**storage, size);
      if (!read_only) check_append(std::move(*storage));
    }
  }
  dir.clear();
  return 0;
}

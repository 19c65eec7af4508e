// tools/seglog/dump.cpp — `seglog dump DIR`: the entries of a range
// through the library's read-only open (which copes with a live writer),
// streamed; and `--segment FILE`: one file's records with their offsets,
// valid or not, for forensics (docs/cli.md, "dump").
#include "commands.hpp"
#include "directory_scan.hpp"
#include "entry_printer.hpp"
#include "record_reader.hpp"

#include <seglog/seglog.hpp>

#include "format/file_names.hpp"
#include "format/segment_header.hpp"
#include "meta/restart_file.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

namespace seglog::tool {

namespace {

// What the read-only open tells (damage it serves the log before): to
// standard error, as it happens.
class StderrLogger final : public Logger {
 public:
  void log(Level level, std::string_view message) override {
    if (level >= Level::warn) std::cerr << "seglog dump: note: " << message << "\n";
  }
};

constexpr std::uint64_t kVisitBytes = 4 << 20;  // payload bytes per visit: memory stays flat
constexpr int kMaxStaleRetries = 10;

int digits(std::uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// The read-only open, again while a live writer removes a file the open
// is reading (stale): each try sees the directory as it is by then.
Result<std::unique_ptr<SegmentedStorage>> open_read_only(const std::filesystem::path& dir) {
  Options o;
  o.dir = dir;
  o.read_only = true;
  o.max_mapped_segments = 1;  // dump walks forward: an older mapping is never needed again
  o.logger = std::make_shared<StderrLogger>();
  for (int attempt = 1;; ++attempt) {
    auto opened = SegmentedStorage::open(o);
    if (opened || opened.error() != errc::stale || attempt >= kMaxStaleRetries) return opened;
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
  }
}

int dump_directory(const DumpOptions& options) {
  auto opened = open_read_only(options.dir);
  if (!opened) {
    std::cerr << "seglog dump: " << opened.error().message() << "\n";
    return kExitError;
  }
  std::unique_ptr<SegmentedStorage> storage = std::move(*opened);
  std::uint64_t next = options.from.value_or(storage->first_index());
  const std::uint64_t last = std::min(options.to.value_or(UINT64_MAX), storage->last_index());
  if (next < storage->first_index()) {
    std::cerr << "seglog dump: note: entries below " << storage->first_index()
              << " are compacted; starting there\n";
    next = storage->first_index();
  }
  if ((options.to && *options.to > storage->last_index()) ||
      (options.from && *options.from > storage->last_index())) {
    std::cerr << "seglog dump: note: the log ends at " << storage->last_index() << "\n";
  }
  EntryPrinter printer(stdout, options.payload, options.json, digits(last));
  bool damaged = false;
  bool output_ok = true;
  int stale_retries = 0;
  while (next <= last && output_ok) {
    const std::uint64_t before = next;
    const Status status = storage->visit_entries(
        next, last + 1,
        [&](const EntryView& e) {
          PrintedEntry p;
          p.index = e.index();
          p.term = e.term();
          p.type = e.type();
          p.bytes = e.data().size();
          p.status = "ok";  // read with its checksum verified
          p.payload = e.data();
          output_ok = printer.print(p);
          next = e.index() + 1;
          return output_ok;
        },
        kVisitBytes);
    if (status) {
      if (next == before) break;  // nothing more to read
      stale_retries = 0;
      continue;
    }
    const Error& error = status.error();
    if (error == errc::corrupted) {
      // The entry cannot be read: say so in place, and go on after it.
      damaged = true;
      std::cerr << "seglog dump: " << error.message() << "\n";
      PrintedEntry p;
      p.index = next;
      p.has_fields = false;
      p.status = "corrupted";
      output_ok = printer.print(p);
      ++next;
      continue;
    }
    if (error == errc::stale && stale_retries < kMaxStaleRetries) {
      // The writer removed or replaced a segment since the open: see the
      // log as it is now, and go on where the dump stopped.
      ++stale_retries;
      std::cerr << "seglog dump: note: the writer changed the log under the dump ("
                << error.message() << "); reopening at index " << next << "\n";
      auto again = open_read_only(options.dir);
      if (!again) {
        std::cerr << "seglog dump: " << again.error().message() << "\n";
        return kExitError;
      }
      storage = std::move(*again);
      if (next < storage->first_index()) {
        std::cerr << "seglog dump: note: entries " << next << ".." << storage->first_index() - 1
                  << " were compacted by the writer meanwhile; going on at "
                  << storage->first_index() << "\n";
        next = storage->first_index();
      }
      continue;
    }
    if (error == errc::out_of_range || error == errc::compacted) {
      // The writer truncated the log while this dump read it.
      std::cerr << "seglog dump: stopped at index " << next << ": the writer truncated the log ("
                << error.message() << ")\n";
      return kExitError;
    }
    std::cerr << "seglog dump: " << error.message() << "\n";
    return kExitError;
  }
  if (std::fflush(stdout) != 0 || !output_ok) return kExitError;
  return damaged ? kExitDamage : kExitClean;
}

// The raw fields of a header that is not a valid record, for forensics.
PrintedEntry raw_record(const std::byte* header, std::uint64_t offset, std::string status) {
  PrintedEntry p;
  p.offset = offset;
  p.bytes = detail::load_le<std::uint32_t>(header + 8);
  p.bytes = p.bytes >= detail::kRecordHeaderBytes ? p.bytes - detail::kRecordHeaderBytes : 0;
  p.type = static_cast<std::uint8_t>(header[12]);
  p.index = detail::load_le<std::uint64_t>(header + 16);
  p.term = detail::load_le<std::uint64_t>(header + 24);
  p.status = std::move(status);
  return p;
}

int dump_segment(const DumpOptions& options) {
  const std::filesystem::path& path = *options.segment;
  auto header = read_segment_header(path, detail::parse_segment_name(path.filename().string()));
  if (!header) {
    std::cerr << "seglog dump: " << header.error().message() << "\n";
    return kExitError;
  }
  const SegmentHeader& h = *header;
  const bool verify = h.identity.has_value();
  EntryPrinter printer(stdout, options.payload, options.json, 1);
  std::string about = "segment " + h.name + ": " + std::to_string(h.file_bytes) + " bytes";
  if (h.identity) {
    about += ", first index " + std::to_string(h.identity->first_index) + ", capacity " +
             std::to_string(h.identity->capacity);
  } else {
    about += "; " + h.unreadable + ": checksums cannot be verified";
  }
  if (h.state) {
    about += h.state->sealed ? ", sealed: records end at " + std::to_string(h.state->end_offset) +
                                   ", footer at " + std::to_string(h.state->footer_offset)
                             : ", unsealed: synced end " + std::to_string(h.state->synced_end);
  } else if (h.identity) {
    about += ", no readable state slot";
  }
  if (!h.unreadable.empty() && h.identity) about += "; header: " + h.unreadable;
  // Beside its directory's restart.json, a listed salt makes it a leftover
  // of restart_log (an unreadable restart.json says nothing here).
  if (auto restart = detail::load_restart(path.parent_path()); h.identity && restart && *restart) {
    const auto& salts = (*restart)->discarded_salts;
    if (std::find(salts.begin(), salts.end(), h.salt()) != salts.end()) {
      about +=
          "; restart.json lists its salt: a segment restart_log discarded, not part of the log";
    }
  }
  bool output_ok = printer.note(about);
  auto reader = RecordReader::open(path, h.file_bytes, h.salt(), verify);
  if (!reader) {
    std::cerr << "seglog dump: " << reader.error().message() << "\n";
    return kExitError;
  }
  const bool sealed = h.sealed();
  const std::uint64_t end_offset = sealed ? h.state->end_offset : h.file_bytes;
  const std::uint64_t stop = sealed ? h.state->footer_offset : h.file_bytes;
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  std::uint64_t expected = h.first_index();
  bool damaged = false;
  while (output_ok && pos + detail::kRecordHeaderBytes <= stop) {
    auto at = reader->at(pos, expected, stop);
    if (!at) {
      std::cerr << "seglog dump: " << at.error().message() << "\n";
      return kExitError;
    }
    if (at->check == detail::RecordCheck::end) {
      output_ok = printer.note("offset " + std::to_string(pos) + ": zeros, the end of the records");
      break;
    }
    if (at->check == detail::RecordCheck::invalid) {
      damaged = true;
      auto raw = reader->bytes(pos, detail::kRecordHeaderBytes);
      if (!raw) return kExitError;
      output_ok = printer.print(raw_record(*raw, pos, "invalid"));
      auto next = reader->find_after(
          pos, [](std::uint64_t) { return true; }, stop);
      if (!next) return kExitError;
      if (!*next) {
        output_ok =
            output_ok && printer.note("no valid record after offset " + std::to_string(pos) +
                                      " up to " + std::to_string(stop));
        break;
      }
      output_ok =
          output_ok && printer.note("bytes " + std::to_string(pos) + ".." +
                                    std::to_string((*next)->offset) + " are not a valid record");
      pos = (*next)->offset;
      expected = (*next)->record.fields.index;
      continue;
    }
    PrintedEntry p;
    p.offset = pos;
    p.index = at->record.fields.index;
    p.term = at->record.fields.term;
    p.type = at->record.fields.type;
    p.bytes = at->record.payload.size();
    p.payload = at->record.payload;
    p.status = !verify                                             ? "unverified"
               : at->check == detail::RecordCheck::out_of_sequence ? "out-of-sequence"
               : pos >= end_offset                                 ? "cut"
                                                                   : "ok";
    if (at->check == detail::RecordCheck::out_of_sequence) damaged = true;
    output_ok = printer.print(p);
    pos += at->record.bytes;
    expected = at->record.fields.index + 1;
  }
  if (output_ok && sealed) {
    output_ok = printer.note("footer at offset " + std::to_string(h.state->footer_offset) + ": " +
                             std::to_string(h.state->point_count) + " sparse points");
  }
  if (std::fflush(stdout) != 0 || !output_ok) return kExitError;
  return damaged ? kExitDamage : kExitClean;
}

}  // namespace

int run_dump(const DumpOptions& options) {
  if (options.segment) return dump_segment(options);
  if (options.kv) return run_dump_kv(options);
  if (options.from && options.to && *options.from > *options.to) {
    std::cerr << "seglog dump: --from " << *options.from << " is after --to " << *options.to
              << "\n";
    return kExitError;
  }
  return dump_directory(options);
}

}  // namespace seglog::tool

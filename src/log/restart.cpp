// log/restart.cpp — restart_log's log half (docs/design.md, "restart_log"):
// the salts that name the old log in restart.json, and, once that file is
// in place, dropping every segment and starting empty at the new index.
#include "errors.hpp"
#include "format/file_names.hpp"
#include "format/segment_header.hpp"
#include "io/file.hpp"
#include "log/segment_log.hpp"

#include <algorithm>
#include <array>
#include <system_error>

namespace seglog::detail {

Result<std::vector<SegmentFileId>> SegmentLog::list_segment_files() {
  // Seals queued by a roll, a boundary rewrite (which creates a file with
  // its boundary's salt): all of it settles first, so the listing is every
  // segment file this restart must discard.
  worker_.wait(BackgroundWorker::kAll);
  if (auto s = check_writable(); !s) return s.error();
  std::vector<SegmentFileId> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(cfg_.dir, ec)) {
    if (!parse_segment_name(entry.path().filename().string())) continue;
    auto file = File::open(entry.path(), File::Mode::read_only);
    if (!file) return file.error();
    std::array<std::byte, kIdentityBytes> identity_bytes;
    if (auto read = file->read_at(0, identity_bytes); !read) return read.error();
    const auto identity = decode_identity(identity_bytes.data());
    if (!identity) {
      return make_error(errc::corrupted, "restart_log: segment " + entry.path().string() +
                                             " has a damaged identity block: it cannot be named "
                                             "for discarding (repair the directory first)");
    }
    files.push_back({entry.path(), identity->salt});
  }
  if (ec) return os_error("list directory", cfg_.dir, ec.value());
  // In index order (names are zero-padded), not the file system's
  // directory order: the unlinks of step 3 and the salts in restart.json
  // then come out the same on every file system (the golden records of
  // tests/power_loss compare them call by call).
  std::sort(files.begin(), files.end(),
            [](const SegmentFileId& a, const SegmentFileId& b) { return a.path < b.path; });
  return files;
}

Status SegmentLog::restart(std::uint64_t next_index, const std::vector<SegmentFileId>& files) {
  // restart.json already names these files: from here on the old log is
  // gone whatever happens, so readers stop seeing it at once.
  if (active_) active_->stop_prefault();
  const auto dropped = table_.erase_front(table_.size());
  active_.reset();
  table_.set_first_index(next_index);
  table_.set_last_index(next_index - 1);
  // The unlinks free space and spare the next open the work; a failure
  // makes the log refuse writes (the table and the directory disagree
  // until a reopen, which discards the files by their salts).
  for (const SegmentFileId& file : files) {
    if (auto s = remove_file(file.path); !s) return fail_sticky(s);
  }
  if (auto s = sync_directory(cfg_.dir); !s) return fail_sticky(s);
  check_invariants();
  return {};
}

}  // namespace seglog::detail

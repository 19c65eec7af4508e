// A consumer of seglog: sees only the installed headers (or the
// subproject's include/), opens a log in a temporary directory, appends,
// syncs, reads back, reopens. Exit status 0 when everything checks out.
#include <seglog/seglog.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace {

int failed(const char* what, const seglog::Error& error) {
  std::fprintf(stderr, "consumer: %s: %s\n", what, error.message().c_str());
  return 1;
}

std::vector<std::byte> payload(std::uint64_t index) {
  return std::vector<std::byte>(100 + index % 7, static_cast<std::byte>(index));
}

int run(const std::filesystem::path& dir) {
  seglog::Options options;
  options.dir = dir / "log";
  options.segment_size = 64 << 10;  // small: the 1000 entries span segments

  auto opened = seglog::SegmentedStorage::open(options);
  if (!opened) return failed("open", opened.error());
  seglog::SegmentedStorage& log = **opened;

  std::vector<seglog::LogEntry> entries;
  for (std::uint64_t i = 1; i <= 1000; ++i) entries.push_back({i, 1 + i / 500, 0, payload(i)});
  if (auto st = log.append_entries(entries); !st) return failed("append", st.error());
  if (auto st = log.sync(); !st) return failed("sync", st.error());

  for (std::uint64_t i = 1; i <= 1000; ++i) {
    auto entry = log.get_entry(i);
    if (!entry) return failed("get_entry", entry.error());
    if (*entry != entries[i - 1]) {
      std::fprintf(stderr, "consumer: entry %llu differs\n", static_cast<unsigned long long>(i));
      return 1;
    }
  }
  if (auto st = log.close(); !st) return failed("close", st.error());
  opened->reset();  // release the directory before reopening

  auto again = seglog::SegmentedStorage::open(options);
  if (!again) return failed("reopen", again.error());
  if ((*again)->first_index() != 1 || (*again)->last_index() != 1000) {
    std::fprintf(stderr, "consumer: reopened log holds %llu..%llu\n",
                 static_cast<unsigned long long>((*again)->first_index()),
                 static_cast<unsigned long long>((*again)->last_index()));
    return 1;
  }
  auto view = (*again)->read_entry(1000);
  if (!view) return failed("read_entry", view.error());
  if (view->term() != 3 || view->data().size() != payload(1000).size()) {
    std::fprintf(stderr, "consumer: entry 1000 reads back wrong\n");
    return 1;
  }
  std::printf("consumer: 1000 entries appended, synced, read back and reopened\n");
  return 0;
}

}  // namespace

int main() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "seglog-consumer-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("consumer: mkdtemp");
    return 1;
  }
  const int status = run(pattern);
  std::error_code ignored;
  std::filesystem::remove_all(pattern, ignored);
  return status;
}

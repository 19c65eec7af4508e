// bench/page_prep.cpp — the ways to make the pages of a preallocated,
// mapped segment file ready for a writer's stores, timed on this machine
// (docs/performance.md, "Keeping faults off the append path"). Why the
// prefaulter writes zeros (src/log/prefault.hpp) rests on these numbers.
//
// usage: page_prep [rounds]   (default 3; a 64 MiB file in $TMPDIR,
//        removed at exit). Prints MB/s per step, the median of the rounds.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kFile = 64u << 20;
constexpr std::size_t kChunk = 1u << 20;

class Mapped {
 public:
  explicit Mapped(const std::string& path) {
    ::unlink(path.c_str());
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::posix_fallocate(fd_, 0, kFile) != 0) fail("open/fallocate");
    void* p = ::mmap(nullptr, kFile, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) fail("mmap");
    data_ = static_cast<char*>(p);
    // As seglog advises the part of a segment ahead of a streaming writer
    // (log/prefault.cpp): no read-ahead on faults.
    ::madvise(data_, kFile, MADV_RANDOM);
  }
  ~Mapped() {
    ::munmap(data_, kFile);
    ::close(fd_);
  }
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;

  // pwrite of zeros, one call per chunk of at most 1 MiB (one zero page,
  // named by every iovec); chunks end on 1 MiB boundaries when `aligned`,
  // else every kChunk bytes from `from`.
  void write_zeros(std::size_t from, std::size_t to, bool aligned) const {
    static const std::vector<char> zero(4096, 0);
    std::vector<iovec> iov(kChunk / 4096 + 1, iovec{const_cast<char*>(zero.data()), 4096});
    for (std::size_t at = from; at < to;) {
      const std::size_t end = std::min(to, aligned ? (at / kChunk + 1) * kChunk : at + kChunk);
      std::size_t n = 0;
      for (std::size_t covered = 0; at + covered < end; ++n) {
        iov[n].iov_len = std::min<std::size_t>(4096, end - at - covered);
        covered += iov[n].iov_len;
      }
      if (::pwritev(fd_, iov.data(), static_cast<int>(n), static_cast<off_t>(at)) <= 0) {
        fail("pwritev");
      }
      at = end;
    }
  }
  void populate_write(std::size_t from, std::size_t to) const {
    const std::size_t begin = from / 4096 * 4096;
    ::madvise(data_ + begin, to - begin, MADV_POPULATE_WRITE);
  }
  // What the writer does: 17 KiB at a time (a batch of 64 records of 256 B).
  void store(std::size_t from, std::size_t to) const {
    static const std::vector<char> batch(17408, 7);
    for (std::size_t at = from; at < to; at += batch.size()) {
      std::memcpy(data_ + at, batch.data(), std::min(batch.size(), to - at));
    }
  }

 private:
  [[noreturn]] static void fail(const char* what) {
    std::perror(what);
    std::exit(1);
  }
  int fd_ = -1;
  char* data_ = nullptr;
};

double seconds(const std::function<void()>& step) {
  const auto begin = std::chrono::steady_clock::now();
  step();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

struct Row {
  const char* what;
  std::vector<double> mb_per_s;
};

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = (std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
                            ("seglog-page-prep-" + std::to_string(::getpid())))
                               .string();
  const double mib = kFile / 1048576.0;
  // An unaligned start, as a writer's cursor is: the first chunk is short.
  const std::size_t first = 4096 + 100;
  std::vector<Row> rows = {
      {"stores, pages not prepared (each faults)", {}},
      {"MADV_POPULATE_WRITE, pages not cached", {}},
      {"  then stores", {}},
      {"pwrite zeros, 1 MiB-aligned chunks", {}},
      {"  then MADV_POPULATE_WRITE", {}},
      {"  then stores", {}},
      {"pwrite zeros, chunks not aligned", {}},
      {"  then MADV_POPULATE_WRITE", {}},
  };
  for (int round = 0; round < rounds; ++round) {
    {
      Mapped m(path);
      rows[0].mb_per_s.push_back(mib / seconds([&] { m.store(first, kFile); }));
    }
    {
      Mapped m(path);
      rows[1].mb_per_s.push_back(mib / seconds([&] { m.populate_write(first, kFile); }));
      rows[2].mb_per_s.push_back(mib / seconds([&] { m.store(first, kFile); }));
    }
    {
      Mapped m(path);
      rows[3].mb_per_s.push_back(mib / seconds([&] { m.write_zeros(first, kFile, true); }));
      rows[4].mb_per_s.push_back(mib / seconds([&] { m.populate_write(first, kFile); }));
      rows[5].mb_per_s.push_back(mib / seconds([&] { m.store(first, kFile); }));
    }
    {
      Mapped m(path);
      // 1 MiB from an unaligned start: every write ends mid-folio.
      rows[6].mb_per_s.push_back(mib / seconds([&] { m.write_zeros(first, kFile, false); }));
      rows[7].mb_per_s.push_back(mib / seconds([&] { m.populate_write(first, kFile); }));
    }
  }
  ::unlink(path.c_str());
  std::printf("64 MiB preallocated file, mapped shared, %d round%s (median MB/s)\n", rounds,
              rounds == 1 ? "" : "s");
  for (auto& row : rows) {
    std::sort(row.mb_per_s.begin(), row.mb_per_s.end());
    std::printf("  %-44s %8.0f\n", row.what, row.mb_per_s[row.mb_per_s.size() / 2]);
  }
  return 0;
}

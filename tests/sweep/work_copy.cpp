// sweep/work_copy.cpp — in-place damage and repair of the sweep's copy.
#include "sweep/work_copy.hpp"

#include "format/file_names.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <stdexcept>
#include <system_error>

namespace seglog::sweep {

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

class Fd {
 public:
  Fd(const fs::path& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {
    if (fd_ < 0) fail("open", path);
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_whole(const fs::path& path, const std::vector<std::byte>& bytes) {
  Fd fd(path, O_WRONLY | O_CREAT);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd.get(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) fail("write", path);
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes.size())) != 0) fail("truncate", path);
}

// Files that hold the log's state; a writable open changes none of them but
// the unsealed newest segment.
bool is_state_name(const std::string& name) {
  return detail::parse_segment_name(name).has_value() || name == "state.json" ||
         name == "cluster.json" || name == "snapshot.bin" || name == "LOCK";
}

}  // namespace

WorkCopy::WorkCopy(fs::path dir, const Image& image) : dir_(std::move(dir)), image_(image) {
  fs::create_directories(dir_);
  restore_all();
}

void WorkCopy::flip(const std::string& name, std::uint64_t offset, std::uint8_t mask) {
  const fs::path p = path(name);
  Fd fd(p, O_RDWR);
  unsigned char byte = 0;
  if (::pread(fd.get(), &byte, 1, static_cast<off_t>(offset)) != 1) fail("read", p);
  byte ^= mask;
  if (::pwrite(fd.get(), &byte, 1, static_cast<off_t>(offset)) != 1) fail("write", p);
}

void WorkCopy::restore(const std::string& name) { write_whole(path(name), image_.at(name)); }

void WorkCopy::restore_all() {
  std::vector<fs::path> extra;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (image_.count(e.path().filename().string()) == 0) extra.push_back(e.path());
  }
  for (const fs::path& p : extra) fs::remove_all(p);
  for (const auto& [name, bytes] : image_) write_whole(path(name), bytes);
}

bool WorkCopy::same_names_and_sizes(std::string& difference) const {
  std::set<std::string> seen;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    const auto it = image_.find(name);
    if (it == image_.end()) {
      difference = "unexpected " + name;
      return false;
    }
    std::error_code ec;
    const auto size = fs::file_size(e.path(), ec);
    if (ec || size != it->second.size()) {
      difference =
          name + " is " + std::to_string(size) + " bytes, not " + std::to_string(it->second.size());
      return false;
    }
    seen.insert(name);
  }
  if (seen.size() != image_.size()) {
    for (const auto& [name, bytes] : image_) {
      if (seen.count(name) == 0) difference = "missing " + name;
    }
    return false;
  }
  return true;
}

bool WorkCopy::repair_after_writable_open(const std::string& newest, std::string& difference) {
  restore(newest);
  bool same = true;
  auto note = [&](const std::string& what) {
    if (same) difference = what;
    same = false;
  };
  std::set<std::string> seen;
  std::vector<fs::path> extra;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    const auto it = image_.find(name);
    if (it == image_.end()) {
      if (is_state_name(name)) note("new " + name);
      extra.push_back(e.path());
      continue;
    }
    seen.insert(name);
    std::error_code ec;
    if (fs::file_size(e.path(), ec) != it->second.size() || ec) {
      if (is_state_name(name)) note(name + " changed length");
      restore(name);
    }
  }
  for (const fs::path& p : extra) fs::remove_all(p);
  for (const auto& [name, bytes] : image_) {
    if (seen.count(name) != 0) continue;
    if (is_state_name(name)) note("missing " + name);
    restore(name);
  }
  return same;
}

bool WorkCopy::matches_image(std::string& difference) const {
  if (!same_names_and_sizes(difference)) return false;
  std::vector<std::byte> buffer;
  for (const auto& [name, bytes] : image_) {
    buffer.resize(bytes.size());
    Fd fd(path(name), O_RDONLY);
    if (!bytes.empty() &&
        ::pread(fd.get(), buffer.data(), buffer.size(), 0) != static_cast<ssize_t>(buffer.size())) {
      fail("read", path(name));
    }
    if (buffer != bytes) {
      std::size_t at = 0;
      while (buffer[at] == bytes[at]) ++at;
      difference = name + " differs at offset " + std::to_string(at);
      return false;
    }
  }
  return true;
}

}  // namespace seglog::sweep

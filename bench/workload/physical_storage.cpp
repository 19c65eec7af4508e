// physical_storage.cpp — the floor store of workload W (see the header for
// what it keeps and what it leaves out on purpose).
#include "physical_storage.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace seglog::workload {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataName = "data";
constexpr const char* kOffsetsName = "offsets";

// The 32 bytes in front of every payload, at seglog's record offsets.
struct RecordHeader {
  std::uint64_t zero;  // seglog's checksum slot: written, never computed
  std::uint32_t size;  // 32 + payload bytes
  std::uint8_t type;
  std::uint8_t pad[3];
  std::uint64_t index;
  std::uint64_t term;
};
static_assert(sizeof(RecordHeader) == 32);

// The side file's first 24 bytes; count offsets follow.
struct SideHeader {
  std::uint64_t first_index;
  std::uint64_t count;
  std::uint64_t end_offset;
};

Error os_error(const std::string& what, const fs::path& path, int err) {
  const errc code = err == ENOSPC ? errc::no_space : errc::io_error;
  return Error(code, "physical: " + what + " " + path.string() + ": " +
                         std::generic_category().message(err));
}

Error unsupported(const char* call) {
  return Error(errc::invalid_argument, std::string("physical: not supported: ") + call);
}

// Writes all of `bytes` at `offset` (pwrite may write less than asked).
bool pwrite_all(int fd, const std::byte* bytes, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    const ssize_t done = ::pwrite(fd, bytes, n, static_cast<off_t>(offset));
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    bytes += done;
    n -= static_cast<std::size_t>(done);
    offset += static_cast<std::uint64_t>(done);
  }
  return true;
}

bool read_all(int fd, void* out, std::size_t n) {
  auto* bytes = static_cast<char*>(out);
  while (n > 0) {
    const ssize_t done = ::read(fd, bytes, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    bytes += done;
    n -= static_cast<std::size_t>(done);
  }
  return true;
}

}  // namespace

PhysicalStorage::PhysicalStorage(fs::path dir, WriteMode mode)
    : dir_(std::move(dir)), mode_(mode) {}

PhysicalStorage::~PhysicalStorage() {
  if (map_ != nullptr) ::munmap(map_, capacity_bytes_);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<PhysicalStorage>> PhysicalStorage::create(const fs::path& dir,
                                                                 std::uint64_t capacity_bytes,
                                                                 WriteMode mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return os_error("mkdir", dir, ec.value());
  std::unique_ptr<PhysicalStorage> store(new PhysicalStorage(dir, mode));
  if (Status mapped = store->map_data(true, capacity_bytes); !mapped) {
    return mapped.error();
  }
  return store;
}

Result<std::unique_ptr<PhysicalStorage>> PhysicalStorage::open(const fs::path& dir,
                                                               WriteMode mode) {
  const fs::path side_path = dir / kOffsetsName;
  const int side = ::open(side_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (side < 0) {
    if (errno == ENOENT) {
      return Error(errc::not_found, "physical: no store in " + dir.string());
    }
    return os_error("open", side_path, errno);
  }
  std::unique_ptr<PhysicalStorage> store(new PhysicalStorage(dir, mode));
  SideHeader header{};
  bool ok = read_all(side, &header, sizeof header);
  if (ok) {
    store->offsets_.resize(header.count);
    ok = read_all(side, store->offsets_.data(), header.count * sizeof(std::uint64_t));
  }
  ::close(side);
  if (!ok) return Error(errc::corrupted, "physical: short side file " + side_path.string());
  store->first_index_ = header.first_index;
  store->base_index_ = header.first_index;
  store->end_offset_ = header.end_offset;
  if (Status mapped = store->map_data(false, 0); !mapped) return mapped.error();
  if (store->end_offset_ > store->capacity_bytes_ ||
      (!store->offsets_.empty() && store->offsets_.back() + 32 > store->end_offset_)) {
    return Error(errc::corrupted, "physical: side file does not match the data file");
  }
  return store;
}

Status PhysicalStorage::map_data(bool create, std::uint64_t capacity_bytes) {
  const fs::path path = dir_ / kDataName;
  const int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) return os_error("open", path, errno);
  if (create) {
    // posix_fallocate returns the error instead of setting errno.
    if (const int err = ::posix_fallocate(fd_, 0, static_cast<off_t>(capacity_bytes))) {
      return os_error("posix_fallocate", path, err);
    }
  } else {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return os_error("fstat", path, errno);
    capacity_bytes = static_cast<std::uint64_t>(st.st_size);
  }
  void* at = ::mmap(nullptr, capacity_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (at == MAP_FAILED) return os_error("mmap", path, errno);
  map_ = static_cast<std::byte*>(at);
  capacity_bytes_ = capacity_bytes;
  return {};
}

Status PhysicalStorage::check_readable(std::uint64_t index) const {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (index < first_index_) {
    return Error(errc::compacted, "physical: " + std::to_string(index) + " compacted");
  }
  if (index > last_index()) {
    return Error(errc::out_of_range, "physical: " + std::to_string(index) + " out of range");
  }
  return {};
}

Result<EntryView> PhysicalStorage::read_entry(std::uint64_t index) const {
  if (Status ok = check_readable(index); !ok) return ok.error();
  const std::byte* at = map_ + offsets_[index - base_index_];
  RecordHeader header;
  std::memcpy(&header, at, sizeof header);
  return EntryView(header.index, header.term, header.type,
                   {at + sizeof header, header.size - sizeof header}, nullptr);
}

Result<LogEntry> PhysicalStorage::get_entry(std::uint64_t index) const {
  auto view = read_entry(index);
  if (!view) return view.error();
  return view->to_entry();
}

Result<std::uint64_t> PhysicalStorage::term(std::uint64_t index) const {
  if (index == 0) return std::uint64_t{0};
  auto view = read_entry(index);
  if (!view) return view.error();
  return view->term();
}

Result<std::uint64_t> PhysicalStorage::clamp_range(std::uint64_t begin, std::uint64_t end) const {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (begin > end) return Error(errc::invalid_argument, "physical: begin > end");
  if (begin < first_index_) return Error(errc::compacted, "physical: begin compacted");
  if (begin > last_index() + 1) return Error(errc::out_of_range, "physical: begin > last + 1");
  return std::min(end, last_index() + 1);
}

template <class OnRecord>
void PhysicalStorage::scan_within(std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes,
                                  OnRecord&& on_record) const {
  std::uint64_t bytes = 0;
  for (std::uint64_t index = begin; index < end; ++index) {
    const std::byte* at = map_ + offsets_[index - base_index_];
    RecordHeader header;
    std::memcpy(&header, at, sizeof header);
    const std::uint64_t len = header.size - sizeof header;
    if (index > begin && bytes + len > max_bytes) return;
    bytes += len;
    if (!on_record(header, std::span<const std::byte>(at + sizeof header, len))) return;
  }
}

Result<std::vector<LogEntry>> PhysicalStorage::get_entries(std::uint64_t begin, std::uint64_t end,
                                                           std::uint64_t max_bytes) const {
  auto clamped = clamp_range(begin, end);
  if (!clamped) return clamped.error();
  std::vector<LogEntry> out;
  out.reserve(*clamped - begin);
  scan_within(begin, *clamped, max_bytes,
              [&](const RecordHeader& header, std::span<const std::byte> payload) {
                LogEntry& entry = out.emplace_back();
                entry.index = header.index;
                entry.term = header.term;
                entry.type = header.type;
                entry.data.assign(payload.begin(), payload.end());
                return true;
              });
  return out;
}

// Views carry no pin here (see the header), so a fresh one per record costs
// no reference count either.
Status PhysicalStorage::visit_entries(std::uint64_t begin, std::uint64_t end,
                                      const EntryVisitor& visit, std::uint64_t max_bytes) const {
  auto clamped = clamp_range(begin, end);
  if (!clamped) return clamped.error();
  scan_within(begin, *clamped, max_bytes,
              [&](const RecordHeader& header, std::span<const std::byte> payload) {
                return visit(EntryView(header.index, header.term, header.type, payload, nullptr));
              });
  return {};
}

Status PhysicalStorage::append_entries(std::span<const LogEntry> entries) {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (entries.empty()) return {};
  if (entries.front().index != last_index() + 1) {
    return Error(errc::gap, "physical: append at " + std::to_string(entries.front().index) +
                                " after " + std::to_string(last_index()));
  }
  std::uint64_t need = 0;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (entries[k].index != entries.front().index + k) {
      return Error(errc::invalid_argument, "physical: indices not consecutive");
    }
    need += record_bytes(entries[k].data.size());
  }
  if (need > capacity_bytes_ - end_offset_) {
    return Error(errc::no_space, "physical: preallocated capacity exhausted");
  }
  const std::uint64_t batch_offset = end_offset_;
  std::byte* out = map_ + end_offset_;
  if (mode_ == WriteMode::pwrite) {
    staging_.resize(need);
    out = staging_.data();
  }
  std::uint64_t at = 0;
  for (const LogEntry& entry : entries) {
    const RecordHeader header{0,           static_cast<std::uint32_t>(32 + entry.data.size()),
                              entry.type,  {},
                              entry.index, entry.term};
    std::memcpy(out + at, &header, sizeof header);
    if (!entry.data.empty()) {
      std::memcpy(out + at + sizeof header, entry.data.data(), entry.data.size());
    }
    offsets_.push_back(end_offset_ + at);
    at += record_bytes(entry.data.size());
  }
  if (mode_ == WriteMode::pwrite && !pwrite_all(fd_, out, need, batch_offset)) {
    offsets_.resize(offsets_.size() - entries.size());
    return os_error("pwrite", dir_ / kDataName, errno);
  }
  end_offset_ += need;
  return {};
}

Status PhysicalStorage::truncate_after(std::uint64_t index) {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (index + 1 < first_index_) return Error(errc::compacted, "physical: compacted");
  if (index >= last_index()) return {};
  end_offset_ = offsets_[index + 1 - base_index_];
  offsets_.resize(index + 1 - base_index_);
  return {};
}

Status PhysicalStorage::truncate_before(std::uint64_t index) {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (index <= first_index_) return {};
  if (index > last_index() + 1) return Error(errc::out_of_range, "physical: beyond the log");
  first_index_ = index;
  return {};
}

Status PhysicalStorage::sync() {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  if (::fdatasync(fd_) != 0) return os_error("fdatasync", dir_ / kDataName, errno);
  return {};
}

Status PhysicalStorage::flush() {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed");
  return {};
}

Status PhysicalStorage::close() {
  if (map_ == nullptr) return Error(errc::closed, "physical: closed twice");
  Status synced = sync();
  // The side file: first index, count, end offset, then the offsets of
  // [first_index, last_index].
  const fs::path side_path = dir_ / kOffsetsName;
  const std::uint64_t skip = first_index_ - base_index_;
  const SideHeader header{first_index_, offsets_.size() - skip, end_offset_};
  Status written;
  const int side = ::open(side_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (side < 0 ||
      !pwrite_all(side, reinterpret_cast<const std::byte*>(&header), sizeof header, 0) ||
      !pwrite_all(side, reinterpret_cast<const std::byte*>(offsets_.data() + skip),
                  header.count * sizeof(std::uint64_t), sizeof header) ||
      ::fdatasync(side) != 0) {
    written = os_error("write", side_path, errno);
  }
  if (side >= 0) ::close(side);
  ::munmap(map_, capacity_bytes_);
  map_ = nullptr;
  ::close(fd_);
  fd_ = -1;
  if (!synced) return synced;
  return written;
}

Result<PersistentState> PhysicalStorage::get_state() const { return unsupported("get_state"); }
Status PhysicalStorage::save_state(const PersistentState&) { return unsupported("save_state"); }
Result<std::optional<Snapshot>> PhysicalStorage::get_snapshot() const {
  return unsupported("get_snapshot");
}
Status PhysicalStorage::save_snapshot(std::span<const std::byte>, std::uint64_t, std::uint64_t,
                                      std::span<const std::byte>) {
  return unsupported("save_snapshot");
}
Status PhysicalStorage::append_entries(std::span<const EntryRef>) {
  return unsupported("append_entries from EntryRef");
}
Status PhysicalStorage::restart_log(std::uint64_t, std::uint64_t) {
  return unsupported("restart_log");
}
Result<std::optional<std::vector<std::byte>>> PhysicalStorage::get_value(
    std::span<const std::byte>) const {
  return unsupported("get_value");
}
Status PhysicalStorage::set_value(std::span<const std::byte>, std::span<const std::byte>) {
  return unsupported("set_value");
}
Result<std::optional<ClusterConfig>> PhysicalStorage::get_cluster_config() const {
  return unsupported("get_cluster_config");
}
Status PhysicalStorage::save_cluster_config(const ClusterConfig&) {
  return unsupported("save_cluster_config");
}

}  // namespace seglog::workload

// subject.cpp — the implementations the workload can drive: "seglog"
// (SegmentedStorage, the product), "memory" (MemoryStorage), "physical"
// and "physical-pwrite" (PhysicalStorage, the machine's floor). Adding one
// is a class here plus a line in make_subject().
#include "subject.hpp"

#include "physical_storage.hpp"

#include <seglog/memory_storage.hpp>
#include <seglog/segmented_storage.hpp>

#include <map>
#include <utility>

namespace seglog::workload {
namespace {

// A subject that owns the storage it opened: close() closes and drops it.
template <class Store>
class OwningSubject : public Subject {
 public:
  Status close() override {
    if (!storage_) return Error(errc::closed, "workload: nothing open");
    Status status = storage_->close();
    storage_.reset();
    return status;
  }

  Storage& storage() override { return *storage_; }

 protected:
  // Takes the store an open or create returned.
  Status adopt(Result<std::unique_ptr<Store>> opened) {
    if (!opened) return opened.error();
    storage_ = std::move(*opened);
    return {};
  }

 private:
  std::unique_ptr<Store> storage_;
};

class SegmentedSubject final : public OwningSubject<SegmentedStorage> {
 public:
  explicit SegmentedSubject(const SubjectConfig& config) : config_(config) {}

  Status create(const std::filesystem::path& dir, std::uint64_t) override {
    return open(dir);  // open() creates a missing directory
  }

  Status open(const std::filesystem::path& dir) override {
    Options options;
    options.dir = dir;
    options.segment_size = config_.segment_size;
    options.max_entry_size = config_.max_entry_size;
    options.verify_checksums = config_.verify_checksums;
    if (config_.max_mapped_segments) options.max_mapped_segments = *config_.max_mapped_segments;
    if (config_.max_mapped_bytes) options.max_mapped_bytes = *config_.max_mapped_bytes;
    return adopt(SegmentedStorage::open(std::move(options)));
  }

 private:
  SubjectConfig config_;
};

// MemoryStorage has no directory: "close" keeps the object aside and
// "open" of the same directory takes it back, so reopen measures nothing
// but the call.
class MemorySubject final : public Subject {
 public:
  explicit MemorySubject(const SubjectConfig& config) : config_(config) {}

  Status create(const std::filesystem::path& dir, std::uint64_t) override {
    stores_[dir] = std::make_unique<MemoryStorage>(config_.max_entry_size);
    open_ = stores_[dir].get();
    return {};
  }

  Status open(const std::filesystem::path& dir) override {
    auto it = stores_.find(dir);
    if (it == stores_.end()) {
      return Error(errc::not_found, "workload: no memory store for " + dir.string());
    }
    open_ = it->second.get();
    return {};
  }

  Status close() override {
    if (open_ == nullptr) return Error(errc::closed, "workload: nothing open");
    open_ = nullptr;
    return {};
  }

  Storage& storage() override { return *open_; }

 private:
  SubjectConfig config_;
  std::map<std::filesystem::path, std::unique_ptr<MemoryStorage>> stores_;
  MemoryStorage* open_ = nullptr;
};

// The floor: a preallocated mapped file, synced with fdatasync, stored
// into through the mapping (physical) or with one pwrite per batch
// (physical-pwrite).
class PhysicalSubject final : public OwningSubject<PhysicalStorage> {
 public:
  PhysicalSubject(const SubjectConfig& config, PhysicalStorage::WriteMode mode)
      : config_(config), mode_(mode) {}

  // The file is preallocated to exactly the record bytes the workload
  // will append (plus 1 MiB): the floor writes into a file of the size it
  // needs. (A much larger one is measurably slower to fdatasync on ext4:
  // every sync converts part of a bigger unwritten extent.)
  Status create(const std::filesystem::path& dir, std::uint64_t entries) override {
    const std::uint64_t capacity =
        entries * PhysicalStorage::record_bytes(config_.payload_bytes) + (1ull << 20);
    return adopt(PhysicalStorage::create(dir, capacity, mode_));
  }

  Status open(const std::filesystem::path& dir) override {
    return adopt(PhysicalStorage::open(dir, mode_));
  }

 private:
  SubjectConfig config_;
  PhysicalStorage::WriteMode mode_;
};

}  // namespace

std::vector<std::string> subject_names() {
  return {"seglog", "memory", "physical", "physical-pwrite"};
}

std::unique_ptr<Subject> make_subject(std::string_view name, const SubjectConfig& config) {
  if (name == "seglog") return std::make_unique<SegmentedSubject>(config);
  if (name == "memory") return std::make_unique<MemorySubject>(config);
  if (name == "physical") {
    return std::make_unique<PhysicalSubject>(config, PhysicalStorage::WriteMode::mmap);
  }
  if (name == "physical-pwrite") {
    return std::make_unique<PhysicalSubject>(config, PhysicalStorage::WriteMode::pwrite);
  }
  return nullptr;
}

}  // namespace seglog::workload

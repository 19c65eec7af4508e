// power_loss/durable_model.cpp — the seam hook that tracks durable state
// (durable_model.hpp).
#include "power_loss/durable_model.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <stdexcept>

namespace seglog::test {
namespace {

using seglog::detail::fault::Call;
using seglog::detail::fault::Op;

Content empty_content() {
  static const Content empty = std::make_shared<const Bytes>();
  return empty;
}

Bytes read_fd(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) throw std::runtime_error("fstat failed in the durable model");
  Bytes out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) break;  // a concurrent trim: what was read is what there is
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

Content read_path(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("the durable model cannot read " + path.string());
  auto content = std::make_shared<const Bytes>(read_fd(fd));
  ::close(fd);
  return content;
}

bool key_of_fd(int fd, std::pair<dev_t, ino_t>& key) {
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) return false;
  key = {st.st_dev, st.st_ino};
  return true;
}

}  // namespace

DurableModel::DurableModel(std::filesystem::path dir) : dir_(std::move(dir)) {
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const int id = new_file(read_path(entry.path()));
    struct stat st;
    if (::stat(entry.path().c_str(), &st) == 0) by_key_[{st.st_dev, st.st_ino}] = id;
    files_[static_cast<std::size_t>(id)].named = true;
    names_now_[name] = id;
  }
  durable_names_ = names_now_;
  seglog::detail::fault::set_hook(this);
  installed_ = true;
}

DurableModel::~DurableModel() { uninstall(); }

void DurableModel::uninstall() {
  if (installed_) seglog::detail::fault::set_hook(nullptr);
  installed_ = false;
}

void DurableModel::begin_operation(std::string label, int expectation) {
  std::lock_guard lock(mu_);
  label_ = std::move(label);
  operation_thread_ = std::this_thread::get_id();
  expectation_ = expectation;
  step_ = 0;
  step_counts_.emplace_back(label_, 0);
}

void DurableModel::end_operation(int expectation) {
  // The background thread may be between a call and its after(): wait for
  // it, so names and contents agree.
  seglog::detail::fault::PauseCalls pause;
  std::lock_guard lock(mu_);
  if (capturing_) capture("after " + label_ + " returned", expectation);
  expectation_ = expectation;
}

bool DurableModel::in_dir(const std::filesystem::path& path) const {
  return path.parent_path().lexically_normal() == dir_.lexically_normal();
}

int DurableModel::file_named(const std::string& name) const {
  auto it = names_now_.find(name);
  return it == names_now_.end() ? -1 : it->second;
}

int DurableModel::new_file(Content synced) {
  files_.push_back(File{std::move(synced), nullptr, false});
  return static_cast<int>(files_.size()) - 1;
}

Content DurableModel::read_current(int file) {
  for (const auto& [name, id] : names_now_) {
    if (id == file) return read_path(dir_ / name);
  }
  const File& f = files_[static_cast<std::size_t>(file)];
  if (f.last_seen) return f.last_seen;
  return f.synced ? f.synced : empty_content();
}

CrashPoint DurableModel::snapshot_now(std::string step) {
  seglog::detail::fault::PauseCalls pause;
  std::lock_guard lock(mu_);
  capture(std::move(step), expectation_);
  CrashPoint point = std::move(points_.back());
  points_.pop_back();
  return point;
}

void DurableModel::capture(std::string step, int expectation) {
  CrashPoint point;
  point.operation = label_;
  point.step = std::move(step);
  point.expectation = expectation;
  point.durable_names = durable_names_;
  point.pending = pending_;
  std::set<int> ids;
  for (const auto& [name, id] : durable_names_) ids.insert(id);
  for (const NamespaceOp& op : pending_) {
    if (op.file >= 0) ids.insert(op.file);
  }
  for (int id : ids) {
    const File& f = files_[static_cast<std::size_t>(id)];
    FileVersions versions{f.synced ? f.synced : empty_content(), read_current(id)};
    // Share bytes with the previous crash point when unchanged (memory).
    auto& previous = last_captured_[id];
    if (previous && *previous == *versions.current) {
      versions.current = previous;
    } else {
      previous = versions.current;
    }
    if (*versions.synced == *versions.current) versions.current = versions.synced;
    point.files.emplace(id, std::move(versions));
  }
  points_.push_back(std::move(point));
}

int DurableModel::before(const Call& call) {
  const bool relevant = call.op == Op::sync_directory
                            ? call.path.lexically_normal() == dir_.lexically_normal()
                            : in_dir(call.path);
  if (!relevant) return 0;
  std::lock_guard lock(mu_);
  ++step_;
  if (step_counts_.empty()) step_counts_.emplace_back(label_, 0);
  step_counts_.back().second = step_;
  std::string name = label_ + "#" + std::to_string(step_) +
                     (std::this_thread::get_id() == operation_thread_ ? " " : " background ") +
                     seglog::detail::fault::op_name(call.op) + " ";
  if (call.op == Op::rename && call.from != nullptr) {
    name += call.from->filename().string() + " -> ";
  }
  name += call.op == Op::sync_directory ? std::string("<dir>") : call.path.filename().string();
  if (capturing_) capture("before " + name, expectation_);
  // A file about to lose its last name: keep what it holds, in case the
  // power loss undoes the unlink or rename.
  if (call.op == Op::unlink || call.op == Op::rename) {
    const int target = file_named(call.path.filename().string());
    const int source = call.from ? file_named(call.from->filename().string()) : -1;
    if (target >= 0 && target != source) {
      files_[static_cast<std::size_t>(target)].last_seen = read_current(target);
    }
  }
  return 0;
}

void DurableModel::after(const Call& call, int err) {
  if (err != 0) return;
  const bool relevant = call.op == Op::sync_directory
                            ? call.path.lexically_normal() == dir_.lexically_normal()
                            : in_dir(call.path);
  if (!relevant) return;
  std::lock_guard lock(mu_);
  const std::string name = call.path.filename().string();
  switch (call.op) {
    case Op::create: {
      Key key;
      if (!key_of_fd(call.fd, key)) return;
      const int existing = file_named(name);
      auto known = by_key_.find(key);
      if (existing >= 0 && known != by_key_.end() && known->second == existing) {
        return;  // O_TRUNC of an existing file: a content change, unsynced
      }
      const int id = new_file(empty_content());
      by_key_[key] = id;
      if (existing >= 0) files_[static_cast<std::size_t>(existing)].named = false;
      files_[static_cast<std::size_t>(id)].named = true;
      names_now_[name] = id;
      pending_.push_back({NamespaceOp::Kind::create, name, {}, id});
      return;
    }
    case Op::sync: {
      if (!forget_syncs_of_.empty() && name.find(forget_syncs_of_) != std::string::npos) return;
      Key key;
      if (!key_of_fd(call.fd, key)) return;
      auto known = by_key_.find(key);
      if (known == by_key_.end()) return;
      // fsync/fdatasync returned: everything the file holds now is durable.
      files_[static_cast<std::size_t>(known->second)].synced =
          std::make_shared<const Bytes>(read_fd(call.fd));
      return;
    }
    case Op::sync_directory:
      durable_names_ = names_now_;
      pending_.clear();
      return;
    case Op::rename: {
      if (call.from == nullptr) return;
      const std::string from = call.from->filename().string();
      const int id = file_named(from);
      if (id < 0) return;
      const int replaced = file_named(name);
      if (replaced >= 0 && replaced != id) files_[static_cast<std::size_t>(replaced)].named = false;
      names_now_.erase(from);
      names_now_[name] = id;
      pending_.push_back({NamespaceOp::Kind::rename, from, name, id});
      return;
    }
    case Op::unlink: {
      const int id = file_named(name);
      if (id < 0) return;
      names_now_.erase(name);
      files_[static_cast<std::size_t>(id)].named = false;
      pending_.push_back({NamespaceOp::Kind::unlink, name, {}, id});
      return;
    }
    case Op::write:
    case Op::preallocate:
    case Op::truncate:
      return;  // content changes: read at the next sync or crash point
  }
}

}  // namespace seglog::test

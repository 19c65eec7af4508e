// segmented_storage.cpp — the facade: the directory lock, argument checks,
// closed/read-only states, and composition of the log (log/) with the
// files beside it (meta/). docs/design.md, "SegmentedStorage".
#include <seglog/segmented_storage.hpp>

#include "errors.hpp"
#include "format/record.hpp"
#include "io/directory_lock.hpp"
#include "log/segment_log.hpp"
#include "meta/cluster_file.hpp"
#include "meta/kv_file.hpp"
#include "meta/restart_file.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/state_file.hpp"
#include "delete_range.hpp"
#include "entry_payload.hpp"
#include "kv_args.hpp"
#include "options_check.hpp"
#include "range_read.hpp"
#include "restart_args.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <system_error>

namespace seglog {

using detail::make_error;

namespace {

// The largest index an entry or a snapshot may have: the index after the
// last one (a range's end, the next append, a segment's next index) must be
// representable, so UINT64_MAX itself is refused up front.
constexpr std::uint64_t kMaxIndex = UINT64_MAX - 1;

// A snapshot ending at UINT64_MAX could never be installed: truncate_before
// would need index UINT64_MAX + 1. Metadata is bounded (snapshot.hpp).
Status check_snapshot_args(std::uint64_t last_index, std::span<const std::byte> metadata) {
  if (last_index > kMaxIndex) {
    return make_error(errc::invalid_argument, "snapshot last index " + std::to_string(last_index) +
                                                  " is above the largest log index " +
                                                  std::to_string(kMaxIndex));
  }
  if (metadata.size() > kMaxSnapshotMetadataBytes) {
    return make_error(errc::invalid_argument, "snapshot metadata of " +
                                                  std::to_string(metadata.size()) +
                                                  " bytes is above the largest, " +
                                                  std::to_string(kMaxSnapshotMetadataBytes));
  }
  return {};
}

// The snapshot's metadata, shared with snapshot writers that may outlive
// the storage.
struct SnapshotCell {
  std::mutex mu;
  std::optional<SnapshotMeta> meta;

  std::optional<SnapshotMeta> get() {
    std::lock_guard lock(mu);
    return meta;
  }
  void set(const SnapshotMeta& m) {
    std::lock_guard lock(mu);
    meta = m;
  }
};

}  // namespace

// Hidden: the nested class would otherwise take SegmentedStorage's
// exported visibility (seglog/export.hpp).
struct __attribute__((visibility("hidden"))) SegmentedStorage::Impl {
  Options options;
  std::optional<detail::DirectoryLock> lock;
  std::unique_ptr<detail::SegmentLog> log;
  std::shared_ptr<SnapshotCell> snapshot = std::make_shared<SnapshotCell>();
  // The last restart_log (restart.json): term(next_index - 1) is its
  // prev_term. Written under write_mu, read by term() from any thread.
  mutable std::mutex restart_mu;
  std::optional<detail::LogRestart> restart;
  std::mutex write_mu;  // one mutating call at a time
  std::atomic<bool> closed{false};

  mutable std::mutex meta_mu;
  mutable std::optional<PersistentState> state_cache;
  mutable std::optional<std::optional<ClusterConfig>> cluster_cache;
  // stable.kv, read whole at the first get_value/set_value (meta_mu).
  mutable std::optional<detail::KvFile> kv;

  // The key-value store, loaded once; meta_mu held.
  Result<detail::KvFile*> kv_store() const {
    if (!kv) {
      auto opened = detail::KvFile::open(options.dir, !options.read_only);
      if (!opened) return opened.error();
      if (opened->torn_tail_cut() && options.logger) {
        options.logger->log(Logger::Level::warn,
                            "cut the torn last record of " + (options.dir / "stable.kv").string());
      }
      kv.emplace(std::move(*opened));
    }
    return &*kv;
  }

  Status check_open() const {
    if (closed.load(std::memory_order_acquire)) {
      return make_error(errc::closed, "storage at " + options.dir.string() + " is closed");
    }
    return {};
  }
  Status check_writable() const {
    if (auto s = check_open(); !s) return s;
    if (options.read_only) {
      return make_error(errc::read_only,
                        "storage at " + options.dir.string() + " was opened read-only");
    }
    return {};
  }
  // For the calls that change the log: a sticky failure is reported before
  // anything else (design.md, "Sticky sync failure").
  Status check_log_writable() const {
    if (auto s = check_writable(); !s) return s;
    return log->check_writable();
  }
  // The checks get_entries and visit_entries share (named by `call`): the
  // end of the range, clamped to last_index() + 1.
  Result<std::uint64_t> clamp_range(const char* call, std::uint64_t begin,
                                    std::uint64_t end) const {
    if (auto s = check_open(); !s) return s.error();
    // The message is built only on failure: a read allocates nothing here.
    auto refuse = [&](errc code, const char* why, std::uint64_t bound) {
      return make_error(code, std::string(call) + ": begin " + std::to_string(begin) + why +
                                  std::to_string(bound));
    };
    if (begin > end) return refuse(errc::invalid_argument, " is after end ", end);
    const std::uint64_t first = log->first_index();
    const std::uint64_t last = log->last_index();
    if (begin < first) return refuse(errc::compacted, " is below the first index ", first);
    if (begin > last + 1) return refuse(errc::out_of_range, " is above the last index ", last);
    return std::min(end, last + 1);
  }
  // Calls on_record(record, pin) for the records of [begin, end) (checked
  // by clamp_range) while their payload total stays within max_bytes, the
  // first one always, until on_record returns false.
  template <class OnRecord>
  Status scan_within(std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes,
                     OnRecord&& on_record) const {
    detail::ByteBudget budget(max_bytes);
    // Two references: small enough for std::function to hold in place (no
    // allocation per call).
    return log->scan_range(begin, end,
                           [&budget, &on_record](const detail::DecodedRecord& r, const auto& pin) {
                             return budget.admit(r.payload.size()) && on_record(r, pin);
                           });
  }
  // Both append_entries overloads: validates the whole batch, skips what
  // the log already holds, appends the rest (copied once, into the log).
  template <class Entry>
  Status append_batch(std::span<const Entry> entries) {
    if (auto s = check_log_writable(); !s) return s;
    if (entries.empty()) return {};
    // Validate the whole batch before writing anything.
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (entries[k].index == 0) {
        return make_error(errc::invalid_argument,
                          "append_entries: entry " + std::to_string(k) + " has index 0");
      }
      if (entries[k].index > kMaxIndex) {
        return make_error(errc::invalid_argument,
                          "append_entries: index " + std::to_string(entries[k].index) +
                              " is above the largest log index " + std::to_string(kMaxIndex));
      }
      if (k > 0 && entries[k].index != entries[k - 1].index + 1) {
        return make_error(errc::invalid_argument,
                          "append_entries: index " + std::to_string(entries[k].index) +
                              " does not follow " + std::to_string(entries[k - 1].index));
      }
    }
    for (const Entry& e : entries) {
      if (detail::payload_of(e).size() > options.max_entry_size) {
        return make_error(errc::entry_too_large, "append_entries: entry " +
                                                     std::to_string(e.index) + " has " +
                                                     std::to_string(detail::payload_of(e).size()) +
                                                     " bytes, max_entry_size is " +
                                                     std::to_string(options.max_entry_size));
      }
    }
    std::lock_guard write(write_mu);
    const std::uint64_t first = log->first_index();
    const std::uint64_t last = log->last_index();
    std::size_t skip = 0;
    for (; skip < entries.size(); ++skip) {
      const Entry& e = entries[skip];
      if (e.index < first) continue;  // compacted: already applied
      if (e.index > last) break;
      EntryView stored;
      if (auto s = log->locate(e.index, stored); !s) return s.error();
      if (stored.term() != e.term) {
        return make_error(errc::conflict, "append_entries: index " + std::to_string(e.index) +
                                              " has term " + std::to_string(stored.term()) +
                                              ", the batch says " + std::to_string(e.term) +
                                              " (truncate_after first)");
      }
    }
    const auto fresh = entries.subspan(skip);
    if (fresh.empty()) return {};
    if (fresh.front().index != last + 1) {
      return make_error(errc::gap,
                        "append_entries: first new index " + std::to_string(fresh.front().index) +
                            " leaves a gap after the last index " + std::to_string(last));
    }
    return log->append(fresh);
  }

  // truncate_after and truncate_before, write_mu held and the log writable.
  Status truncate_after(std::uint64_t index) {
    const std::uint64_t first = log->first_index();
    if (index >= log->last_index()) return {};
    if (index + 1 < first) {
      return make_error(errc::compacted, "truncate_after " + std::to_string(index) +
                                             ": below the first index " + std::to_string(first));
    }
    return log->truncate_after(index);
  }
  Status truncate_before(std::uint64_t index) {
    if (index <= log->first_index()) return {};
    const std::uint64_t last = log->last_index();
    if (index > last + 1) {
      auto meta = snapshot->get();
      if (!meta || meta->last_index != index - 1) {
        return make_error(errc::out_of_range,
                          "truncate_before " + std::to_string(index) + ": beyond the last index " +
                              std::to_string(last) + " and not just after the snapshot");
      }
    }
    return log->truncate_before(index);
  }
  detail::SnapshotCommitHook commit_hook() const {
    return [cell = snapshot](const SnapshotMeta& meta) { cell->set(meta); };
  }
};

SegmentedStorage::SegmentedStorage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SegmentedStorage::~SegmentedStorage() {
  if (impl_ && !impl_->closed.load()) {
    if (auto s = close(); !s && impl_->options.logger) {
      impl_->options.logger->log(Logger::Level::error, "close failed: " + s.error().message());
    }
  }
}

const Options& SegmentedStorage::options() const noexcept { return impl_->options; }

Result<std::unique_ptr<SegmentedStorage>> SegmentedStorage::open(Options options) {
  if (auto s = detail::validate_options(options); !s) return s.error();
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::is_directory(options.dir, ec)) {
      return make_error(errc::not_found, "directory " + options.dir.string() + " does not exist");
    }
  } else {
    std::filesystem::create_directories(options.dir, ec);
    if (ec) return detail::os_error("create directory", options.dir, ec.value());
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (!options.read_only) {
    auto lock = detail::DirectoryLock::acquire(options.dir);
    if (!lock) return lock.error();
    impl->lock.emplace(std::move(*lock));
  }
  auto meta = detail::read_snapshot_meta(options.dir);
  if (!meta) {
    // A read-only open (a tool on a damaged directory) goes on without a
    // damaged snapshot; never without one it failed to read.
    if (!options.read_only || meta.error() != errc::corrupted) return meta.error();
    if (options.logger) options.logger->log(Logger::Level::error, meta.error().message());
  } else if (*meta) {
    impl->snapshot->set(**meta);
  }
  auto restart = detail::load_restart(options.dir);
  if (!restart) return restart.error();
  impl->restart = *restart;
  detail::LogConfig cfg;
  cfg.dir = options.dir;
  if (*restart) {
    cfg.discarded_salts = (*restart)->discarded_salts;
    cfg.restart_next_index = (*restart)->next_index;
  }
  cfg.segment_size = options.segment_size;
  cfg.index_interval_bytes = options.index_interval_bytes;
  cfg.mapping_budget = detail::resolve_mapping_budget(options);
  cfg.verify_checksums = options.verify_checksums;
  cfg.read_only = options.read_only;
  cfg.logger = options.logger.get();
  auto log = detail::SegmentLog::open(cfg);
  if (!log) return log.error();
  impl->log = std::move(*log);
  return std::unique_ptr<SegmentedStorage>(new SegmentedStorage(std::move(impl)));
}

// ---- hard state and cluster configuration ------------------------------------

Result<PersistentState> SegmentedStorage::get_state() const {
  if (auto s = impl_->check_open(); !s) return s.error();
  std::lock_guard lock(impl_->meta_mu);
  if (!impl_->state_cache) {
    auto loaded = detail::load_state(impl_->options.dir);
    if (!loaded) return loaded.error();
    impl_->state_cache = loaded->value_or(PersistentState{});
  }
  return *impl_->state_cache;
}

Status SegmentedStorage::save_state(const PersistentState& state) {
  if (auto s = impl_->check_writable(); !s) return s;
  std::lock_guard write(impl_->write_mu);
  std::lock_guard lock(impl_->meta_mu);
  impl_->state_cache.reset();
  // A failure after the rename is io_error (meta/atomic_replace.hpp):
  // no_space here means the old state is untouched.
  if (auto s = detail::store_state(impl_->options.dir, state); !s) return s;
  impl_->state_cache = state;
  return {};
}

Result<std::optional<std::vector<std::byte>>> SegmentedStorage::get_value(
    std::span<const std::byte> key) const {
  if (auto s = impl_->check_open(); !s) return s.error();
  std::lock_guard lock(impl_->meta_mu);
  auto kv = impl_->kv_store();
  if (!kv) return kv.error();
  return (*kv)->get(key);
}

Status SegmentedStorage::set_value(std::span<const std::byte> key,
                                   std::span<const std::byte> value) {
  if (auto s = impl_->check_writable(); !s) return s;
  if (auto s = detail::check_kv_args(key, value); !s) return s;
  std::lock_guard write(impl_->write_mu);
  std::lock_guard lock(impl_->meta_mu);
  auto kv = impl_->kv_store();
  if (!kv) return kv.error();
  return (*kv)->set(key, value);
}

Result<std::optional<ClusterConfig>> SegmentedStorage::get_cluster_config() const {
  if (auto s = impl_->check_open(); !s) return s.error();
  std::lock_guard lock(impl_->meta_mu);
  if (!impl_->cluster_cache) {
    auto loaded = detail::load_cluster_config(impl_->options.dir);
    if (!loaded) return loaded.error();
    impl_->cluster_cache = *loaded;
  }
  return *impl_->cluster_cache;
}

Status SegmentedStorage::save_cluster_config(const ClusterConfig& config) {
  if (auto s = impl_->check_writable(); !s) return s;
  std::lock_guard write(impl_->write_mu);
  std::lock_guard lock(impl_->meta_mu);
  impl_->cluster_cache.reset();
  if (auto s = detail::store_cluster_config(impl_->options.dir, config); !s) return s;
  impl_->cluster_cache = std::optional<ClusterConfig>(config);
  return {};
}

// ---- reads ---------------------------------------------------------------------

std::uint64_t SegmentedStorage::first_index() const { return impl_->log->first_index(); }
std::uint64_t SegmentedStorage::last_index() const { return impl_->log->last_index(); }

Result<std::uint64_t> SegmentedStorage::term(std::uint64_t index) const {
  if (auto s = impl_->check_open(); !s) return s.error();
  if (index == 0) return std::uint64_t{0};
  const std::uint64_t first = first_index();
  if (index < first) {
    {
      std::lock_guard lock(impl_->restart_mu);
      if (impl_->restart && impl_->restart->next_index - 1 == index) {
        return impl_->restart->prev_term;
      }
    }
    if (auto meta = impl_->snapshot->get(); meta && meta->last_index == index) {
      return meta->last_term;
    }
    return make_error(errc::compacted, "term of index " + std::to_string(index) +
                                           ": below the first index " + std::to_string(first));
  }
  if (index > last_index()) {
    return make_error(errc::out_of_range, "term of index " + std::to_string(index) +
                                              ": above the last index " +
                                              std::to_string(last_index()));
  }
  EntryView located;
  if (auto s = impl_->log->locate(index, located); !s) return s.error();
  return located.term();
}

Result<LogEntry> SegmentedStorage::get_entry(std::uint64_t index) const {
  if (auto s = impl_->check_open(); !s) return s.error();
  EntryView located;
  if (auto s = impl_->log->locate(index, located); !s) return s.error();
  return located.to_entry();
}

Result<EntryView> SegmentedStorage::read_entry(std::uint64_t index) const {
  // Filled in place (NRVO): see Segment::locate for why.
  Result<EntryView> out{boost::system::in_place_value};
  if (auto s = impl_->check_open(); !s) {
    out = s.error();
  } else if (auto found = impl_->log->locate(index, *out); !found) {
    out = found.error();
  }
  return out;
}

Result<std::vector<LogEntry>> SegmentedStorage::get_entries(std::uint64_t begin, std::uint64_t end,
                                                            std::uint64_t max_bytes) const {
  auto clamped = impl_->clamp_range("get_entries", begin, end);
  if (!clamped) return clamped.error();
  std::vector<LogEntry> out;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*clamped - begin, 4096)));
  auto status = impl_->scan_within(
      begin, *clamped, max_bytes, [&](const detail::DecodedRecord& r, const auto&) {
        out.push_back(LogEntry{r.fields.index, r.fields.term, r.fields.type,
                               std::vector<std::byte>(r.payload.begin(), r.payload.end())});
        return true;
      });
  if (!status) return status.error();
  return out;
}

Status SegmentedStorage::visit_entries(std::uint64_t begin, std::uint64_t end,
                                       const EntryVisitor& visit, std::uint64_t max_bytes) const {
  auto clamped = impl_->clamp_range("visit_entries", begin, end);
  if (!clamped) return clamped.error();
  // One view for the whole range: it pins each segment's mapping once and
  // is re-pointed per record, so an entry costs no reference count.
  EntryView view;
  return impl_->scan_within(begin, *clamped, max_bytes,
                            [&](const detail::DecodedRecord& r, const auto& pin) {
                              detail::EntryViewCursor::pin(view, pin);
                              detail::EntryViewCursor::point(view, r.fields.index, r.fields.term,
                                                             r.fields.type, r.payload);
                              return visit(view);
                            });
}

// ---- writes --------------------------------------------------------------------

Status SegmentedStorage::append_entries(std::span<const LogEntry> entries) {
  return impl_->append_batch(entries);
}

Status SegmentedStorage::append_entries(std::span<const EntryRef> entries) {
  return impl_->append_batch(entries);
}

Status SegmentedStorage::truncate_after(std::uint64_t index) {
  if (auto s = impl_->check_log_writable(); !s) return s;
  std::lock_guard write(impl_->write_mu);
  return impl_->truncate_after(index);
}

Status SegmentedStorage::truncate_before(std::uint64_t index) {
  if (auto s = impl_->check_log_writable(); !s) return s;
  std::lock_guard write(impl_->write_mu);
  return impl_->truncate_before(index);
}

Status SegmentedStorage::delete_range(std::uint64_t first, std::uint64_t last) {
  if (auto s = impl_->check_log_writable(); !s) return s;
  // Planned and done under one lock: no other write runs in between.
  std::lock_guard write(impl_->write_mu);
  return detail::run_delete_range(
      first, last, first_index(), last_index(),
      [this](std::uint64_t index) { return impl_->truncate_before(index); },
      [this](std::uint64_t index) { return impl_->truncate_after(index); });
}

Status SegmentedStorage::restart_log(std::uint64_t next_index, std::uint64_t prev_term) {
  if (auto s = impl_->check_log_writable(); !s) return s;
  if (auto s = detail::check_restart_args(next_index, prev_term); !s) return s;
  std::lock_guard write(impl_->write_mu);
  // Step 1 of 3 (design.md, "restart_log"): every segment file, by salt.
  auto files = impl_->log->list_segment_files();
  if (!files) return files.error();
  detail::LogRestart restart{next_index, prev_term, {}};
  for (const detail::SegmentFileId& file : *files) restart.discarded_salts.push_back(file.salt);
  // Step 2: restart.json, atomically: its rename is the commit point.
  const Status stored = detail::store_restart(impl_->options.dir, restart);
  if (!stored) {
    // Only the directory fsync after the rename may have failed (then
    // restart.json is ours and the next open restarts): find out which.
    auto now = detail::load_restart(impl_->options.dir);
    if (!now || *now != restart) return stored;
  }
  {
    std::lock_guard lock(impl_->restart_mu);
    impl_->restart = restart;
  }
  // Step 3: the log empty at next_index, the old files unlinked. Its
  // directory fsync also makes step 2's rename durable, should step 2's
  // own have failed.
  return impl_->log->restart(next_index, *files);
}

// ---- snapshots -----------------------------------------------------------------

Result<std::optional<Snapshot>> SegmentedStorage::get_snapshot() const {
  if (auto s = impl_->check_open(); !s) return s.error();
  return detail::load_snapshot(impl_->options.dir);
}

Status SegmentedStorage::save_snapshot(std::span<const std::byte> data, std::uint64_t last_index,
                                       std::uint64_t last_term,
                                       std::span<const std::byte> metadata) {
  if (auto s = impl_->check_writable(); !s) return s;
  if (auto s = check_snapshot_args(last_index, metadata); !s) return s;
  std::lock_guard write(impl_->write_mu);
  // The commit hook runs once snapshot.bin holds the new snapshot, also
  // when only the directory fsync after the rename failed (then io_error,
  // never no_space: SnapshotWriter::commit).
  return detail::store_snapshot(impl_->options.dir, data, last_index, last_term, metadata,
                                impl_->commit_hook());
}

Result<SnapshotWriter> SegmentedStorage::begin_snapshot(std::uint64_t last_index,
                                                        std::uint64_t last_term,
                                                        std::span<const std::byte> metadata) {
  if (auto s = impl_->check_writable(); !s) return s.error();
  if (auto s = check_snapshot_args(last_index, metadata); !s) return s.error();
  return detail::begin_snapshot(impl_->options.dir, last_index, last_term, metadata,
                                impl_->commit_hook());
}

Result<SnapshotReader> SegmentedStorage::open_snapshot() const {
  if (auto s = impl_->check_open(); !s) return s.error();
  return detail::open_snapshot(impl_->options.dir);
}

// ---- lifecycle -----------------------------------------------------------------

Status SegmentedStorage::sync() {
  if (auto s = impl_->check_writable(); !s) return s;
  std::lock_guard write(impl_->write_mu);
  return impl_->log->sync();
}

Status SegmentedStorage::flush() {
  // Appended records are stores into a shared mapping: other processes
  // already see them. What is left is the background work: the seal a
  // roll left behind, the unlinks and rewrite after truncate_before.
  if (auto s = impl_->check_open(); !s) return s;
  if (impl_->options.read_only) return {};
  std::lock_guard write(impl_->write_mu);
  return impl_->log->flush();
}

Status SegmentedStorage::close() {
  std::lock_guard write(impl_->write_mu);
  if (impl_->closed.exchange(true)) {
    return make_error(errc::closed,
                      "storage at " + impl_->options.dir.string() + " is already closed");
  }
  Status status;
  if (!impl_->options.read_only) status = impl_->log->close();
  if (impl_->lock) impl_->lock->release();
  return status;
}

Stats SegmentedStorage::stats() const {
  Stats stats;
  impl_->log->fill_stats(stats);
  return stats;
}

}  // namespace seglog

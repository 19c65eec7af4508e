// memory_storage.cpp — MemoryStorage: the Storage contract held in memory,
// with the semantics and errors of SegmentedStorage (see storage.hpp and
// docs/design.md, "Semantics of indices"). One mutex guards everything.
//
// Layout: a deque of fixed-size slots (one per entry, O(1) lookup by
// index - first) whose payloads live in an append-only arena of chunks.
// Payload bytes are written once and never changed afterwards: truncation
// only forgets slots and drops chunks no slot refers to, so an EntryView
// pins its chunk by a shared_ptr and stays valid and unchanged whatever the
// log does later (invariant 5 of docs/design.md). A view pins a whole
// chunk (at most kChunkBytes, or its own entry's size for large ones).
#include <seglog/memory_storage.hpp>

#include "delete_range.hpp"
#include "kv_args.hpp"
#include "entry_payload.hpp"
#include "range_read.hpp"
#include "restart_args.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace seglog {
namespace {

// Small payloads are packed into chunks of this size; a payload that does
// not fit in the tail chunk's free space starts a new chunk of
// max(kChunkBytes, payload size).
constexpr std::size_t kChunkBytes = 64 * 1024;

struct Chunk {
  std::shared_ptr<std::byte[]> bytes;
  std::size_t capacity = 0;
  std::size_t used = 0;  // bytes [0, used) are published: never written again
};

// One stored entry; its payload is chunks[chunk - first_chunk]
// [offset, offset + size). Empty payloads refer to the tail chunk (or the
// next one when there is none) so that chunk numbers never decrease along
// the log.
struct Slot {
  std::uint64_t term = 0;
  std::uint64_t chunk = 0;
  std::uint64_t size = 0;
  std::uint32_t offset = 0;  // < kChunkBytes: larger payloads start a chunk
  std::uint8_t type = 0;
};
static_assert(sizeof(Slot) == 32);

std::string str(std::uint64_t value) { return std::to_string(value); }

// The largest index an entry or a snapshot may have, as in SegmentedStorage:
// the index after the last one (last() + 1, a range's end) must not wrap.
constexpr std::uint64_t kMaxIndex = UINT64_MAX - 1;

}  // namespace

// Invariants (checked by check_invariants() in debug builds):
//  1. first >= 1; the log holds indices [first, first + log.size() - 1].
//  2. Slot chunk numbers never decrease along the log, and every slot with a
//     payload refers to published bytes of a chunk in
//     [first_chunk, first_chunk + chunks.size()).
//  3. Once closed, every Result-returning call answers errc::closed.
// Hidden: the nested class would otherwise take MemoryStorage's exported
// visibility (seglog/export.hpp).
struct __attribute__((visibility("hidden"))) MemoryStorage::State {
  explicit State(std::uint64_t max_entry_size) : max_entry_size(max_entry_size) {}

  std::uint64_t max_entry_size;
  std::uint64_t first = 1;
  std::deque<Slot> log;
  std::deque<Chunk> chunks;
  std::uint64_t first_chunk = 0;  // number of chunks.front()

  // The last restart_log's (next_index, prev_term): term(next_index - 1).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> restart;
  PersistentState hard_state;
  std::map<std::vector<std::byte>, std::vector<std::byte>, detail::KvKeyLess> values;  // set_value
  std::optional<ClusterConfig> cluster;
  std::optional<Snapshot> snapshot;
  bool closed = false;

  std::uint64_t last() const { return first + log.size() - 1; }
  const Slot& slot(std::uint64_t index) const { return log[index - first]; }

  std::span<const std::byte> payload(const Slot& s) const {
    if (s.size == 0) return {};
    const Chunk& c = chunks[s.chunk - first_chunk];
    return {c.bytes.get() + s.offset, s.size};
  }

  // Copies `data` into the arena and returns the slot that refers to it.
  Slot store(const EntryRef& entry) {
    Slot s{entry.term, first_chunk + chunks.size(), entry.data.size(), 0, entry.type};
    if (entry.data.empty()) {
      if (!chunks.empty()) --s.chunk;
      return s;
    }
    if (chunks.empty() || chunks.back().capacity - chunks.back().used < entry.data.size()) {
      const std::size_t capacity = std::max(kChunkBytes, entry.data.size());
      chunks.push_back(Chunk{std::shared_ptr<std::byte[]>(new std::byte[capacity]), capacity, 0});
    }
    Chunk& c = chunks.back();
    s.chunk = first_chunk + chunks.size() - 1;
    s.offset = static_cast<std::uint32_t>(c.used);
    std::memcpy(c.bytes.get() + c.used, entry.data.data(), entry.data.size());
    c.used += entry.data.size();
    return s;
  }

  // Drops the chunks no slot refers to any more (views keep their own
  // references). Published bytes of the tail chunk stay as they are.
  void release_chunks() {
    if (log.empty()) {
      first_chunk += chunks.size();
      chunks.clear();
      return;
    }
    while (!chunks.empty() && first_chunk < log.front().chunk) {
      chunks.pop_front();
      ++first_chunk;
    }
    while (!chunks.empty() && first_chunk + chunks.size() - 1 > log.back().chunk) {
      chunks.pop_back();
    }
  }

  // Cheap enough for every mutation: the boundary slots only (the append
  // path keeps chunk numbers non-decreasing by construction).
  void check_invariants() const {
#ifndef NDEBUG
    assert(first >= 1);
    if (log.empty()) return;
    assert(log.front().chunk <= log.back().chunk);
    for (const Slot* s : {&log.front(), &log.back()}) {
      if (s->size == 0) continue;
      assert(s->chunk >= first_chunk && s->chunk - first_chunk < chunks.size());
      assert(s->offset + s->size <= chunks[s->chunk - first_chunk].used);
    }
#endif
  }

  // Errors shared by the reads of one entry.
  std::optional<Error> check_readable(const char* call, std::uint64_t index) const {
    if (closed) return closed_error(call);
    if (index < first) {
      return Error(errc::compacted, std::string(call) + "(" + str(index) +
                                        "): index is below first_index " + str(first));
    }
    if (index > last()) {
      return Error(errc::out_of_range, std::string(call) + "(" + str(index) +
                                           "): index is above last_index " + str(last()));
    }
    return std::nullopt;
  }

  // The checks get_entries and visit_entries share (named by `call`): the
  // end of the range [begin, end), clamped to last() + 1.
  Result<std::uint64_t> clamp_range(const char* call, std::uint64_t begin,
                                    std::uint64_t end) const {
    if (closed) return closed_error(call);
    // The message is built only on failure: a read allocates nothing here.
    auto refuse = [&](errc code, const std::string& why) {
      return Error(code, std::string(call) + "(" + str(begin) + ", " + str(end) + "): " + why);
    };
    if (begin > end) return refuse(errc::invalid_argument, "begin is after end");
    if (begin < first) return refuse(errc::compacted, "begin is below first_index " + str(first));
    if (begin > last() + 1) {
      return refuse(errc::out_of_range, "begin is beyond last_index + 1 = " + str(last() + 1));
    }
    return std::min(end, last() + 1);
  }

  // Calls on_entry(index, slot) for the entries of [begin, end) (checked by
  // clamp_range) while their payload total stays within max_bytes, the
  // first one always, until on_entry returns false.
  template <class OnEntry>
  void scan_within(std::uint64_t begin, std::uint64_t end, std::uint64_t max_bytes,
                   OnEntry&& on_entry) const {
    detail::ByteBudget budget(max_bytes);
    for (std::uint64_t index = begin; index < end; ++index) {
      const Slot& s = slot(index);
      if (!budget.admit(s.size) || !on_entry(index, s)) return;
    }
  }

  // Both append_entries overloads (the lock held): validates the whole
  // batch, skips what the log already holds, stores the rest (each payload
  // copied once, into the arena).
  template <class Entry>
  Status append_batch(std::span<const Entry> entries) {
    State& s = *this;
    if (s.closed) return State::closed_error("append_entries");
    if (entries.empty()) return {};

    // Step 1: the batch must be well formed on its own.
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].index == 0) {
        return Error(errc::invalid_argument,
                     "append_entries: entry " + str(i) + " of the batch has index 0");
      }
      if (entries[i].index > kMaxIndex) {
        return Error(errc::invalid_argument, "append_entries: index " + str(entries[i].index) +
                                                 " is above the largest log index " +
                                                 str(kMaxIndex));
      }
      if (i > 0 && entries[i].index != entries[i - 1].index + 1) {
        return Error(errc::invalid_argument, "append_entries: index " + str(entries[i].index) +
                                                 " follows index " + str(entries[i - 1].index) +
                                                 " in the batch (indices must be consecutive)");
      }
    }
    // Step 2: every payload within bounds, even of entries that will be skipped.
    for (const Entry& entry : entries) {
      if (detail::payload_of(entry).size() > s.max_entry_size) {
        return Error(errc::entry_too_large, "append_entries: entry " + str(entry.index) + " has " +
                                                str(detail::payload_of(entry).size()) +
                                                " bytes, max_entry_size is " +
                                                str(s.max_entry_size));
      }
    }
    // Step 3: skip what is compacted or already stored with the same term.
    std::size_t next = 0;
    for (; next < entries.size(); ++next) {
      const Entry& entry = entries[next];
      if (entry.index < s.first) continue;
      if (entry.index > s.last()) break;
      const std::uint64_t stored = s.slot(entry.index).term;
      if (stored != entry.term) {
        return Error(errc::conflict, "append_entries: entry " + str(entry.index) + " has term " +
                                         str(entry.term) + " but the log holds term " +
                                         str(stored) + " at that index (truncate_after(" +
                                         str(entry.index - 1) + ") first)");
      }
    }
    if (next == entries.size()) return {};
    if (entries[next].index != s.last() + 1) {
      return Error(errc::gap, "append_entries: entry " + str(entries[next].index) +
                                  " would leave a gap after last_index " + str(s.last()));
    }

    // Step 4: append. Only allocation can fail here; undo so that a refused
    // batch leaves the log as it was.
    const std::size_t old_size = s.log.size();
    try {
      for (; next < entries.size(); ++next) s.log.push_back(s.store(detail::ref_of(entries[next])));
    } catch (...) {
      s.log.resize(old_size);
      s.release_chunks();
      throw;
    }
    s.check_invariants();
    return {};
  }

  // truncate_after and truncate_before, the lock held and the storage open.
  Status truncate_after(std::uint64_t index) {
    State& s = *this;
    if (index >= s.last()) return {};
    if (index < s.first - 1) {
      return Error(errc::compacted, "truncate_after(" + str(index) +
                                        "): index is below first_index - 1 = " + str(s.first - 1));
    }
    s.log.resize(index + 1 - s.first);
    s.release_chunks();
    s.check_invariants();
    return {};
  }

  Status truncate_before(std::uint64_t index) {
    State& s = *this;
    if (index <= s.first) return {};
    if (index <= s.last() + 1) {
      s.log.erase(s.log.begin(), s.log.begin() + static_cast<std::ptrdiff_t>(index - s.first));
    } else if (s.snapshot && s.snapshot->meta.last_index == index - 1) {
      s.log.clear();  // the snapshot lies past the log: install it
    } else {
      return Error(errc::out_of_range,
                   "truncate_before(" + str(index) + "): index is beyond last_index + 1 = " +
                       str(s.last() + 1) + " and the snapshot does not end at " + str(index - 1));
    }
    s.first = index;
    s.release_chunks();
    s.check_invariants();
    return {};
  }

  static Error closed_error(const char* call) {
    return Error(errc::closed, std::string(call) + ": the storage is closed");
  }
};

MemoryStorage::MemoryStorage(std::uint64_t max_entry_size)
    : state_(std::make_unique<State>(max_entry_size)) {}

MemoryStorage::~MemoryStorage() = default;

Result<PersistentState> MemoryStorage::get_state() const {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("get_state");
  return state_->hard_state;
}

Status MemoryStorage::save_state(const PersistentState& state) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("save_state");
  state_->hard_state = state;
  return {};
}

Result<std::optional<std::vector<std::byte>>> MemoryStorage::get_value(
    std::span<const std::byte> key) const {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("get_value");
  const auto found = state_->values.find(std::vector<std::byte>(key.begin(), key.end()));
  if (found == state_->values.end()) return std::optional<std::vector<std::byte>>();
  return std::optional<std::vector<std::byte>>(found->second);
}

Status MemoryStorage::set_value(std::span<const std::byte> key, std::span<const std::byte> value) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("set_value");
  if (auto checked = detail::check_kv_args(key, value); !checked) return checked;
  state_->values[std::vector<std::byte>(key.begin(), key.end())].assign(value.begin(), value.end());
  return {};
}

std::uint64_t MemoryStorage::first_index() const {
  std::lock_guard lock(mu_);
  return state_->first;
}

std::uint64_t MemoryStorage::last_index() const {
  std::lock_guard lock(mu_);
  return state_->last();
}

Result<std::uint64_t> MemoryStorage::term(std::uint64_t index) const {
  std::lock_guard lock(mu_);
  const State& s = *state_;
  if (s.closed) return State::closed_error("term");
  if (index == 0) return std::uint64_t{0};
  if (index > s.last()) {
    return Error(errc::out_of_range,
                 "term(" + str(index) + "): index is above last_index " + str(s.last()));
  }
  if (index >= s.first) return s.slot(index).term;
  if (s.restart && s.restart->first - 1 == index) return s.restart->second;
  if (s.snapshot && s.snapshot->meta.last_index == index) {
    return s.snapshot->meta.last_term;
  }
  return Error(errc::compacted, "term(" + str(index) + "): index is below first_index " +
                                    str(s.first) + " and is not the snapshot's last index");
}

Result<LogEntry> MemoryStorage::get_entry(std::uint64_t index) const {
  std::lock_guard lock(mu_);
  const State& s = *state_;
  if (auto error = s.check_readable("get_entry", index)) return *error;
  const Slot& slot = s.slot(index);
  const auto data = s.payload(slot);
  return LogEntry{index, slot.term, slot.type, std::vector<std::byte>(data.begin(), data.end())};
}

Result<EntryView> MemoryStorage::read_entry(std::uint64_t index) const {
  std::lock_guard lock(mu_);
  const State& s = *state_;
  if (auto error = s.check_readable("read_entry", index)) return *error;
  const Slot& slot = s.slot(index);
  std::shared_ptr<const void> pin;
  if (slot.size != 0) pin = s.chunks[slot.chunk - s.first_chunk].bytes;
  return EntryView(index, slot.term, slot.type, s.payload(slot), std::move(pin));
}

Result<std::vector<LogEntry>> MemoryStorage::get_entries(std::uint64_t begin, std::uint64_t end,
                                                         std::uint64_t max_bytes) const {
  std::lock_guard lock(mu_);
  const State& s = *state_;
  auto clamped = s.clamp_range("get_entries", begin, end);
  if (!clamped) return clamped.error();
  std::vector<LogEntry> out;
  out.reserve(std::min<std::uint64_t>(*clamped - begin, 1024));
  s.scan_within(begin, *clamped, max_bytes, [&](std::uint64_t index, const Slot& slot) {
    const auto data = s.payload(slot);
    out.push_back(
        LogEntry{index, slot.term, slot.type, std::vector<std::byte>(data.begin(), data.end())});
    return true;
  });
  return out;
}

Status MemoryStorage::visit_entries(std::uint64_t begin, std::uint64_t end,
                                    const EntryVisitor& visit, std::uint64_t max_bytes) const {
  std::lock_guard lock(mu_);
  const State& s = *state_;
  auto clamped = s.clamp_range("visit_entries", begin, end);
  if (!clamped) return clamped.error();
  // One view for the whole range, pinning each chunk once (an empty
  // payload keeps the pin it has: it points at no bytes).
  EntryView view;
  s.scan_within(begin, *clamped, max_bytes, [&](std::uint64_t index, const Slot& slot) {
    if (slot.size != 0) {
      detail::EntryViewCursor::pin(view, s.chunks[slot.chunk - s.first_chunk].bytes);
    }
    detail::EntryViewCursor::point(view, index, slot.term, slot.type, s.payload(slot));
    return visit(view);
  });
  return {};
}

Status MemoryStorage::append_entries(std::span<const LogEntry> entries) {
  std::lock_guard lock(mu_);
  return state_->append_batch(entries);
}

Status MemoryStorage::append_entries(std::span<const EntryRef> entries) {
  std::lock_guard lock(mu_);
  return state_->append_batch(entries);
}

Status MemoryStorage::truncate_after(std::uint64_t index) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("truncate_after");
  return state_->truncate_after(index);
}

Status MemoryStorage::truncate_before(std::uint64_t index) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("truncate_before");
  return state_->truncate_before(index);
}

Status MemoryStorage::delete_range(std::uint64_t first, std::uint64_t last) {
  std::lock_guard lock(mu_);
  State& s = *state_;
  if (s.closed) return State::closed_error("delete_range");
  // Planned and done under one lock: no other call runs in between.
  return detail::run_delete_range(
      first, last, s.first, s.last(),
      [&s](std::uint64_t index) { return s.truncate_before(index); },
      [&s](std::uint64_t index) { return s.truncate_after(index); });
}

Status MemoryStorage::restart_log(std::uint64_t next_index, std::uint64_t prev_term) {
  std::lock_guard lock(mu_);
  State& s = *state_;
  if (s.closed) return State::closed_error("restart_log");
  if (auto checked = detail::check_restart_args(next_index, prev_term); !checked) return checked;
  s.log.clear();
  s.first = next_index;
  s.restart.emplace(next_index, prev_term);
  s.release_chunks();
  s.check_invariants();
  return {};
}

Result<std::optional<Snapshot>> MemoryStorage::get_snapshot() const {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("get_snapshot");
  return state_->snapshot;
}

Status MemoryStorage::save_snapshot(std::span<const std::byte> data, std::uint64_t last_index,
                                    std::uint64_t last_term, std::span<const std::byte> metadata) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("save_snapshot");
  if (last_index > kMaxIndex) {
    // It could never be installed: truncate_before would need UINT64_MAX + 1.
    return Error(errc::invalid_argument, "save_snapshot: last index " + str(last_index) +
                                             " is above the largest log index " + str(kMaxIndex));
  }
  if (metadata.size() > kMaxSnapshotMetadataBytes) {
    return Error(errc::invalid_argument, "save_snapshot: metadata of " + str(metadata.size()) +
                                             " bytes is above the largest, " +
                                             str(kMaxSnapshotMetadataBytes));
  }
  state_->snapshot =
      Snapshot{SnapshotMeta{last_index, last_term, data.size(),
                            std::vector<std::byte>(metadata.begin(), metadata.end())},
               std::vector<std::byte>(data.begin(), data.end())};
  return {};
}

Result<std::optional<ClusterConfig>> MemoryStorage::get_cluster_config() const {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("get_cluster_config");
  return state_->cluster;
}

Status MemoryStorage::save_cluster_config(const ClusterConfig& config) {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("save_cluster_config");
  state_->cluster = config;
  return {};
}

Status MemoryStorage::sync() {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("sync");
  return {};
}

Status MemoryStorage::flush() {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("flush");
  return {};
}

Status MemoryStorage::close() {
  std::lock_guard lock(mu_);
  if (state_->closed) return State::closed_error("close");
  // The log stays in memory so that first_index() and last_index() keep
  // their values; views pin their own chunks in any case.
  state_->closed = true;
  return {};
}

}  // namespace seglog

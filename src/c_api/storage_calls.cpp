// c_api/storage_calls.cpp — the C ABI's storage lifecycle and log-wide
// calls: open, free, close, sync, flush, indices, term, truncations,
// stats (docs/c-api.md, "Storages").
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"
#include "c_api/options.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

extern "C" {

seglog_errc seglog_open(const seglog_options* options, seglog_storage** out, seglog_error* err) {
  return guarded(err, [&] {
    if (out == nullptr) return null_argument(err, "seglog_open: ", "out is NULL");
    *out = nullptr;
    seglog::Options opts;
    if (auto code = seglog::detail::to_options(options, opts, err); code != SEGLOG_OK) return code;
    auto handle = std::make_unique<seglog_storage>();
    auto opened = seglog::SegmentedStorage::open(std::move(opts));
    if (!opened) return set_error(err, opened.error());
    handle->segmented = opened->get();
    handle->storage = std::move(*opened);
    *out = handle.release();
    return SEGLOG_OK;
  });
}

seglog_errc seglog_open_memory(uint64_t max_entry_size, seglog_storage** out, seglog_error* err) {
  return guarded(err, [&] {
    if (out == nullptr) return null_argument(err, "seglog_open_memory: ", "out is NULL");
    *out = nullptr;
    auto handle = std::make_unique<seglog_storage>();
    handle->storage = max_entry_size == 0 ? std::make_shared<seglog::MemoryStorage>()
                                          : std::make_shared<seglog::MemoryStorage>(max_entry_size);
    *out = handle.release();
    return SEGLOG_OK;
  });
}

void seglog_storage_free(seglog_storage* storage) {
  if (storage == nullptr) return;
  // ~SegmentedStorage closes and reports a failure to the logger. A
  // MemoryStorage is closed here: a snapshot writer may keep the object
  // alive, and must find it closed, as it would a SegmentedStorage's
  // directory released. Nothing here throws, but the boundary is guarded
  // all the same.
  (void)guarded(nullptr, [&] {
    if (storage->segmented == nullptr) (void)storage->storage->close();
    delete storage;
    return SEGLOG_OK;
  });
}

seglog_errc seglog_close(seglog_storage* storage, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_close: ", "storage is NULL");
    return report(err, storage->storage->close());
  });
}

seglog_errc seglog_sync(seglog_storage* storage, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_sync: ", "storage is NULL");
    return report(err, storage->storage->sync());
  });
}

seglog_errc seglog_flush(seglog_storage* storage, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_flush: ", "storage is NULL");
    return report(err, storage->storage->flush());
  });
}

uint64_t seglog_first_index(const seglog_storage* storage) {
  return storage == nullptr ? 0 : storage->storage->first_index();
}

uint64_t seglog_last_index(const seglog_storage* storage) {
  return storage == nullptr ? 0 : storage->storage->last_index();
}

seglog_errc seglog_term(const seglog_storage* storage, uint64_t index, uint64_t* term,
                        seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_term: ", "storage is NULL");
    if (term == nullptr) return null_argument(err, "seglog_term: ", "term is NULL");
    auto found = storage->storage->term(index);
    if (!found) return set_error(err, found.error());
    *term = *found;
    return SEGLOG_OK;
  });
}

seglog_errc seglog_truncate_after(seglog_storage* storage, uint64_t index, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_truncate_after: ", "storage is NULL");
    return report(err, storage->storage->truncate_after(index));
  });
}

seglog_errc seglog_truncate_before(seglog_storage* storage, uint64_t index, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) {
      return null_argument(err, "seglog_truncate_before: ", "storage is NULL");
    }
    return report(err, storage->storage->truncate_before(index));
  });
}

seglog_errc seglog_get_stats(const seglog_storage* storage, seglog_stats* out, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_stats: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_get_stats: ", "out is NULL");
    // An older caller's struct may be smaller: fill only what fits.
    const std::size_t size = out->struct_size;
    if (size < offsetof(seglog_stats, last_index) + sizeof(uint64_t)) {
      return set_error(err, SEGLOG_INVALID_ARGUMENT,
                       "seglog_get_stats: out->struct_size is too small (set it to "
                       "sizeof(seglog_stats))");
    }
    seglog_stats c{};
    c.struct_size = size;
    if (storage->segmented == nullptr) {
      c.first_index = storage->storage->first_index();
      c.last_index = storage->storage->last_index();
    } else {
      const seglog::Stats s = storage->segmented->stats();
      c.first_index = s.first_index;
      c.last_index = s.last_index;
      c.entries_appended = s.entries_appended;
      c.bytes_appended = s.bytes_appended;
      c.segments = s.segments;
      c.sealed_segments = s.sealed_segments;
      c.mapped_segments = s.mapped_segments;
      c.mapped_bytes = s.mapped_bytes;
      c.max_mapped_segments = s.max_mapped_segments;
      c.max_mapped_bytes = s.max_mapped_bytes;
      c.log_bytes = s.log_bytes;
      c.syncs = s.syncs;
      c.slow_syncs = s.slow_syncs;
      c.max_sync_ns = s.max_sync_ns;
      c.torn_tails_cut = s.torn_tails_cut;
      c.torn_bytes_cut = s.torn_bytes_cut;
      c.leftovers_removed = s.leftovers_removed;
      c.boundary_rewrites = s.boundary_rewrites;
      c.pending_rewrites = s.pending_rewrites;
      c.sync_failed = s.sync_failed;
      c.clean_open = s.clean_open;
    }
    std::memcpy(static_cast<void*>(out), &c, std::min(size, sizeof c));
    return SEGLOG_OK;
  });
}

}  // extern "C"

// c_api/engine_calls.cpp — the C ABI's calls for Raft engines
// (issue 17, section 2): restart the log, delete a range, the durable
// key-value store (docs/c-api.md, "Engine calls").
#include "c_api/buffers.hpp"
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

extern "C" {

seglog_errc seglog_restart_log(seglog_storage* storage, uint64_t next_index, uint64_t prev_term,
                               seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_restart_log: ", "storage is NULL");
    return report(err, storage->storage->restart_log(next_index, prev_term));
  });
}

seglog_errc seglog_delete_range(seglog_storage* storage, uint64_t first, uint64_t last,
                                seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_delete_range: ", "storage is NULL");
    return report(err, storage->storage->delete_range(first, last));
  });
}

seglog_errc seglog_get_value(const seglog_storage* storage, const void* key, size_t key_len,
                             void** value, size_t* len, bool* found, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_value: ", "storage is NULL");
    if (value == nullptr || len == nullptr || found == nullptr) {
      return null_argument(err, "seglog_get_value: ", "value, len or found is NULL");
    }
    if (key == nullptr && key_len > 0) {
      return null_argument(err, "seglog_get_value: ", "key is NULL and key_len > 0");
    }
    *value = nullptr;
    *len = 0;
    *found = false;
    auto got = storage->storage->get_value(bytes_of(key, key_len));
    if (!got) return set_error(err, got.error());
    if (!got->has_value()) return SEGLOG_OK;
    const std::vector<std::byte>& bytes = **got;
    if (!bytes.empty()) {
      *value = c_allocate(bytes.size());
      std::memcpy(*value, bytes.data(), bytes.size());
    }
    *len = bytes.size();
    *found = true;
    return SEGLOG_OK;
  });
}

seglog_errc seglog_set_value(seglog_storage* storage, const void* key, size_t key_len,
                             const void* value, size_t len, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_set_value: ", "storage is NULL");
    if ((key == nullptr && key_len > 0) || (value == nullptr && len > 0)) {
      return null_argument(err, "seglog_set_value: ", "key or value is NULL with a length");
    }
    return report(err, storage->storage->set_value(bytes_of(key, key_len), bytes_of(value, len)));
  });
}

void seglog_free_bytes(void* bytes) { std::free(bytes); }

}  // extern "C"

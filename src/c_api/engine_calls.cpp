// c_api/engine_calls.cpp — the C ABI's calls for Raft engines
// (issue 17, section 2): restart the log, delete a range, the durable
// key-value store (docs/c-api.md, "Engine calls").
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"

#include <cstdlib>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

namespace {

// Until the C++ API has the call (branch issue17-api), the C one says so.
seglog_errc not_in_this_build(seglog_error* err, const char* function) {
  return set_error(err, SEGLOG_INVALID_ARGUMENT, function,
                   "not supported by this build (needs the C++ call of issue 17, section 2)");
}

}  // namespace

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
  (void)key;
  (void)key_len;
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_value: ", "storage is NULL");
    if (value == nullptr || len == nullptr || found == nullptr) {
      return null_argument(err, "seglog_get_value: ", "value, len or found is NULL");
    }
    return not_in_this_build(err, "seglog_get_value: ");
  });
}

seglog_errc seglog_set_value(seglog_storage* storage, const void* key, size_t key_len,
                             const void* value, size_t len, seglog_error* err) {
  (void)key;
  (void)key_len;
  (void)value;
  (void)len;
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_set_value: ", "storage is NULL");
    return not_in_this_build(err, "seglog_set_value: ");
  });
}

void seglog_free_bytes(void* bytes) { std::free(bytes); }

}  // extern "C"

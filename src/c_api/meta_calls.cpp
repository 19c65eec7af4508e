// c_api/meta_calls.cpp — the C ABI's hard state and cluster configuration
// (docs/c-api.md, "State and cluster configuration").
#include "c_api/buffers.hpp"
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

namespace {

// A caller's (pointer, length) string; false when the pointer is NULL
// with a length.
bool read_string(const char* data, std::size_t len, std::string& out) {
  if (data == nullptr && len > 0) return false;
  out.assign(data == nullptr ? "" : data, len);
  return true;
}

// Copies `s` and a NUL to `at`; returns the copy and moves `at` past it.
const char* put_string(const std::string& s, char*& at) {
  const char* copy = at;
  std::memcpy(at, s.data(), s.size());
  at[s.size()] = '\0';
  at += s.size() + 1;
  return copy;
}

}  // namespace

extern "C" {

void seglog_state_clear(seglog_state* state) {
  if (state == nullptr) return;
  std::free(const_cast<char*>(state->voted_for));
  *state = seglog_state{};
}

seglog_errc seglog_get_state(const seglog_storage* storage, seglog_state* out, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_state: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_get_state: ", "out is NULL");
    auto state = storage->storage->get_state();
    if (!state) return set_error(err, state.error());
    auto* voted_for = static_cast<char*>(c_allocate(state->voted_for.size() + 1));
    char* at = voted_for;
    put_string(state->voted_for, at);
    *out =
        seglog_state{state->current_term, voted_for, state->voted_for.size(), state->commit_index};
    return SEGLOG_OK;
  });
}

seglog_errc seglog_save_state(seglog_storage* storage, const seglog_state* state,
                              seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_save_state: ", "storage is NULL");
    if (state == nullptr) return null_argument(err, "seglog_save_state: ", "state is NULL");
    seglog::PersistentState s;
    s.current_term = state->current_term;
    s.commit_index = state->commit_index;
    if (!read_string(state->voted_for, state->voted_for_len, s.voted_for)) {
      return null_argument(err, "seglog_save_state: ", "voted_for is NULL and voted_for_len > 0");
    }
    return report(err, storage->storage->save_state(s));
  });
}

void seglog_cluster_config_clear(seglog_cluster_config* config) {
  if (config == nullptr) return;
  std::free(const_cast<seglog_member*>(config->members));
  *config = seglog_cluster_config{};
}

seglog_errc seglog_get_cluster_config(const seglog_storage* storage, seglog_cluster_config* out,
                                      bool* found, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) {
      return null_argument(err, "seglog_get_cluster_config: ", "storage is NULL");
    }
    if (out == nullptr || found == nullptr) {
      return null_argument(err, "seglog_get_cluster_config: ", "out or found is NULL");
    }
    auto config = storage->storage->get_cluster_config();
    if (!config) return set_error(err, config.error());
    *out = seglog_cluster_config{};
    *found = config->has_value();
    if (!*found) return SEGLOG_OK;
    const auto& members = (*config)->members;
    // One block: the member array, then every string with its NUL.
    std::size_t bytes = members.size() * sizeof(seglog_member);
    for (const auto& m : members) bytes += m.id.size() + m.address.size() + 2;
    auto* block = static_cast<seglog_member*>(c_allocate(bytes));
    char* at = reinterpret_cast<char*>(block + members.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& m = members[i];
      block[i].id = put_string(m.id, at);
      block[i].id_len = m.id.size();
      block[i].address = put_string(m.address, at);
      block[i].address_len = m.address.size();
      block[i].voter = m.voter;
    }
    *out = seglog_cluster_config{(*config)->index, (*config)->term,
                                 members.empty() ? nullptr : block, members.size()};
    if (members.empty()) std::free(block);
    return SEGLOG_OK;
  });
}

seglog_errc seglog_save_cluster_config(seglog_storage* storage, const seglog_cluster_config* config,
                                       seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) {
      return null_argument(err, "seglog_save_cluster_config: ", "storage is NULL");
    }
    if (config == nullptr)
      return null_argument(err, "seglog_save_cluster_config: ", "config is NULL");
    if (config->members == nullptr && config->member_count > 0) {
      return null_argument(err,
                           "seglog_save_cluster_config: ", "members is NULL and member_count > 0");
    }
    seglog::ClusterConfig c;
    c.index = config->index;
    c.term = config->term;
    c.members.resize(config->member_count);
    for (std::size_t i = 0; i < config->member_count; ++i) {
      const seglog_member& m = config->members[i];
      if (!read_string(m.id, m.id_len, c.members[i].id) ||
          !read_string(m.address, m.address_len, c.members[i].address)) {
        return null_argument(
            err, "seglog_save_cluster_config: ", "a member's id or address is NULL with a length");
      }
      c.members[i].voter = m.voter;
    }
    return report(err, storage->storage->save_cluster_config(c));
  });
}

}  // extern "C"

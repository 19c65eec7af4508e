// c_api/entry_calls.cpp — the C ABI's entry calls: append from caller
// buffers, owning reads, zero-copy views and range visits (docs/c-api.md,
// "Entries and views").
#include "c_api/buffers.hpp"
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

extern "C" {

seglog_errc seglog_append(seglog_storage* storage, const seglog_entry* entries, size_t count,
                          seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_append: ", "storage is NULL");
    if (entries == nullptr && count > 0) {
      return null_argument(err, "seglog_append: ", "entries is NULL and count > 0");
    }
    for (size_t i = 0; i < count; ++i) {
      if (entries[i].data == nullptr && entries[i].len > 0) {
        return null_argument(err, "seglog_append: ", "an entry's data is NULL and len > 0");
      }
    }
    // Views of the caller's buffers: each payload is copied once, by the
    // storage, straight into the segment.
    std::vector<seglog::EntryRef> batch(count);
    for (size_t i = 0; i < count; ++i) {
      const seglog_entry& e = entries[i];
      batch[i] = {e.index, e.term, e.type, bytes_of(e.data, e.len)};
    }
    return report(err, storage->storage->append_entries(std::span<const seglog::EntryRef>(batch)));
  });
}

void seglog_entry_clear(seglog_entry* entry) {
  if (entry == nullptr) return;
  std::free(const_cast<void*>(entry->data));
  *entry = seglog_entry{};
}

seglog_errc seglog_get_entry(const seglog_storage* storage, uint64_t index, seglog_entry* out,
                             seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_entry: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_get_entry: ", "out is NULL");
    // A view, copied once into the caller's buffer (get_entry would copy
    // twice: into a vector, then out of it).
    auto view = storage->storage->read_entry(index);
    if (!view) return set_error(err, view.error());
    const auto data = view->data();
    void* copy = nullptr;
    if (!data.empty()) {
      copy = c_allocate(data.size());
      std::memcpy(copy, data.data(), data.size());
    }
    *out = seglog_entry{view->index(), view->term(), view->type(), copy, data.size()};
    return SEGLOG_OK;
  });
}

void seglog_entries_clear(seglog_entries* entries) {
  if (entries == nullptr) return;
  std::free(entries->entries);
  *entries = seglog_entries{};
}

seglog_errc seglog_get_entries(const seglog_storage* storage, uint64_t begin, uint64_t end,
                               uint64_t max_bytes, seglog_entries* out, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_entries: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_get_entries: ", "out is NULL");
    *out = seglog_entries{};
    // Views first, then one block: the entry array, then the payloads.
    std::vector<seglog::EntryView> views;
    std::size_t payload = 0;
    auto visited = storage->storage->visit_entries(
        begin, end,
        [&](const seglog::EntryView& v) {
          views.push_back(v);
          payload += v.data().size();
          return true;
        },
        max_bytes);
    if (!visited) return set_error(err, visited.error());
    if (views.empty()) return SEGLOG_OK;
    auto* block =
        static_cast<seglog_entry*>(c_allocate(views.size() * sizeof(seglog_entry) + payload));
    auto* bytes = reinterpret_cast<unsigned char*>(block + views.size());
    for (std::size_t i = 0; i < views.size(); ++i) {
      const auto data = views[i].data();
      if (!data.empty()) std::memcpy(bytes, data.data(), data.size());
      block[i] = seglog_entry{views[i].index(), views[i].term(), views[i].type(),
                              data.empty() ? nullptr : bytes, data.size()};
      bytes += data.size();
    }
    *out = seglog_entries{block, views.size()};
    return SEGLOG_OK;
  });
}

void seglog_view_release(seglog_view* view) {
  if (view == nullptr) return;
  // The view a visit passes is the library's own: never freed here.
  if (view->handle != nullptr && view->handle->borrowed != nullptr) return;
  delete view->handle;
  *view = seglog_view{};
}

void seglog_views_release(seglog_view* views, size_t count) {
  if (views == nullptr) return;
  for (size_t i = 0; i < count; ++i) seglog_view_release(&views[i]);
}

seglog_errc seglog_view_copy(const seglog_view* view, seglog_view* out, seglog_error* err) {
  return guarded(err, [&] {
    if (view == nullptr || view->handle == nullptr) {
      return null_argument(err, "seglog_view_copy: ", "view is NULL or released");
    }
    if (out == nullptr) return null_argument(err, "seglog_view_copy: ", "out is NULL");
    auto* handle = new seglog_view_handle{view->handle->view(), nullptr};
    fill_view(handle->owned, handle, out);
    return SEGLOG_OK;
  });
}

seglog_errc seglog_read_entry(const seglog_storage* storage, uint64_t index, seglog_view* out,
                              seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_read_entry: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_read_entry: ", "out is NULL");
    auto view = storage->storage->read_entry(index);
    if (!view) return set_error(err, view.error());
    auto* handle = new seglog_view_handle{std::move(*view), nullptr};
    fill_view(handle->owned, handle, out);
    return SEGLOG_OK;
  });
}

seglog_errc seglog_read_entries(const seglog_storage* storage, uint64_t begin, uint64_t end,
                                uint64_t max_bytes, seglog_view* views, size_t capacity,
                                size_t* count, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_read_entries: ", "storage is NULL");
    if (count == nullptr) return null_argument(err, "seglog_read_entries: ", "count is NULL");
    *count = 0;
    if (views == nullptr && capacity > 0) {
      return null_argument(err, "seglog_read_entries: ", "views is NULL and capacity > 0");
    }
    // Owned here until the whole range is read: an error (or an
    // exception) mid-range releases every view taken.
    std::vector<std::unique_ptr<seglog_view_handle>> handles;
    auto visited = storage->storage->visit_entries(
        begin, end,
        [&](const seglog::EntryView& v) {
          if (handles.size() == capacity) return false;
          handles.push_back(std::make_unique<seglog_view_handle>(seglog_view_handle{v, nullptr}));
          return true;
        },
        max_bytes);
    if (!visited) return set_error(err, visited.error());
    for (std::size_t i = 0; i < handles.size(); ++i) {
      fill_view(handles[i]->owned, handles[i].get(), &views[i]);
      (void)handles[i].release();
    }
    *count = handles.size();
    return SEGLOG_OK;
  });
}

seglog_errc seglog_visit_entries(const seglog_storage* storage, uint64_t begin, uint64_t end,
                                 uint64_t max_bytes, seglog_visit_fn visit, void* context,
                                 seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_visit_entries: ", "storage is NULL");
    if (visit == nullptr) return null_argument(err, "seglog_visit_entries: ", "visit is NULL");
    seglog_view_handle borrowed;
    return report(err, storage->storage->visit_entries(
                           begin, end,
                           [&](const seglog::EntryView& v) {
                             borrowed.borrowed = &v;
                             seglog_view view;
                             fill_view(v, &borrowed, &view);
                             return visit(context, &view);
                           },
                           max_bytes));
  });
}

}  // extern "C"

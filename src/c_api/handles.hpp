// c_api/handles.hpp — what the C ABI's opaque handles hold (docs/c-api.md,
// "Handles and ownership"). The structs are the C header's incomplete
// types, defined here at global scope.
#pragma once

#include <seglog/memory_storage.hpp>
#include <seglog/seglog.h>
#include <seglog/segmented_storage.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

// A storage. Shared, so that a MemoryStorage's snapshot writer (which
// saves through it at commit) keeps it alive after seglog_storage_free.
// `segmented` is the same object when it is a SegmentedStorage (stats,
// streaming snapshots), else null.
struct seglog_storage {
  std::shared_ptr<seglog::Storage> storage;
  seglog::SegmentedStorage* segmented = nullptr;
};

// A view's pin: the EntryView (which pins the mapping) for views the
// caller releases; for the view passed to a seglog_visit_fn, a pointer to
// the library's own view, which seglog_view_release leaves alone.
struct seglog_view_handle {
  seglog::EntryView owned;
  const seglog::EntryView* borrowed = nullptr;

  const seglog::EntryView& view() const noexcept { return borrowed ? *borrowed : owned; }
};

// A streaming snapshot: SegmentedStorage's SnapshotWriter, or for a
// MemoryStorage the chunks gathered in memory and saved at commit.
struct seglog_snapshot_writer {
  std::optional<seglog::SnapshotWriter> file;
  std::shared_ptr<seglog::Storage> memory;
  std::vector<std::byte> data;  // MemoryStorage: the chunks so far
  enum class Phase { writing, committed, abandoned } phase = Phase::writing;
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::vector<std::byte> metadata;  // MemoryStorage: saved at commit
  seglog::SnapshotMeta committed;   // after a commit
};

// A snapshot being read: SegmentedStorage's mapped SnapshotReader, or a
// MemoryStorage's snapshot copied once.
struct seglog_snapshot_reader {
  std::optional<seglog::SnapshotReader> file;
  std::optional<seglog::Snapshot> copy;
};

namespace seglog::detail {

// Fills a C view from an EntryView and its handle.
inline void fill_view(const EntryView& view, seglog_view_handle* handle,
                      seglog_view* out) noexcept {
  out->data = view.data().empty() ? nullptr : view.data().data();
  out->len = view.data().size();
  out->index = view.index();
  out->term = view.term();
  out->type = view.type();
  out->handle = handle;
}

}  // namespace seglog::detail

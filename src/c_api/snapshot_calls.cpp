// c_api/snapshot_calls.cpp — the C ABI's snapshots: whole (get, save) and
// streaming (writer, reader), for both storages (docs/c-api.md,
// "Snapshots").
#include "c_api/buffers.hpp"
#include "c_api/errors.hpp"
#include "c_api/handles.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

// The C layer's helpers (c_api/*.hpp), for every function below.
using namespace seglog::detail;

namespace {

// The C metadata of `meta`; its metadata pointer points into `meta`,
// which must outlive it.
seglog_snapshot_meta c_meta(const seglog::SnapshotMeta& meta) {
  return {meta.last_index, meta.last_term, meta.size,
          meta.metadata.empty() ? nullptr : meta.metadata.data(), meta.metadata.size()};
}

}  // namespace

extern "C" {

void seglog_snapshot_clear(seglog_snapshot* snapshot) {
  if (snapshot == nullptr) return;
  std::free(const_cast<void*>(snapshot->data));
  *snapshot = seglog_snapshot{};
}

seglog_errc seglog_get_snapshot(const seglog_storage* storage, seglog_snapshot* out, bool* found,
                                seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_get_snapshot: ", "storage is NULL");
    if (out == nullptr || found == nullptr) {
      return null_argument(err, "seglog_get_snapshot: ", "out or found is NULL");
    }
    auto snapshot = storage->storage->get_snapshot();
    if (!snapshot) return set_error(err, snapshot.error());
    *out = seglog_snapshot{};
    *found = snapshot->has_value();
    if (!*found) return SEGLOG_OK;
    // One block: the data (never NULL once found), then the metadata.
    const auto& data = (*snapshot)->data;
    const auto& metadata = (*snapshot)->meta.metadata;
    auto* block = static_cast<std::byte*>(c_allocate(data.size() + metadata.size()));
    if (!data.empty()) std::memcpy(block, data.data(), data.size());
    if (!metadata.empty()) std::memcpy(block + data.size(), metadata.data(), metadata.size());
    *out = seglog_snapshot{c_meta((*snapshot)->meta), block, data.size()};
    out->meta.metadata = metadata.empty() ? nullptr : block + data.size();
    return SEGLOG_OK;
  });
}

seglog_errc seglog_save_snapshot(seglog_storage* storage, const void* data, size_t len,
                                 uint64_t last_index, uint64_t last_term, const void* metadata,
                                 size_t metadata_len, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_save_snapshot: ", "storage is NULL");
    if ((data == nullptr && len > 0) || (metadata == nullptr && metadata_len > 0)) {
      return null_argument(err, "seglog_save_snapshot: ", "data or metadata is NULL with a length");
    }
    return report(err, storage->storage->save_snapshot(bytes_of(data, len), last_index, last_term,
                                                       bytes_of(metadata, metadata_len)));
  });
}

seglog_errc seglog_begin_snapshot(seglog_storage* storage, uint64_t last_index, uint64_t last_term,
                                  const void* metadata, size_t metadata_len,
                                  seglog_snapshot_writer** out, seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_begin_snapshot: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_begin_snapshot: ", "out is NULL");
    *out = nullptr;
    if (metadata == nullptr && metadata_len > 0) {
      return null_argument(err, "seglog_begin_snapshot: ", "metadata is NULL with a length");
    }
    auto writer = std::make_unique<seglog_snapshot_writer>();
    writer->last_index = last_index;
    writer->last_term = last_term;
    const auto meta = bytes_of(metadata, metadata_len);
    writer->metadata.assign(meta.begin(), meta.end());
    if (storage->segmented != nullptr) {
      auto begun = storage->segmented->begin_snapshot(last_index, last_term, meta);
      if (!begun) return set_error(err, begun.error());
      writer->file.emplace(std::move(*begun));
    } else {
      // A MemoryStorage has no streaming writer: the chunks are gathered
      // here and saved at commit. Refuse at once what commit would.
      if (last_index == UINT64_MAX) {
        return set_error(err, SEGLOG_INVALID_ARGUMENT,
                         "seglog_begin_snapshot: a snapshot's last index cannot be UINT64_MAX");
      }
      if (metadata_len > seglog::kMaxSnapshotMetadataBytes) {
        return set_error(err, SEGLOG_INVALID_ARGUMENT,
                         "seglog_begin_snapshot: metadata larger than 16 MiB");
      }
      if (auto state = storage->storage->get_state(); !state) return set_error(err, state.error());
      writer->memory = storage->storage;
    }
    *out = writer.release();
    return SEGLOG_OK;
  });
}

seglog_errc seglog_snapshot_writer_write(seglog_snapshot_writer* writer, const void* data,
                                         size_t len, seglog_error* err) {
  return guarded(err, [&] {
    if (writer == nullptr) {
      return null_argument(err, "seglog_snapshot_writer_write: ", "writer is NULL");
    }
    if (data == nullptr && len > 0) {
      return null_argument(err, "seglog_snapshot_writer_write: ", "data is NULL and len > 0");
    }
    if (writer->file) return report(err, writer->file->write(bytes_of(data, len)));
    if (writer->phase != seglog_snapshot_writer::Phase::writing) {
      return set_error(err, SEGLOG_INVALID_ARGUMENT,
                       "seglog_snapshot_writer_write: the writer was committed or abandoned");
    }
    const auto chunk = bytes_of(data, len);
    writer->data.insert(writer->data.end(), chunk.begin(), chunk.end());
    return SEGLOG_OK;
  });
}

seglog_errc seglog_snapshot_writer_commit(seglog_snapshot_writer* writer,
                                          seglog_snapshot_meta* meta, seglog_error* err) {
  return guarded(err, [&] {
    if (writer == nullptr) {
      return null_argument(err, "seglog_snapshot_writer_commit: ", "writer is NULL");
    }
    if (writer->file) {
      auto committed = writer->file->commit();
      if (!committed) return set_error(err, committed.error());
      writer->committed = *committed;
    } else {
      if (writer->phase != seglog_snapshot_writer::Phase::writing) {
        return set_error(err, SEGLOG_INVALID_ARGUMENT,
                         "seglog_snapshot_writer_commit: the writer was committed or abandoned");
      }
      auto saved = writer->memory->save_snapshot(writer->data, writer->last_index,
                                                 writer->last_term, writer->metadata);
      if (!saved) return set_error(err, saved.error());
      writer->committed = {writer->last_index, writer->last_term, writer->data.size(),
                           writer->metadata};
      writer->data = {};
    }
    writer->phase = seglog_snapshot_writer::Phase::committed;
    if (meta != nullptr) *meta = c_meta(writer->committed);
    return SEGLOG_OK;
  });
}

void seglog_snapshot_writer_abandon(seglog_snapshot_writer* writer) {
  if (writer == nullptr) return;
  if (writer->file) writer->file->abandon();
  if (writer->phase == seglog_snapshot_writer::Phase::writing) {
    writer->phase = seglog_snapshot_writer::Phase::abandoned;
  }
  writer->data = {};
}

uint64_t seglog_snapshot_writer_bytes_written(const seglog_snapshot_writer* writer) {
  if (writer == nullptr) return 0;
  return writer->file ? writer->file->bytes_written() : writer->data.size();
}

void seglog_snapshot_writer_free(seglog_snapshot_writer* writer) {
  // ~SnapshotWriter abandons an uncommitted snapshot (and never throws).
  delete writer;
}

seglog_errc seglog_open_snapshot(const seglog_storage* storage, seglog_snapshot_reader** out,
                                 seglog_error* err) {
  return guarded(err, [&] {
    if (storage == nullptr) return null_argument(err, "seglog_open_snapshot: ", "storage is NULL");
    if (out == nullptr) return null_argument(err, "seglog_open_snapshot: ", "out is NULL");
    *out = nullptr;
    auto reader = std::make_unique<seglog_snapshot_reader>();
    if (storage->segmented != nullptr) {
      auto opened = storage->segmented->open_snapshot();
      if (!opened) return set_error(err, opened.error());
      reader->file.emplace(std::move(*opened));
    } else {
      auto snapshot = storage->storage->get_snapshot();
      if (!snapshot) return set_error(err, snapshot.error());
      if (!snapshot->has_value()) {
        return set_error(err, SEGLOG_NOT_FOUND, "seglog_open_snapshot: no snapshot saved");
      }
      reader->copy.emplace(std::move(**snapshot));
    }
    *out = reader.release();
    return SEGLOG_OK;
  });
}

void seglog_snapshot_reader_meta(const seglog_snapshot_reader* reader, seglog_snapshot_meta* meta) {
  if (meta == nullptr) return;
  if (reader == nullptr) {
    *meta = seglog_snapshot_meta{};
    return;
  }
  *meta = c_meta(reader->file ? reader->file->meta() : reader->copy->meta);
}

void seglog_snapshot_reader_data(const seglog_snapshot_reader* reader, const void** data,
                                 size_t* len) {
  std::span<const std::byte> bytes;
  if (reader != nullptr) bytes = reader->file ? reader->file->data() : reader->copy->data;
  if (data != nullptr) *data = bytes.empty() ? nullptr : bytes.data();
  if (len != nullptr) *len = bytes.size();
}

void seglog_snapshot_reader_free(seglog_snapshot_reader* reader) { delete reader; }

}  // extern "C"

/* seglog/seglog.h — seglog's C ABI: the Storage contract (storage.hpp)
 * for C, cgo and any FFI. C11; also valid C++. The guide, with every
 * function's errors, ownership and a complete example: docs/c-api.md.
 *
 * Handles are opaque: a seglog_storage (SegmentedStorage through
 * seglog_open, MemoryStorage through seglog_open_memory), a
 * seglog_snapshot_writer and a seglog_snapshot_reader. Each is released by
 * its own *_free function.
 *
 * Errors. Every fallible call returns a seglog_errc: SEGLOG_OK (0) or the
 * code of seglog::errc with the same number, or SEGLOG_OUT_OF_MEMORY /
 * SEGLOG_INTERNAL, which the C layer adds. Its last parameter, `err`, is
 * optional (NULL: no message); when given, it must be initialised
 * (SEGLOG_ERROR_INIT, or zeroed), and a failing call stores the code and a
 * message there (allocated with malloc; any message the struct already
 * held is freed first), which seglog_error_clear frees. A successful call
 * leaves `err` untouched. There is no global or thread-local "last
 * error": calls arrive from any thread (cgo), so the message travels with
 * the call. No C++ exception ever crosses this boundary.
 *
 * NULL: a NULL handle or a NULL out-parameter is refused with
 * SEGLOG_INVALID_ARGUMENT, as is a NULL data pointer with a non-zero
 * length; a NULL data pointer with length 0 is an empty payload.
 *
 * Ownership. Structs the caller fills (an entry to append, a state to
 * save) are only read during the call; the library keeps no pointer into
 * them. Structs the library fills own what their pointers point to until
 * their *_clear function (seglog_entry_clear, seglog_entries_clear,
 * seglog_state_clear, seglog_cluster_config_clear, seglog_snapshot_clear),
 * or, for a view, seglog_view_release. Every *_clear / *_release / *_free
 * accepts NULL and an already cleared struct.
 *
 * Threads (docs/c-api.md, "Threads"): any call may come from any OS
 * thread; nothing is tied to the thread that opened a storage. On one
 * seglog_storage, readers (seglog_first_index, seglog_last_index,
 * seglog_term, seglog_get_entry, seglog_read_entry, seglog_read_entries,
 * seglog_get_entries, seglog_visit_entries, seglog_get_state,
 * seglog_get_cluster_config, seglog_get_value, seglog_get_snapshot,
 * seglog_open_snapshot, seglog_get_stats) may run concurrently with each
 * other and with one writer call; writer calls (seglog_append, the
 * truncations, seglog_restart_log, seglog_delete_range, the saves,
 * seglog_set_value, seglog_sync, seglog_flush, seglog_close,
 * seglog_begin_snapshot) must not overlap each other, from whatever
 * threads they come. seglog_storage_free must not overlap any call on its
 * storage.
 * Views and readers may be used, and released, from any thread.
 */
#ifndef SEGLOG_SEGLOG_H
#define SEGLOG_SEGLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SEGLOG_C_API __attribute__((visibility("default")))
#else
#define SEGLOG_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/* seglog::errc, number for number (checked by the library at compile
 * time), plus two codes of the C layer. */
typedef enum seglog_errc {
  SEGLOG_OK = 0,
  SEGLOG_NOT_FOUND = 1,        /* nothing to read (no snapshot, no such directory) */
  SEGLOG_CORRUPTED = 2,        /* stored bytes fail a checksum or structure check */
  SEGLOG_OUT_OF_RANGE = 3,     /* an index above last_index */
  SEGLOG_COMPACTED = 4,        /* an index below first_index */
  SEGLOG_GAP = 5,              /* an append would leave a hole */
  SEGLOG_CONFLICT = 6,         /* an append disagrees with an existing term */
  SEGLOG_ENTRY_TOO_LARGE = 7,  /* a payload above max_entry_size */
  SEGLOG_INVALID_ARGUMENT = 8, /* a malformed argument, option or NULL pointer */
  SEGLOG_LOCKED = 9,           /* another writer holds the directory */
  SEGLOG_READ_ONLY = 10,       /* a write on a read-only storage */
  SEGLOG_CLOSED = 11,          /* a call after seglog_close */
  SEGLOG_NO_SPACE = 12,        /* the file system is full; nothing changed */
  SEGLOG_IO_ERROR = 13,        /* the OS failed a call (sticky after a failed sync) */
  SEGLOG_STALE = 14,           /* a read-only storage's view is out of date: reopen */
  SEGLOG_OUT_OF_MEMORY = 100,  /* an allocation failed (std::bad_alloc, malloc); what
                                  it leaves done: docs/c-api.md, "Errors" */
  SEGLOG_INTERNAL = 101        /* an unexpected C++ exception, caught; the message has it */
} seglog_errc;

/* A code and its message. Initialise with SEGLOG_ERROR_INIT (or zero it). */
typedef struct seglog_error {
  seglog_errc code;
  char* message; /* NUL-terminated, malloc'ed; NULL when none could be allocated */
} seglog_error;

#define SEGLOG_ERROR_INIT \
  { SEGLOG_OK, NULL }

/* Frees the message and resets the struct to SEGLOG_ERROR_INIT. */
SEGLOG_C_API void seglog_error_clear(seglog_error* err);

/* The code's name as in C++ ("not_found", "out_of_memory", "ok"); a
 * static string, "unknown" for a value not listed. */
SEGLOG_C_API const char* seglog_errc_name(seglog_errc code);

/* ---- options ----------------------------------------------------------- */

typedef enum seglog_log_level {
  SEGLOG_LOG_DEBUG = 0,
  SEGLOG_LOG_INFO = 1,
  SEGLOG_LOG_WARN = 2,
  SEGLOG_LOG_ERROR = 3
} seglog_log_level;

/* Told what seglog did on its own (torn tails cut, leftovers removed,
 * slow syncs). Called from the thread of the call being logged or from the
 * storage's background threads: must be thread-safe, must not call back
 * into the storage. `message` is valid during the call only; it is not
 * NUL-terminated: use `len`. */
typedef void (*seglog_logger_fn)(void* context, seglog_log_level level, const char* message,
                                 size_t len);

/* seglog::Options (options.hpp; README, "Options"). Fill it with
 * seglog_options_init, then set fields. `struct_size` lets the struct
 * grow: a library reads only the fields that fit in struct_size and takes
 * defaults for the rest, so a program built against an older header keeps
 * working. */
typedef struct seglog_options {
  size_t struct_size;            /* sizeof(seglog_options), set by seglog_options_init */
  const char* dir;               /* the data directory, NUL-terminated (required) */
  uint64_t segment_size;         /* default 64 MiB; 64 KiB to 4 GiB */
  uint32_t index_interval_bytes; /* default 4096; at least 64 */
  uint32_t max_mapped_segments;  /* default 0: automatic */
  uint64_t max_mapped_bytes;     /* default 0: automatic */
  uint64_t max_entry_size;       /* default 64 MiB */
  bool read_only;                /* default false */
  bool verify_checksums;         /* default true */
  seglog_logger_fn logger;       /* default NULL: silent */
  void* logger_context;          /* passed to logger */
} seglog_options;

/* Sets every field to its default (dir NULL) and struct_size. */
SEGLOG_C_API void seglog_options_init(seglog_options* options);

/* ---- storages ---------------------------------------------------------- */

typedef struct seglog_storage seglog_storage;

/* Opens (or creates) the log in options->dir (SegmentedStorage::open).
 * On success *out is a new handle; on failure *out is NULL.
 * Errors: invalid_argument (NULL options or out, NULL dir, struct_size too
 * small, bad options), locked, corrupted, not_found (read_only and no
 * directory), no_space, io_error, stale, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_open(const seglog_options* options, seglog_storage** out,
                                     seglog_error* err);

/* A new MemoryStorage (memory_storage.hpp): the same contract, no disk.
 * max_entry_size 0 means the default (64 MiB).
 * Errors: invalid_argument (NULL out), out_of_memory. */
SEGLOG_C_API seglog_errc seglog_open_memory(uint64_t max_entry_size, seglog_storage** out,
                                            seglog_error* err);

/* Closes the storage if still open (an error then goes to the logger) and
 * frees the handle. Views, snapshot writers and readers taken from it stay
 * valid and must still be released. NULL is a no-op. */
SEGLOG_C_API void seglog_storage_free(seglog_storage* storage);

/* Syncs, marks a clean shutdown, releases the directory. Later calls
 * return SEGLOG_CLOSED; views stay valid.
 * Errors: io_error (the files are still released), closed (twice),
 * invalid_argument (NULL). */
SEGLOG_C_API seglog_errc seglog_close(seglog_storage* storage, seglog_error* err);

/* Makes every appended entry durable (one data sync, shared).
 * Errors: io_error (sticky), read_only, closed, invalid_argument. */
SEGLOG_C_API seglog_errc seglog_sync(seglog_storage* storage, seglog_error* err);

/* Waits for the background work (seals, compaction); see storage.hpp.
 * Errors: io_error, closed, invalid_argument. */
SEGLOG_C_API seglog_errc seglog_flush(seglog_storage* storage, seglog_error* err);

/* ---- entries ----------------------------------------------------------- */

/* One log entry. For seglog_append the caller fills it (data is read
 * during the call only). From seglog_get_entry the library fills it and
 * owns data until seglog_entry_clear; in a seglog_entries array the
 * array owns it. */
typedef struct seglog_entry {
  uint64_t index;
  uint64_t term;
  uint8_t type;
  const void* data;
  size_t len;
} seglog_entry;

/* Frees an entry filled by seglog_get_entry and zeroes it. Never on a
 * caller-filled entry or one inside a seglog_entries. */
SEGLOG_C_API void seglog_entry_clear(seglog_entry* entry);

/* Entries returned by seglog_get_entries: one allocation, freed by
 * seglog_entries_clear. */
typedef struct seglog_entries {
  seglog_entry* entries;
  size_t count;
} seglog_entries;

SEGLOG_C_API void seglog_entries_clear(seglog_entries* entries);

typedef struct seglog_view_handle seglog_view_handle;

/* A zero-copy view of a stored entry: data points into the mapped segment
 * (or MemoryStorage's memory) and stays valid and unchanged until
 * seglog_view_release, whatever the writer does meanwhile, and after
 * seglog_close and seglog_storage_free too. `handle` is the library's
 * pin; do not touch it. */
typedef struct seglog_view {
  const void* data;
  size_t len;
  uint64_t index;
  uint64_t term;
  uint8_t type;
  seglog_view_handle* handle;
} seglog_view;

/* Releases the view's pin and zeroes the struct. NULL, a zeroed view and
 * the view passed to a seglog_visit_fn (which the library releases) are
 * no-ops. Any thread; exactly once per view. */
SEGLOG_C_API void seglog_view_release(seglog_view* view);

/* Releases views[0..count). */
SEGLOG_C_API void seglog_views_release(seglog_view* views, size_t count);

/* A second view of the same bytes, released on its own; also keeps an
 * entry passed to a seglog_visit_fn beyond the call.
 * Errors: invalid_argument (NULL, or a released view), out_of_memory. */
SEGLOG_C_API seglog_errc seglog_view_copy(const seglog_view* view, seglog_view* out,
                                          seglog_error* err);

SEGLOG_C_API uint64_t seglog_first_index(const seglog_storage* storage); /* 0 for NULL */
SEGLOG_C_API uint64_t seglog_last_index(const seglog_storage* storage);  /* 0 for NULL */

/* The term of `index` (also the snapshot's last index; 0 for index 0).
 * Errors: compacted, out_of_range, corrupted, io_error, stale, closed,
 * invalid_argument (NULL). */
SEGLOG_C_API seglog_errc seglog_term(const seglog_storage* storage, uint64_t index, uint64_t* term,
                                     seglog_error* err);

/* Appends a batch of consecutive entries, each payload copied once,
 * straight into the segment. Storage::append_entries's rules: entries
 * already stored with the same term are skipped, the first new one must be
 * last_index + 1, nothing of a refused batch is written. count 0 is a
 * no-op (entries may then be NULL). Not durable until seglog_sync.
 * Errors: invalid_argument (indices not consecutive, index 0 or
 * UINT64_MAX, NULL entries with count > 0, NULL data with len > 0),
 * conflict, gap, entry_too_large, no_space, corrupted, io_error,
 * read_only, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_append(seglog_storage* storage, const seglog_entry* entries,
                                       size_t count, seglog_error* err);

/* An owning copy of the entry at `index`, into *out (seglog_entry_clear).
 * Errors: compacted, out_of_range, corrupted, io_error, stale, closed,
 * invalid_argument, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_entry(const seglog_storage* storage, uint64_t index,
                                          seglog_entry* out, seglog_error* err);

/* A zero-copy view of the entry at `index`, into *out
 * (seglog_view_release). Errors: as seglog_get_entry. */
SEGLOG_C_API seglog_errc seglog_read_entry(const seglog_storage* storage, uint64_t index,
                                           seglog_view* out, seglog_error* err);

/* Owning copies of entries [begin, end) (end clamped to last_index + 1),
 * stopping once max_bytes of payload are returned (always at least one
 * entry when begin < end; UINT64_MAX: no budget), into *out
 * (seglog_entries_clear; count 0 and entries NULL when none).
 * Errors: compacted (begin < first_index), out_of_range (begin >
 * last_index + 1), invalid_argument (begin > end, NULL), corrupted,
 * io_error, stale, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_entries(const seglog_storage* storage, uint64_t begin,
                                            uint64_t end, uint64_t max_bytes, seglog_entries* out,
                                            seglog_error* err);

/* Zero-copy range read into an array the caller provides: views of the
 * entries seglog_get_entries(begin, end, max_bytes) would return, at most
 * `capacity` of them, into views[0..*count) (each released with
 * seglog_view_release or all with seglog_views_release). For a reader in
 * another language, one call per batch instead of one callback per entry.
 * On failure *count is 0 and nothing is to be released.
 * Errors: as seglog_get_entries, and invalid_argument (NULL views with
 * capacity > 0, NULL count). */
SEGLOG_C_API seglog_errc seglog_read_entries(const seglog_storage* storage, uint64_t begin,
                                             uint64_t end, uint64_t max_bytes, seglog_view* views,
                                             size_t capacity, size_t* count, seglog_error* err);

/* Called by seglog_visit_entries for each entry, in order: return true to
 * go on, false to stop. The view is valid during the call only (copy it
 * with seglog_view_copy to keep it; never release it). Must not call back
 * into the storage. */
typedef bool (*seglog_visit_fn)(void* context, const seglog_view* view);

/* Zero-copy range visit: calls visit(context, view) for each entry
 * seglog_get_entries(begin, end, max_bytes) would return.
 * Errors: as seglog_get_entries (checked before the first call); an error
 * met mid-range comes after the entries before it were visited;
 * invalid_argument (NULL visit). */
SEGLOG_C_API seglog_errc seglog_visit_entries(const seglog_storage* storage, uint64_t begin,
                                              uint64_t end, uint64_t max_bytes,
                                              seglog_visit_fn visit, void* context,
                                              seglog_error* err);

/* Removes the entries after `index` (keeps ..index), durably.
 * Errors: compacted (index < first_index - 1), corrupted, io_error,
 * read_only, closed, invalid_argument (NULL). */
SEGLOG_C_API seglog_errc seglog_truncate_after(seglog_storage* storage, uint64_t index,
                                               seglog_error* err);

/* Removes the entries before `index` (keeps index..); the new first index
 * is durable on return. See storage.hpp for index past the log.
 * Errors: out_of_range, no_space, io_error, read_only, closed,
 * invalid_argument (NULL). */
SEGLOG_C_API seglog_errc seglog_truncate_before(seglog_storage* storage, uint64_t index,
                                                seglog_error* err);

/* Drops every entry and restarts the log empty at next_index, durably and
 * atomically (Storage::restart_log): afterwards first_index ==
 * next_index, last_index == next_index - 1, term(next_index - 1) ==
 * prev_term. For a follower installing a leader's snapshot that its
 * engine keeps elsewhere; the saved snapshot is never touched.
 * Errors: invalid_argument (next_index 0 or UINT64_MAX; next_index 1 with
 * a prev_term other than 0), no_space (nothing changed), corrupted,
 * io_error, read_only, closed. */
SEGLOG_C_API seglog_errc seglog_restart_log(seglog_storage* storage, uint64_t next_index,
                                            uint64_t prev_term, seglog_error* err);

/* hashicorp/raft's DeleteRange(first, last), inclusive
 * (Storage::delete_range): a prefix (first <= first_index, last <
 * last_index) is truncate_before(last + 1), a suffix (first >
 * first_index, last >= last_index) truncate_after(first - 1), the whole
 * log truncate_after(first_index - 1) (emptied, the next append is at
 * first_index); a range with no entry in the log changes nothing.
 * Errors: invalid_argument (first > last; a range strictly inside the
 * log), and those of the truncation it maps to. */
SEGLOG_C_API seglog_errc seglog_delete_range(seglog_storage* storage, uint64_t first, uint64_t last,
                                             seglog_error* err);

/* ---- hard state, cluster configuration, key-value store --------------- */

/* Raft's hard state. voted_for is len bytes, not necessarily
 * NUL-terminated when the caller fills it (NULL with len 0: no vote);
 * from seglog_get_state it is malloc'ed and NUL-terminated, freed by
 * seglog_state_clear. */
typedef struct seglog_state {
  uint64_t current_term;
  const char* voted_for;
  size_t voted_for_len;
  uint64_t commit_index;
} seglog_state;

SEGLOG_C_API void seglog_state_clear(seglog_state* state);

/* The saved hard state (zeroes if none was saved), into *out.
 * Errors: corrupted, io_error, closed, invalid_argument, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_state(const seglog_storage* storage, seglog_state* out,
                                          seglog_error* err);

/* Replaces the hard state durably (atomic). voted_for may hold any bytes.
 * Errors: invalid_argument (NULL state, NULL voted_for with a length),
 * no_space, io_error, read_only, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_save_state(seglog_storage* storage, const seglog_state* state,
                                           seglog_error* err);

typedef struct seglog_member {
  const char* id; /* id_len bytes; NUL-terminated when the library filled it */
  size_t id_len;
  const char* address;
  size_t address_len;
  bool voter;
} seglog_member;

/* A cluster configuration. From seglog_get_cluster_config, members and
 * their strings are one allocation, freed by seglog_cluster_config_clear. */
typedef struct seglog_cluster_config {
  uint64_t index;
  uint64_t term;
  const seglog_member* members;
  size_t member_count;
} seglog_cluster_config;

SEGLOG_C_API void seglog_cluster_config_clear(seglog_cluster_config* config);

/* The saved configuration into *out, *found true; *found false (and *out
 * zeroed) when none was saved.
 * Errors: corrupted, io_error, closed, invalid_argument, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_cluster_config(const seglog_storage* storage,
                                                   seglog_cluster_config* out, bool* found,
                                                   seglog_error* err);

/* Replaces the configuration durably (atomic).
 * Errors: invalid_argument (not UTF-8, over 16 MiB, NULL members with
 * member_count > 0), no_space, io_error, read_only, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_save_cluster_config(seglog_storage* storage,
                                                    const seglog_cluster_config* config,
                                                    seglog_error* err);

/* A durable key-value store beside the hard state (Storage::get_value /
 * set_value; hashicorp's StableStore): byte keys up to 1 KiB, values up
 * to 64 KiB, empty ones included. seglog_get_value: *found false (and
 * *value NULL, *len 0) when the key was never set; otherwise *value
 * (malloc'ed, free it with seglog_free_bytes; NULL for an empty value)
 * and *len. key may be NULL with key_len 0 (the empty key).
 * Errors: corrupted, io_error, closed, invalid_argument (NULL),
 * out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_value(const seglog_storage* storage, const void* key,
                                          size_t key_len, void** value, size_t* len, bool* found,
                                          seglog_error* err);

/* Sets key to value, atomically and durably on return (old or new value
 * after a crash, never a mix).
 * Errors: invalid_argument (key over 1 KiB, value over 64 KiB, NULL with
 * a length), no_space (nothing changed), io_error, corrupted, read_only,
 * closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_set_value(seglog_storage* storage, const void* key, size_t key_len,
                                          const void* value, size_t len, seglog_error* err);

/* Frees bytes the library allocated for the caller (seglog_get_value). */
SEGLOG_C_API void seglog_free_bytes(void* bytes);

/* ---- snapshots --------------------------------------------------------- */

/* A snapshot's metadata. `metadata` is the engine's opaque bytes saved
 * with it; it points into the object the struct came from (a
 * seglog_snapshot, a reader, a writer) and lives as long as it. */
typedef struct seglog_snapshot_meta {
  uint64_t last_index;
  uint64_t last_term;
  uint64_t size; /* bytes of snapshot data */
  const void* metadata;
  size_t metadata_len;
} seglog_snapshot_meta;

/* An owning copy of the snapshot: one allocation, seglog_snapshot_clear. */
typedef struct seglog_snapshot {
  seglog_snapshot_meta meta;
  const void* data;
  size_t len;
} seglog_snapshot;

SEGLOG_C_API void seglog_snapshot_clear(seglog_snapshot* snapshot);

/* The saved snapshot into *out, *found true; *found false when none.
 * Errors: corrupted, io_error, closed, invalid_argument, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_get_snapshot(const seglog_storage* storage, seglog_snapshot* out,
                                             bool* found, seglog_error* err);

/* Replaces the snapshot durably (atomic), with `metadata` (may be NULL
 * with metadata_len 0; at most 16 MiB). Leaves the log as is.
 * Errors: invalid_argument (last_index UINT64_MAX, metadata over 16 MiB,
 * NULL with a length),
 * no_space, io_error, read_only, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_save_snapshot(seglog_storage* storage, const void* data, size_t len,
                                              uint64_t last_index, uint64_t last_term,
                                              const void* metadata, size_t metadata_len,
                                              seglog_error* err);

typedef struct seglog_snapshot_writer seglog_snapshot_writer;
typedef struct seglog_snapshot_reader seglog_snapshot_reader;

/* Starts a streaming snapshot (SnapshotWriter): write chunks, then
 * commit. A MemoryStorage's writer gathers the chunks in memory and saves
 * them at commit. The writer may outlive its storage handle.
 * Errors: invalid_argument (last_index UINT64_MAX, metadata over 16 MiB,
 * NULL), no_space, io_error, read_only, closed, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_begin_snapshot(seglog_storage* storage, uint64_t last_index,
                                               uint64_t last_term, const void* metadata,
                                               size_t metadata_len, seglog_snapshot_writer** out,
                                               seglog_error* err);

/* Appends a chunk of snapshot data.
 * Errors: no_space, io_error, invalid_argument (after commit or abandon,
 * NULL), out_of_memory. */
SEGLOG_C_API seglog_errc seglog_snapshot_writer_write(seglog_snapshot_writer* writer,
                                                      const void* data, size_t len,
                                                      seglog_error* err);

/* Makes the snapshot durable and current; *meta (may be NULL) gets its
 * metadata, whose pointer lives as long as the writer.
 * Errors: no_space, io_error (sticky), invalid_argument (already
 * committed or abandoned), closed (MemoryStorage closed meanwhile),
 * out_of_memory. */
SEGLOG_C_API seglog_errc seglog_snapshot_writer_commit(seglog_snapshot_writer* writer,
                                                       seglog_snapshot_meta* meta,
                                                       seglog_error* err);

/* Drops the snapshot being written (removes its temporary file). */
SEGLOG_C_API void seglog_snapshot_writer_abandon(seglog_snapshot_writer* writer);

/* Bytes written so far (0 for NULL). */
SEGLOG_C_API uint64_t seglog_snapshot_writer_bytes_written(const seglog_snapshot_writer* writer);

/* Abandons the writer if not committed, and frees it. NULL is a no-op. */
SEGLOG_C_API void seglog_snapshot_writer_free(seglog_snapshot_writer* writer);

/* Opens the current snapshot read-only, checksum verified: its data is
 * zero-copy (mapped) and stays unchanged while the reader lives, even if a
 * newer snapshot is committed.
 * Errors: not_found (no snapshot), corrupted, io_error, closed,
 * invalid_argument, out_of_memory. */
SEGLOG_C_API seglog_errc seglog_open_snapshot(const seglog_storage* storage,
                                              seglog_snapshot_reader** out, seglog_error* err);

/* The reader's metadata (pointers live as long as the reader). */
SEGLOG_C_API void seglog_snapshot_reader_meta(const seglog_snapshot_reader* reader,
                                              seglog_snapshot_meta* meta);

/* The reader's data: *data and *len (NULL and 0 for an empty snapshot). */
SEGLOG_C_API void seglog_snapshot_reader_data(const seglog_snapshot_reader* reader,
                                              const void** data, size_t* len);

SEGLOG_C_API void seglog_snapshot_reader_free(seglog_snapshot_reader* reader);

/* ---- stats ------------------------------------------------------------- */

/* seglog::Stats (stats.hpp). Set struct_size to sizeof(seglog_stats)
 * (so that the struct can grow); the library fills only what fits. A
 * MemoryStorage fills first_index and last_index, and zeroes the rest. */
typedef struct seglog_stats {
  size_t struct_size;
  uint64_t first_index;
  uint64_t last_index;
  uint64_t entries_appended;
  uint64_t bytes_appended;
  uint64_t segments;
  uint64_t sealed_segments;
  uint64_t mapped_segments;
  uint64_t mapped_bytes;
  uint64_t max_mapped_segments;
  uint64_t max_mapped_bytes;
  uint64_t log_bytes;
  uint64_t syncs;
  uint64_t slow_syncs;
  uint64_t max_sync_ns;
  uint64_t torn_tails_cut;
  uint64_t torn_bytes_cut;
  uint64_t leftovers_removed;
  uint64_t boundary_rewrites;
  uint64_t pending_rewrites;
  bool sync_failed;
  bool clean_open;
} seglog_stats;

/* Errors: invalid_argument (NULL, struct_size smaller than the fields up
 * to last_index). */
SEGLOG_C_API seglog_errc seglog_get_stats(const seglog_storage* storage, seglog_stats* out,
                                          seglog_error* err);

#ifdef __cplusplus
}
#endif

#endif /* SEGLOG_SEGLOG_H */

/* tests/c_api/c_api_test.c — every function of seglog.h and every error
 * path a test can reach without fault injection, in C11 (docs/c-api.md).
 * The storage contract runs on both storages (memory and segmented); what
 * needs a directory (locks, read-only opens, corruption, streaming
 * snapshots on disk, stats) runs on the segmented one. Prints one line per
 * case and a closing count; exit 1 on any failed check. */
#define _XOPEN_SOURCE 700

#include <seglog/seglog.h>

#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a small harness ----------------------------------------------------- */

static int checks;
static int failures;
static seglog_error err = SEGLOG_ERROR_INIT;

#define CHECK(cond) check((cond) != 0, __FILE__, __LINE__, #cond)
#define EXPECT(call, want) expect_code((call), (want), __FILE__, __LINE__, #call)
#define EXPECT_OK(call) EXPECT(call, SEGLOG_OK)

static void check(int ok, const char* file, int line, const char* what) {
  ++checks;
  if (!ok) {
    ++failures;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
  }
}

/* The call returned `want`; a failure also stored its code and a message
 * in err, a success left err untouched. err is cleared afterwards. */
static void expect_code(seglog_errc got, seglog_errc want, const char* file, int line,
                        const char* what) {
  ++checks;
  if (got != want) {
    ++failures;
    fprintf(stderr, "%s:%d: %s returned %s (%s), want %s\n", file, line, what,
            seglog_errc_name(got), err.message ? err.message : "no message",
            seglog_errc_name(want));
  } else if (want != SEGLOG_OK && (err.code != want || err.message == NULL || !err.message[0])) {
    ++failures;
    fprintf(stderr, "%s:%d: %s: err holds %s / %s\n", file, line, what, seglog_errc_name(err.code),
            err.message ? err.message : "(null)");
  } else if (want == SEGLOG_OK && err.code != SEGLOG_OK) {
    ++failures;
    fprintf(stderr, "%s:%d: %s succeeded but err holds %s\n", file, line, what,
            seglog_errc_name(err.code));
  }
  seglog_error_clear(&err);
}

static char root[256];
static int dir_counter;

/* A fresh directory path under root (not created). */
static const char* new_dir(char* buf, size_t size) {
  snprintf(buf, size, "%s/d%d", root, ++dir_counter);
  return buf;
}

static int remove_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Payload of entry `index`: len bytes of a pattern. */
static unsigned char payload[1 << 16];
static void fill_payload(uint64_t index, size_t len) {
  for (size_t i = 0; i < len; ++i) payload[i] = (unsigned char)(index * 31 + i);
}

/* Appends [first, last] with term `term` and 100-byte payloads, one call
 * per entry (the payload buffer is reused). */
static seglog_errc append_range(seglog_storage* s, uint64_t first, uint64_t last, uint64_t term) {
  for (uint64_t i = first; i <= last; ++i) {
    fill_payload(i, 100);
    seglog_entry e = {i, term, (uint8_t)(i % 3), payload, 100};
    seglog_errc code = seglog_append(s, &e, 1, &err);
    if (code != SEGLOG_OK) return code;
  }
  return SEGLOG_OK;
}

static int matches_payload(const void* data, size_t len, uint64_t index) {
  fill_payload(index, len);
  return len == 100 && memcmp(data, payload, len) == 0;
}

/* Options for a new directory under root, with 64 KiB segments. */
static void small_options(seglog_options* o, char* dir, size_t size) {
  seglog_options_init(o);
  o->dir = new_dir(dir, size);
  o->segment_size = 64 << 10;
}

typedef enum { MEMORY, SEGMENTED } kind;
static const char* kind_name(kind k) { return k == MEMORY ? "memory" : "segmented"; }

static seglog_storage* open_kind(kind k) {
  seglog_storage* s = NULL;
  if (k == MEMORY) {
    EXPECT_OK(seglog_open_memory(0, &s, &err));
  } else {
    char dir[300];
    seglog_options o;
    small_options(&o, dir, sizeof dir);
    EXPECT_OK(seglog_open(&o, &s, &err));
  }
  CHECK(s != NULL);
  return s;
}

/* ---- errors and options ------------------------------------------------ */

static void errors_name_every_code_and_clear_safely(void) {
  static const struct {
    seglog_errc code;
    const char* name;
  } names[] = {{SEGLOG_OK, "ok"},
               {SEGLOG_NOT_FOUND, "not_found"},
               {SEGLOG_CORRUPTED, "corrupted"},
               {SEGLOG_OUT_OF_RANGE, "out_of_range"},
               {SEGLOG_COMPACTED, "compacted"},
               {SEGLOG_GAP, "gap"},
               {SEGLOG_CONFLICT, "conflict"},
               {SEGLOG_ENTRY_TOO_LARGE, "entry_too_large"},
               {SEGLOG_INVALID_ARGUMENT, "invalid_argument"},
               {SEGLOG_LOCKED, "locked"},
               {SEGLOG_READ_ONLY, "read_only"},
               {SEGLOG_CLOSED, "closed"},
               {SEGLOG_NO_SPACE, "no_space"},
               {SEGLOG_IO_ERROR, "io_error"},
               {SEGLOG_STALE, "stale"},
               {SEGLOG_OUT_OF_MEMORY, "out_of_memory"},
               {SEGLOG_INTERNAL, "internal"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    CHECK(strcmp(seglog_errc_name(names[i].code), names[i].name) == 0);
  }
  CHECK(strcmp(seglog_errc_name((seglog_errc)77), "unknown") == 0);
  seglog_error_clear(NULL);
  seglog_error e = SEGLOG_ERROR_INIT;
  seglog_error_clear(&e);
  /* A second failure into the same struct frees the first message (the
   * leak checker of the sanitizer build would see it otherwise). */
  CHECK(seglog_term(NULL, 1, NULL, &e) == SEGLOG_INVALID_ARGUMENT);
  CHECK(seglog_term(NULL, 1, NULL, &e) == SEGLOG_INVALID_ARGUMENT);
  CHECK(e.code == SEGLOG_INVALID_ARGUMENT && e.message != NULL);
  seglog_error_clear(&e);
  CHECK(e.code == SEGLOG_OK && e.message == NULL);
  /* err is optional. */
  CHECK(seglog_term(NULL, 1, NULL, NULL) == SEGLOG_INVALID_ARGUMENT);
}

static int logged;
static void count_logs(void* context, seglog_log_level level, const char* message, size_t len) {
  (void)level;
  CHECK(context == &logged && message != NULL && len > 0);
  ++logged;
}

static void options_have_defaults_and_are_checked(void) {
  seglog_options o;
  seglog_options_init(NULL);
  seglog_options_init(&o);
  CHECK(o.struct_size == sizeof o && o.dir == NULL);
  CHECK(o.segment_size == 64u << 20 && o.index_interval_bytes == 4096);
  CHECK(o.max_mapped_bytes == 0 && o.max_mapped_segments == 0);
  CHECK(o.max_entry_size == 64u << 20 && !o.read_only && o.verify_checksums && o.logger == NULL);

  seglog_storage* s = (seglog_storage*)&o; /* overwritten with NULL on failure */
  EXPECT(seglog_open(NULL, &s, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(s == NULL);
  EXPECT(seglog_open(&o, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_open(&o, &s, &err), SEGLOG_INVALID_ARGUMENT); /* dir NULL */
  char dir[300];
  o.dir = new_dir(dir, sizeof dir);
  o.segment_size = 1; /* below 64 KiB */
  EXPECT(seglog_open(&o, &s, &err), SEGLOG_INVALID_ARGUMENT);
  o.segment_size = 64 << 10;
  size_t full = o.struct_size;
  o.struct_size = 4; /* no room for dir */
  EXPECT(seglog_open(&o, &s, &err), SEGLOG_INVALID_ARGUMENT);

  /* An older, smaller struct: the fields it lacks take their defaults. */
  o.struct_size = offsetof(seglog_options, dir) + sizeof o.dir;
  o.read_only = true; /* beyond struct_size: ignored */
  EXPECT_OK(seglog_open(&o, &s, &err));
  EXPECT_OK(append_range(s, 1, 2, 1)); /* writable: read_only was not read */
  seglog_storage_free(s);

  /* Every field is read: a logger is told of the leftover removed. */
  o.struct_size = full;
  o.read_only = false;
  o.index_interval_bytes = 64;
  o.max_mapped_segments = 2;
  o.max_mapped_bytes = 1 << 20;
  o.max_entry_size = 1000;
  o.verify_checksums = false;
  o.logger = count_logs;
  o.logger_context = &logged;
  char leftover[400];
  snprintf(leftover, sizeof leftover, "%s/state.json.0123456789abcdef.tmp", dir);
  FILE* f = fopen(leftover, "w");
  CHECK(f != NULL);
  if (f) fclose(f);
  EXPECT_OK(seglog_open(&o, &s, &err));
  CHECK(logged > 0);
  seglog_stats st;
  st.struct_size = sizeof st;
  EXPECT_OK(seglog_get_stats(s, &st, &err));
  CHECK(st.max_mapped_segments == 2 && st.max_mapped_bytes == 1 << 20);
  CHECK(st.leftovers_removed == 1);
  fill_payload(1, 1001);
  seglog_entry big = {3, 1, 0, payload, 1001};
  EXPECT(seglog_append(s, &big, 1, &err), SEGLOG_ENTRY_TOO_LARGE);
  seglog_storage_free(s);
  seglog_storage_free(NULL);
}

/* ---- the contract, on both storages ----------------------------------- */

static void append_and_read_back(kind k) {
  seglog_storage* s = open_kind(k);
  CHECK(seglog_first_index(s) == 1 && seglog_last_index(s) == 0);
  CHECK(seglog_first_index(NULL) == 0 && seglog_last_index(NULL) == 0);
  EXPECT_OK(seglog_append(s, NULL, 0, &err));

  /* A batch of caller buffers, one of them empty. */
  unsigned char a[3] = {1, 2, 3};
  seglog_entry batch[3] = {{1, 1, 7, a, 3}, {2, 1, 0, NULL, 0}, {3, 2, 255, a + 1, 2}};
  EXPECT_OK(seglog_append(s, batch, 3, &err));
  CHECK(seglog_last_index(s) == 3);
  EXPECT_OK(seglog_append(s, batch, 3, &err)); /* a retry: skipped */
  CHECK(seglog_last_index(s) == 3);

  seglog_entry e;
  EXPECT_OK(seglog_get_entry(s, 1, &e, &err));
  CHECK(e.index == 1 && e.term == 1 && e.type == 7 && e.len == 3 && memcmp(e.data, a, 3) == 0);
  seglog_entry_clear(&e);
  CHECK(e.data == NULL && e.len == 0);
  seglog_entry_clear(&e);
  seglog_entry_clear(NULL);
  EXPECT_OK(seglog_get_entry(s, 2, &e, &err));
  CHECK(e.len == 0 && e.data == NULL);
  seglog_entry_clear(&e);

  uint64_t term = 99;
  EXPECT_OK(seglog_term(s, 3, &term, &err));
  CHECK(term == 2);
  EXPECT_OK(seglog_term(s, 0, &term, &err));
  CHECK(term == 0);

  seglog_view v;
  EXPECT_OK(seglog_read_entry(s, 3, &v, &err));
  CHECK(v.index == 3 && v.term == 2 && v.type == 255 && v.len == 2 && v.handle != NULL);
  CHECK(memcmp(v.data, a + 1, 2) == 0);
  seglog_view copy;
  EXPECT_OK(seglog_view_copy(&v, &copy, &err));
  seglog_view_release(&v);
  CHECK(v.handle == NULL && v.data == NULL);
  seglog_view_release(&v); /* twice: a no-op */
  seglog_view_release(NULL);
  EXPECT(seglog_view_copy(&v, &copy, &err), SEGLOG_INVALID_ARGUMENT); /* released */
  EXPECT(seglog_view_copy(NULL, &copy, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(copy.index == 3 && memcmp(copy.data, a + 1, 2) == 0);
  seglog_view copy2;
  EXPECT(seglog_view_copy(&copy, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT_OK(seglog_view_copy(&copy, &copy2, &err));
  seglog_views_release(&copy, 1);
  seglog_views_release(NULL, 3);

  /* Views outlive close and free. */
  EXPECT_OK(seglog_close(s, &err));
  CHECK(copy2.len == 2 && memcmp(copy2.data, a + 1, 2) == 0);
  seglog_storage_free(s);
  CHECK(copy2.len == 2 && memcmp(copy2.data, a + 1, 2) == 0);
  seglog_view_release(&copy2);
}

static void append_refuses_bad_batches(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 5, 2));
  unsigned char b[4] = {0};
  seglog_entry e = {0, 1, 0, b, 4};
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_INVALID_ARGUMENT); /* index 0 */
  e.index = UINT64_MAX;
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_entry two[2] = {{6, 2, 0, b, 4}, {8, 2, 0, b, 4}};
  EXPECT(seglog_append(s, two, 2, &err), SEGLOG_INVALID_ARGUMENT); /* not consecutive */
  e.index = 7;
  e.term = 2;
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_GAP);
  e.index = 5;
  e.term = 3;
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_CONFLICT);
  EXPECT(seglog_append(s, NULL, 1, &err), SEGLOG_INVALID_ARGUMENT);
  e.index = 6;
  e.data = NULL;
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_append(NULL, &e, 1, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(seglog_last_index(s) == 5); /* nothing of a refused batch */
  seglog_storage_free(s);

  seglog_storage* m = NULL;
  EXPECT(seglog_open_memory(0, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT_OK(seglog_open_memory(10, &m, &err));
  seglog_entry big = {1, 1, 0, payload, 11};
  EXPECT(seglog_append(m, &big, 1, &err), SEGLOG_ENTRY_TOO_LARGE);
  seglog_storage_free(m);
}

static void reads_refuse_what_is_not_in_the_log(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 10, 1));
  EXPECT_OK(seglog_truncate_before(s, 4, &err));
  CHECK(seglog_first_index(s) == 4);
  uint64_t term;
  seglog_entry e;
  seglog_view v;
  seglog_entries es;
  size_t n = 7;
  EXPECT(seglog_term(s, 2, &term, &err), SEGLOG_COMPACTED);
  EXPECT(seglog_term(s, 11, &term, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_term(s, 5, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_term(NULL, 5, &term, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_entry(s, 3, &e, &err), SEGLOG_COMPACTED);
  EXPECT(seglog_get_entry(s, 11, &e, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_get_entry(s, 5, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_entry(NULL, 5, &e, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entry(s, 3, &v, &err), SEGLOG_COMPACTED);
  EXPECT(seglog_read_entry(s, 11, &v, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_read_entry(s, 5, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entry(NULL, 5, &v, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_entries(s, 3, 5, UINT64_MAX, &es, &err), SEGLOG_COMPACTED);
  EXPECT(seglog_get_entries(s, 12, 15, UINT64_MAX, &es, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_get_entries(s, 6, 5, UINT64_MAX, &es, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_entries(s, 5, 6, UINT64_MAX, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_entries(NULL, 5, 6, UINT64_MAX, &es, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entries(s, 3, 5, UINT64_MAX, &v, 1, &n, &err), SEGLOG_COMPACTED);
  CHECK(n == 0);
  EXPECT(seglog_read_entries(s, 12, 15, UINT64_MAX, &v, 1, &n, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_read_entries(s, 6, 5, UINT64_MAX, &v, 1, &n, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entries(s, 5, 6, UINT64_MAX, NULL, 1, &n, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entries(s, 5, 6, UINT64_MAX, &v, 1, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_read_entries(NULL, 5, 6, UINT64_MAX, &v, 1, &n, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_truncate_after(s, 1, &err), SEGLOG_COMPACTED);
  EXPECT(seglog_truncate_before(s, 12, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_truncate_after(NULL, 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_truncate_before(NULL, 1, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_storage_free(s);
}

/* A visitor that keeps a copy of the second view and stops at `stop`. */
typedef struct {
  uint64_t seen;
  uint64_t stop;
  seglog_view kept;
  int payloads_ok;
} visit_state;

static bool visit_some(void* context, const seglog_view* view) {
  visit_state* st = context;
  ++st->seen;
  st->payloads_ok &= matches_payload(view->data, view->len, view->index);
  if (st->seen == 2) {
    seglog_view_release((seglog_view*)view); /* the library's own: a no-op */
    CHECK(seglog_view_copy(view, &st->kept, NULL) == SEGLOG_OK);
  }
  return view->index != st->stop;
}

static void ranges_read_by_copy_by_view_and_by_visit(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 20, 1));

  seglog_entries es;
  EXPECT_OK(seglog_get_entries(s, 3, 100, UINT64_MAX, &es, &err)); /* end clamped */
  CHECK(es.count == 18);
  int ok = 1;
  for (size_t i = 0; i < es.count; ++i) {
    ok &= es.entries[i].index == 3 + i &&
          matches_payload(es.entries[i].data, es.entries[i].len, es.entries[i].index);
  }
  CHECK(ok);
  seglog_entries_clear(&es);
  CHECK(es.entries == NULL && es.count == 0);
  seglog_entries_clear(NULL);
  EXPECT_OK(seglog_get_entries(s, 3, 10, 250, &es, &err)); /* 100-byte payloads */
  CHECK(es.count == 2);
  seglog_entries_clear(&es);
  EXPECT_OK(seglog_get_entries(s, 3, 10, 1, &es, &err)); /* always one */
  CHECK(es.count == 1);
  seglog_entries_clear(&es);
  EXPECT_OK(seglog_get_entries(s, 21, 30, UINT64_MAX, &es, &err));
  CHECK(es.count == 0 && es.entries == NULL);

  seglog_view views[8];
  size_t n = 0;
  EXPECT_OK(seglog_read_entries(s, 5, 21, UINT64_MAX, views, 8, &n, &err));
  CHECK(n == 8);
  ok = 1;
  for (size_t i = 0; i < n; ++i) {
    ok &= views[i].index == 5 + i && matches_payload(views[i].data, views[i].len, 5 + i);
  }
  CHECK(ok);
  seglog_views_release(views, n);
  EXPECT_OK(seglog_read_entries(s, 5, 21, 300, views, 8, &n, &err));
  CHECK(n == 3);
  seglog_views_release(views, n);
  EXPECT_OK(seglog_read_entries(s, 5, 21, UINT64_MAX, NULL, 0, &n, &err));
  CHECK(n == 0);

  visit_state st = {0, 12, {0}, 1};
  EXPECT_OK(seglog_visit_entries(s, 10, 21, UINT64_MAX, visit_some, &st, &err));
  CHECK(st.seen == 3 && st.payloads_ok); /* 10, 11, 12: stopped */
  CHECK(st.kept.index == 11 && matches_payload(st.kept.data, st.kept.len, 11));
  seglog_view_release(&st.kept);
  visit_state all = {0, 0, {0}, 1};
  EXPECT_OK(seglog_visit_entries(s, 1, 21, 450, visit_some, &all, &err));
  CHECK(all.seen == 4 && all.payloads_ok);
  seglog_view_release(&all.kept);
  EXPECT(seglog_visit_entries(s, 1, 21, UINT64_MAX, NULL, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_visit_entries(NULL, 1, 21, UINT64_MAX, visit_some, &all, &err),
         SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_visit_entries(s, 22, 23, UINT64_MAX, visit_some, &all, &err), SEGLOG_OUT_OF_RANGE);
  EXPECT(seglog_visit_entries(s, 5, 4, UINT64_MAX, visit_some, &all, &err),
         SEGLOG_INVALID_ARGUMENT);
  EXPECT_OK(seglog_truncate_before(s, 3, &err));
  EXPECT(seglog_visit_entries(s, 1, 4, UINT64_MAX, visit_some, &all, &err), SEGLOG_COMPACTED);
  seglog_storage_free(s);
}

static void truncations_shape_the_log(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 30, 1));
  seglog_view held;
  EXPECT_OK(seglog_read_entry(s, 25, &held, &err));
  EXPECT_OK(seglog_truncate_after(s, 20, &err));
  CHECK(seglog_last_index(s) == 20);
  CHECK(matches_payload(held.data, held.len, 25)); /* a view of a removed entry */
  seglog_view_release(&held);
  EXPECT_OK(seglog_truncate_after(s, 40, &err)); /* a no-op */
  EXPECT_OK(seglog_append(s, NULL, 0, &err));
  EXPECT_OK(append_range(s, 21, 22, 2));
  EXPECT_OK(seglog_truncate_before(s, 10, &err));
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 22);
  EXPECT_OK(seglog_truncate_before(s, 5, &err)); /* a no-op */
  EXPECT_OK(seglog_sync(s, &err));
  EXPECT_OK(seglog_flush(s, &err));
  EXPECT(seglog_sync(NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_flush(NULL, &err), SEGLOG_INVALID_ARGUMENT);
  /* Empty the log behind a snapshot, then install one past it. */
  EXPECT_OK(seglog_save_snapshot(s, "snap", 4, 22, 2, NULL, 0, &err));
  EXPECT_OK(seglog_truncate_before(s, 23, &err));
  uint64_t term = 0;
  CHECK(seglog_first_index(s) == 23 && seglog_last_index(s) == 22);
  EXPECT_OK(seglog_term(s, 22, &term, &err));
  CHECK(term == 2);
  EXPECT_OK(seglog_save_snapshot(s, "later", 5, 100, 3, NULL, 0, &err));
  EXPECT_OK(seglog_truncate_before(s, 101, &err));
  CHECK(seglog_first_index(s) == 101 && seglog_last_index(s) == 100);
  EXPECT_OK(append_range(s, 101, 101, 3));
  seglog_storage_free(s);
}

static void delete_range_takes_a_prefix_or_a_suffix(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 30, 1));
  EXPECT(seglog_delete_range(s, 5, 4, &err), SEGLOG_INVALID_ARGUMENT);   /* first > last */
  EXPECT(seglog_delete_range(s, 10, 20, &err), SEGLOG_INVALID_ARGUMENT); /* the middle */
  CHECK(seglog_first_index(s) == 1 && seglog_last_index(s) == 30);
  EXPECT_OK(seglog_delete_range(s, 1, 9, &err)); /* prefix */
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 30);
  EXPECT_OK(seglog_delete_range(s, 25, UINT64_MAX, &err)); /* suffix */
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 24);
  EXPECT_OK(seglog_delete_range(s, 100, 200, &err)); /* no entry in it: nothing */
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 24);
  EXPECT_OK(seglog_delete_range(s, 1, 50, &err)); /* the whole log: emptied at first_index */
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 9);
  EXPECT_OK(append_range(s, 10, 11, 2));
  EXPECT(seglog_delete_range(NULL, 1, 2, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_storage_free(s);
}

static void restart_log_continues_at_a_new_index(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 30, 1));
  seglog_view held;
  EXPECT_OK(seglog_read_entry(s, 7, &held, &err));
  EXPECT_OK(seglog_restart_log(s, 1000, 5, &err));
  CHECK(seglog_first_index(s) == 1000 && seglog_last_index(s) == 999);
  CHECK(matches_payload(held.data, held.len, 7)); /* views outlive the restart */
  seglog_view_release(&held);
  uint64_t term = 0;
  EXPECT_OK(seglog_term(s, 999, &term, &err));
  CHECK(term == 5);
  seglog_entry e;
  EXPECT(seglog_get_entry(s, 7, &e, &err), SEGLOG_COMPACTED);
  EXPECT(append_range(s, 1001, 1001, 5), SEGLOG_GAP);
  EXPECT_OK(append_range(s, 1000, 1002, 5));
  EXPECT_OK(seglog_restart_log(s, 10, 1, &err)); /* back, before the log */
  CHECK(seglog_first_index(s) == 10 && seglog_last_index(s) == 9);
  EXPECT(seglog_restart_log(s, 0, 0, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_restart_log(s, UINT64_MAX, 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_restart_log(s, 1, 3, &err), SEGLOG_INVALID_ARGUMENT); /* term(0) is 0 */
  EXPECT(seglog_restart_log(NULL, 5, 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT_OK(seglog_close(s, &err));
  EXPECT(seglog_restart_log(s, 5, 1, &err), SEGLOG_CLOSED);
  EXPECT(seglog_delete_range(s, 1, 2, &err), SEGLOG_CLOSED);
  seglog_storage_free(s);
}

static void the_key_value_store_keeps_bytes(kind k) {
  seglog_storage* s = open_kind(k);
  void* value = (void*)&k;
  size_t len = 7;
  bool found = true;
  EXPECT_OK(seglog_get_value(s, "CurrentTerm", 11, &value, &len, &found, &err));
  CHECK(!found && value == NULL && len == 0);
  EXPECT_OK(seglog_set_value(s, "CurrentTerm", 11, "\x00\x00\x00\x05", 4, &err));
  EXPECT_OK(seglog_set_value(s, "", 0, "empty key", 9, &err));
  EXPECT_OK(seglog_set_value(s, "LastVote", 8, NULL, 0, &err)); /* an empty value */
  EXPECT_OK(seglog_get_value(s, "CurrentTerm", 11, &value, &len, &found, &err));
  CHECK(found && len == 4 && memcmp(value, "\x00\x00\x00\x05", 4) == 0);
  seglog_free_bytes(value);
  EXPECT_OK(seglog_set_value(s, "CurrentTerm", 11, "\x06", 1, &err)); /* overwritten */
  EXPECT_OK(seglog_get_value(s, "CurrentTerm", 11, &value, &len, &found, &err));
  CHECK(found && len == 1 && memcmp(value, "\x06", 1) == 0);
  seglog_free_bytes(value);
  EXPECT_OK(seglog_get_value(s, "LastVote", 8, &value, &len, &found, &err));
  CHECK(found && len == 0 && value == NULL);
  EXPECT_OK(seglog_get_value(s, NULL, 0, &value, &len, &found, &err));
  CHECK(found && len == 9 && memcmp(value, "empty key", 9) == 0);
  seglog_free_bytes(value);
  seglog_free_bytes(NULL);

  static unsigned char big[(64 << 10) + 1];
  EXPECT(seglog_set_value(s, big, 1025, "v", 1, &err), SEGLOG_INVALID_ARGUMENT); /* key > 1 KiB */
  EXPECT(seglog_set_value(s, "k", 1, big, sizeof big, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_set_value(s, NULL, 1, "v", 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_set_value(s, "k", 1, NULL, 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_set_value(NULL, "k", 1, "v", 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_value(s, NULL, 1, &value, &len, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_value(s, "k", 1, NULL, &len, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_value(s, "k", 1, &value, NULL, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_value(s, "k", 1, &value, &len, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_value(NULL, "k", 1, &value, &len, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT_OK(seglog_close(s, &err));
  EXPECT(seglog_set_value(s, "k", 1, "v", 1, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_value(s, "k", 1, &value, &len, &found, &err), SEGLOG_CLOSED);
  seglog_storage_free(s);
}

static void state_and_cluster_config_round_trip(kind k) {
  seglog_storage* s = open_kind(k);
  seglog_state st;
  EXPECT_OK(seglog_get_state(s, &st, &err));
  CHECK(st.current_term == 0 && st.voted_for_len == 0 && st.voted_for && !st.voted_for[0]);
  seglog_state_clear(&st);
  seglog_state_clear(&st);
  seglog_state_clear(NULL);
  const char vote[4] = {'n', '\0', '\xff', '2'}; /* any bytes */
  seglog_state save = {7, vote, 4, 5};
  EXPECT_OK(seglog_save_state(s, &save, &err));
  EXPECT_OK(seglog_get_state(s, &st, &err));
  CHECK(st.current_term == 7 && st.commit_index == 5 && st.voted_for_len == 4);
  CHECK(memcmp(st.voted_for, vote, 4) == 0 && st.voted_for[4] == '\0');
  seglog_state_clear(&st);
  save.voted_for = NULL;
  EXPECT(seglog_save_state(s, &save, &err), SEGLOG_INVALID_ARGUMENT);
  save.voted_for_len = 0;
  EXPECT_OK(seglog_save_state(s, &save, &err));
  EXPECT(seglog_save_state(s, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_save_state(NULL, &save, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_state(s, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_state(NULL, &st, &err), SEGLOG_INVALID_ARGUMENT);

  seglog_cluster_config c;
  bool found = true;
  EXPECT_OK(seglog_get_cluster_config(s, &c, &found, &err));
  CHECK(!found && c.members == NULL && c.member_count == 0);
  seglog_member members[2] = {{"a", 1, "10.0.0.1:7000", 13, true},
                              {"bb", 2, "10.0.0.2:7000", 13, false}};
  seglog_cluster_config cfg = {9, 2, members, 2};
  EXPECT_OK(seglog_save_cluster_config(s, &cfg, &err));
  EXPECT_OK(seglog_get_cluster_config(s, &c, &found, &err));
  CHECK(found && c.index == 9 && c.term == 2 && c.member_count == 2);
  CHECK(c.member_count == 2 && strcmp(c.members[1].id, "bb") == 0 && c.members[1].id_len == 2);
  CHECK(strcmp(c.members[0].address, "10.0.0.1:7000") == 0 && c.members[0].voter);
  CHECK(!c.members[1].voter);
  seglog_cluster_config_clear(&c);
  seglog_cluster_config_clear(&c);
  seglog_cluster_config_clear(NULL);
  cfg.member_count = 0; /* no members */
  EXPECT_OK(seglog_save_cluster_config(s, &cfg, &err));
  EXPECT_OK(seglog_get_cluster_config(s, &c, &found, &err));
  CHECK(found && c.member_count == 0 && c.members == NULL);
  seglog_cluster_config_clear(&c);
  cfg.members = NULL;
  cfg.member_count = 1;
  EXPECT(seglog_save_cluster_config(s, &cfg, &err), SEGLOG_INVALID_ARGUMENT);
  members[0].id = NULL;
  cfg.members = members;
  EXPECT(seglog_save_cluster_config(s, &cfg, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_save_cluster_config(s, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_save_cluster_config(NULL, &cfg, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_cluster_config(s, &c, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_cluster_config(s, NULL, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_cluster_config(NULL, &c, &found, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_storage_free(s);
}

static void snapshots_whole_and_streamed(kind k) {
  seglog_storage* s = open_kind(k);
  seglog_snapshot snap;
  bool found = true;
  EXPECT_OK(seglog_get_snapshot(s, &snap, &found, &err));
  CHECK(!found && snap.data == NULL);
  seglog_snapshot_reader* r = (seglog_snapshot_reader*)&snap;
  EXPECT(seglog_open_snapshot(s, &r, &err), SEGLOG_NOT_FOUND);
  CHECK(r == NULL);

  EXPECT_OK(seglog_save_snapshot(s, "abc", 3, 10, 2, NULL, 0, &err));
  EXPECT_OK(seglog_get_snapshot(s, &snap, &found, &err));
  CHECK(found && snap.meta.last_index == 10 && snap.meta.last_term == 2 && snap.meta.size == 3);
  CHECK(snap.len == 3 && memcmp(snap.data, "abc", 3) == 0);
  seglog_snapshot_clear(&snap);
  seglog_snapshot_clear(&snap);
  seglog_snapshot_clear(NULL);
  EXPECT_OK(seglog_save_snapshot(s, NULL, 0, 11, 2, NULL, 0, &err)); /* empty */
  EXPECT_OK(seglog_get_snapshot(s, &snap, &found, &err));
  CHECK(found && snap.len == 0 && snap.meta.last_index == 11);
  seglog_snapshot_clear(&snap);
  /* Opaque metadata kept with the snapshot (the engine's configuration). */
  EXPECT_OK(seglog_save_snapshot(s, "abc", 3, 12, 2, "cfg-v1", 6, &err));
  EXPECT_OK(seglog_get_snapshot(s, &snap, &found, &err));
  CHECK(found && snap.len == 3 && memcmp(snap.data, "abc", 3) == 0);
  CHECK(snap.meta.metadata_len == 6 && memcmp(snap.meta.metadata, "cfg-v1", 6) == 0);
  seglog_snapshot_clear(&snap);
  EXPECT(seglog_save_snapshot(s, "abc", 3, 12, 2, NULL, 6, &err), SEGLOG_INVALID_ARGUMENT);
  const size_t too_much = (16u << 20) + 1;
  void* big = calloc(1, too_much);
  CHECK(big != NULL);
  EXPECT(seglog_save_snapshot(s, "abc", 3, 12, 2, big, too_much, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_snapshot_writer* refused = NULL;
  EXPECT(seglog_begin_snapshot(s, 12, 2, big, too_much, &refused, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(refused == NULL);
  free(big);
  EXPECT(seglog_save_snapshot(s, NULL, 3, 12, 2, NULL, 0, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_save_snapshot(s, "abc", 3, UINT64_MAX, 2, NULL, 0, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_save_snapshot(NULL, "abc", 3, 12, 2, NULL, 0, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_snapshot(s, NULL, &found, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_snapshot(s, &snap, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_snapshot(NULL, &snap, &found, &err), SEGLOG_INVALID_ARGUMENT);

  /* Streaming: chunks, commit, then read it back zero-copy. */
  seglog_snapshot_writer* w = NULL;
  EXPECT_OK(seglog_begin_snapshot(s, 20, 3, "id=7", 4, &w, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, "hello ", 6, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, NULL, 0, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, "world", 5, &err));
  EXPECT(seglog_snapshot_writer_write(w, NULL, 5, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(seglog_snapshot_writer_bytes_written(w) == 11);
  CHECK(seglog_snapshot_writer_bytes_written(NULL) == 0);
  seglog_snapshot_meta meta;
  EXPECT_OK(seglog_snapshot_writer_commit(w, &meta, &err));
  CHECK(meta.last_index == 20 && meta.last_term == 3 && meta.size == 11);
  CHECK(meta.metadata_len == 4 && memcmp(meta.metadata, "id=7", 4) == 0);
  EXPECT(seglog_snapshot_writer_commit(w, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_snapshot_writer_write(w, "x", 1, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_snapshot_writer_abandon(w); /* after commit: nothing to drop */
  seglog_snapshot_writer_free(w);

  EXPECT_OK(seglog_open_snapshot(s, &r, &err));
  seglog_snapshot_reader_meta(r, &meta);
  CHECK(meta.last_index == 20 && meta.size == 11 && meta.metadata_len == 4);
  CHECK(memcmp(meta.metadata, "id=7", 4) == 0);
  const void* data = NULL;
  size_t len = 0;
  seglog_snapshot_reader_data(r, &data, &len);
  CHECK(len == 11 && memcmp(data, "hello world", 11) == 0);

  /* An abandoned writer leaves the current snapshot, and the reader keeps
   * its bytes while a newer one is committed. */
  EXPECT_OK(seglog_begin_snapshot(s, 30, 3, NULL, 0, &w, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, "zz", 2, &err));
  seglog_snapshot_writer_abandon(w);
  seglog_snapshot_writer_abandon(NULL);
  EXPECT(seglog_snapshot_writer_write(w, "x", 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_snapshot_writer_commit(w, &meta, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_snapshot_writer_free(w);
  EXPECT_OK(seglog_begin_snapshot(s, 31, 3, NULL, 0, &w, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, "never", 5, &err));
  seglog_snapshot_writer_free(w); /* uncommitted: abandoned */
  seglog_snapshot_writer_free(NULL);
  EXPECT_OK(seglog_save_snapshot(s, "newer", 5, 40, 4, NULL, 0, &err));
  seglog_snapshot_reader_data(r, &data, &len);
  CHECK(len == 11 && memcmp(data, "hello world", 11) == 0);
  seglog_snapshot_reader_free(r);
  seglog_snapshot_reader_free(NULL);
  seglog_snapshot_reader_meta(NULL, &meta);
  CHECK(meta.last_index == 0);
  seglog_snapshot_reader_meta(NULL, NULL);
  seglog_snapshot_reader_data(NULL, &data, &len);
  CHECK(data == NULL && len == 0);

  EXPECT(seglog_begin_snapshot(s, UINT64_MAX, 3, NULL, 0, &w, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_begin_snapshot(s, 5, 3, NULL, 2, &w, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_begin_snapshot(s, 5, 3, NULL, 0, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_begin_snapshot(NULL, 5, 3, NULL, 0, &w, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_snapshot_writer_write(NULL, "x", 1, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_snapshot_writer_commit(NULL, &meta, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_open_snapshot(s, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_open_snapshot(NULL, &r, &err), SEGLOG_INVALID_ARGUMENT);

  /* A writer outlives its storage handle; commit then finds it closed
   * (memory) or commits into the directory (segmented). */
  EXPECT_OK(seglog_begin_snapshot(s, 50, 5, NULL, 0, &w, &err));
  EXPECT_OK(seglog_snapshot_writer_write(w, "late", 4, &err));
  seglog_storage_free(s);
  EXPECT(seglog_snapshot_writer_commit(w, &meta, &err), k == MEMORY ? SEGLOG_CLOSED : SEGLOG_OK);
  seglog_snapshot_writer_free(w);
}

static void stats_count_and_check_their_struct(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 5, 1));
  seglog_stats st;
  memset(&st, 0xff, sizeof st);
  st.struct_size = sizeof st;
  EXPECT_OK(seglog_get_stats(s, &st, &err));
  CHECK(st.struct_size == sizeof st && st.first_index == 1 && st.last_index == 5);
  if (k == SEGMENTED) {
    CHECK(st.entries_appended == 5 && st.segments == 1 && !st.sync_failed);
  } else {
    CHECK(st.entries_appended == 0 && st.segments == 0 && !st.sync_failed);
  }
  /* An older caller's smaller struct: nothing written past it. */
  memset(&st, 0xff, sizeof st);
  st.struct_size = offsetof(seglog_stats, entries_appended);
  EXPECT_OK(seglog_get_stats(s, &st, &err));
  CHECK(st.last_index == 5 && st.entries_appended == UINT64_MAX);
  st.struct_size = offsetof(seglog_stats, last_index);
  EXPECT(seglog_get_stats(s, &st, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_stats(s, NULL, &err), SEGLOG_INVALID_ARGUMENT);
  EXPECT(seglog_get_stats(NULL, &st, &err), SEGLOG_INVALID_ARGUMENT);
  seglog_storage_free(s);
}

static void every_call_after_close_is_refused(kind k) {
  seglog_storage* s = open_kind(k);
  EXPECT_OK(append_range(s, 1, 3, 1));
  EXPECT_OK(seglog_save_snapshot(s, "x", 1, 1, 1, NULL, 0, &err));
  EXPECT_OK(seglog_close(s, &err));
  EXPECT(seglog_close(s, &err), SEGLOG_CLOSED);
  EXPECT(seglog_close(NULL, &err), SEGLOG_INVALID_ARGUMENT);
  CHECK(seglog_last_index(s) == 3); /* keeps its last value */
  uint64_t term;
  seglog_entry e = {4, 1, 0, NULL, 0};
  seglog_view v;
  seglog_entries es;
  size_t n;
  seglog_state st = {1, NULL, 0, 0};
  seglog_cluster_config c = {0, 0, NULL, 0};
  bool found;
  seglog_snapshot snap;
  seglog_snapshot_writer* w;
  seglog_snapshot_reader* r;
  visit_state vs = {0, 0, {0}, 1};
  EXPECT(seglog_term(s, 1, &term, &err), SEGLOG_CLOSED);
  EXPECT(seglog_append(s, &e, 1, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_entry(s, 1, &e, &err), SEGLOG_CLOSED);
  EXPECT(seglog_read_entry(s, 1, &v, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_entries(s, 1, 2, UINT64_MAX, &es, &err), SEGLOG_CLOSED);
  EXPECT(seglog_read_entries(s, 1, 2, UINT64_MAX, &v, 1, &n, &err), SEGLOG_CLOSED);
  EXPECT(seglog_visit_entries(s, 1, 2, UINT64_MAX, visit_some, &vs, &err), SEGLOG_CLOSED);
  EXPECT(seglog_truncate_after(s, 1, &err), SEGLOG_CLOSED);
  EXPECT(seglog_truncate_before(s, 2, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_state(s, &st, &err), SEGLOG_CLOSED);
  EXPECT(seglog_save_state(s, &st, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_cluster_config(s, &c, &found, &err), SEGLOG_CLOSED);
  EXPECT(seglog_save_cluster_config(s, &c, &err), SEGLOG_CLOSED);
  EXPECT(seglog_get_snapshot(s, &snap, &found, &err), SEGLOG_CLOSED);
  EXPECT(seglog_save_snapshot(s, "x", 1, 2, 1, NULL, 0, &err), SEGLOG_CLOSED);
  EXPECT(seglog_begin_snapshot(s, 2, 1, NULL, 0, &w, &err), SEGLOG_CLOSED);
  EXPECT(seglog_open_snapshot(s, &r, &err), SEGLOG_CLOSED);
  EXPECT(seglog_sync(s, &err), SEGLOG_CLOSED);
  EXPECT(seglog_flush(s, &err), SEGLOG_CLOSED);
  seglog_storage_free(s);
}

/* ---- what needs a directory -------------------------------------------- */

static void a_second_writer_is_locked_out_and_read_only_cannot_write(void) {
  char dir[300];
  seglog_options o;
  small_options(&o, dir, sizeof dir);
  seglog_storage* s = NULL;
  seglog_storage* other = NULL;
  EXPECT_OK(seglog_open(&o, &s, &err));
  EXPECT_OK(append_range(s, 1, 3, 1));
  EXPECT_OK(seglog_sync(s, &err));
  EXPECT_OK(seglog_set_value(s, "term", 4, "7", 1, &err));
  EXPECT(seglog_open(&o, &other, &err), SEGLOG_LOCKED);
  CHECK(other == NULL);

  o.read_only = true;
  seglog_storage* ro = NULL;
  EXPECT_OK(seglog_open(&o, &ro, &err));
  CHECK(seglog_last_index(ro) == 3);
  seglog_entry e;
  EXPECT_OK(seglog_get_entry(ro, 2, &e, &err));
  CHECK(matches_payload(e.data, e.len, 2));
  seglog_entry_clear(&e);
  seglog_entry next = {4, 1, 0, NULL, 0};
  seglog_state st = {1, NULL, 0, 0};
  seglog_cluster_config c = {0, 0, NULL, 0};
  seglog_snapshot_writer* w = NULL;
  EXPECT(seglog_append(ro, &next, 1, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_truncate_after(ro, 1, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_truncate_before(ro, 2, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_save_state(ro, &st, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_save_cluster_config(ro, &c, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_save_snapshot(ro, "x", 1, 1, 1, NULL, 0, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_begin_snapshot(ro, 1, 1, NULL, 0, &w, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_sync(ro, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_restart_log(ro, 10, 1, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_delete_range(ro, 3, 3, &err), SEGLOG_READ_ONLY);
  EXPECT(seglog_set_value(ro, "k", 1, "v", 1, &err), SEGLOG_READ_ONLY);
  void* value = NULL;
  size_t len = 0;
  bool found = false;
  EXPECT_OK(seglog_get_value(ro, "term", 4, &value, &len, &found, &err));
  CHECK(found && len == 1 && memcmp(value, "7", 1) == 0); /* the writer's */
  seglog_free_bytes(value);
  EXPECT_OK(seglog_flush(ro, &err)); /* nothing to do */
  seglog_storage_free(ro);
  seglog_storage_free(s);

  char missing[300];
  o.dir = new_dir(missing, sizeof missing);
  EXPECT(seglog_open(&o, &ro, &err), SEGLOG_NOT_FOUND);
}

/* Flips one byte of entry 5's payload in the segment file. */
static int damage_payload_of(const char* dir, uint64_t index) {
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  struct dirent* ent;
  int damaged = 0;
  fill_payload(index, 100);
  while (!damaged && (ent = readdir(d)) != NULL) {
    size_t n = strlen(ent->d_name);
    if (n < 4 || strcmp(ent->d_name + n - 4, ".seg") != 0) continue;
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    FILE* f = fopen(path, "r+b");
    if (f == NULL) continue;
    static unsigned char file[1 << 20];
    size_t size = fread(file, 1, sizeof file, f);
    for (size_t at = 0; at + 100 <= size; ++at) {
      if (memcmp(file + at, payload, 100) == 0) {
        fseek(f, (long)(at + 50), SEEK_SET);
        fputc(file[at + 50] ^ 0x40, f);
        damaged = 1;
        break;
      }
    }
    fclose(f);
  }
  closedir(d);
  return damaged;
}

static void a_damaged_byte_is_reported_as_corrupted(void) {
  char dir[300];
  seglog_options o;
  small_options(&o, dir, sizeof dir);
  seglog_storage* s = NULL;
  EXPECT_OK(seglog_open(&o, &s, &err));
  EXPECT_OK(append_range(s, 1, 10, 1));
  EXPECT_OK(seglog_close(s, &err)); /* sealed: the damage is in synced data */
  seglog_storage_free(s);
  CHECK(damage_payload_of(dir, 5));

  EXPECT_OK(seglog_open(&o, &s, &err)); /* footers check out; records on read */
  seglog_entry e;
  seglog_view v;
  seglog_entries es;
  EXPECT_OK(seglog_get_entry(s, 4, &e, &err));
  seglog_entry_clear(&e);
  EXPECT(seglog_get_entry(s, 5, &e, &err), SEGLOG_CORRUPTED);
  EXPECT(seglog_read_entry(s, 5, &v, &err), SEGLOG_CORRUPTED);
  EXPECT(seglog_get_entries(s, 1, 11, UINT64_MAX, &es, &err), SEGLOG_CORRUPTED);
  CHECK(es.count == 0);
  seglog_view views[10];
  size_t n = 99;
  EXPECT(seglog_read_entries(s, 1, 11, UINT64_MAX, views, 10, &n, &err), SEGLOG_CORRUPTED);
  CHECK(n == 0); /* the views taken before the damage were released */
  visit_state vs = {0, 0, {0}, 1};
  EXPECT(seglog_visit_entries(s, 1, 11, UINT64_MAX, visit_some, &vs, &err), SEGLOG_CORRUPTED);
  CHECK(vs.seen == 4); /* the entries before it were visited */
  seglog_view_release(&vs.kept);
  seglog_storage_free(s);
}

int main(void) {
  const char* tmp = getenv("TMPDIR");
  snprintf(root, sizeof root, "%s/seglog-c-api-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(root) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  struct {
    const char* name;
    void (*run)(void);
  } plain[] = {
      {"errors name every code and clear safely", errors_name_every_code_and_clear_safely},
      {"options have defaults and are checked", options_have_defaults_and_are_checked},
      {"a second writer is locked out and read-only cannot write",
       a_second_writer_is_locked_out_and_read_only_cannot_write},
      {"a damaged byte is reported as corrupted", a_damaged_byte_is_reported_as_corrupted},
  };
  struct {
    const char* name;
    void (*run)(kind);
  } contract[] = {
      {"append and read back", append_and_read_back},
      {"append refuses bad batches", append_refuses_bad_batches},
      {"reads refuse what is not in the log", reads_refuse_what_is_not_in_the_log},
      {"ranges read by copy, by view and by visit", ranges_read_by_copy_by_view_and_by_visit},
      {"truncations shape the log", truncations_shape_the_log},
      {"delete_range takes a prefix or a suffix", delete_range_takes_a_prefix_or_a_suffix},
      {"restart_log continues at a new index", restart_log_continues_at_a_new_index},
      {"the key-value store keeps bytes", the_key_value_store_keeps_bytes},
      {"state and cluster config round-trip", state_and_cluster_config_round_trip},
      {"snapshots, whole and streamed", snapshots_whole_and_streamed},
      {"stats count and check their struct", stats_count_and_check_their_struct},
      {"every call after close is refused", every_call_after_close_is_refused},
  };
  int cases = 0;
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; ++i, ++cases) {
    const int before = failures;
    plain[i].run();
    printf("%s: %s\n", failures == before ? "ok  " : "FAIL", plain[i].name);
  }
  for (size_t i = 0; i < sizeof contract / sizeof contract[0]; ++i) {
    for (kind k = MEMORY; k <= SEGMENTED; ++k, ++cases) {
      const int before = failures;
      contract[i].run(k);
      printf("%s: %s (%s)\n", failures == before ? "ok  " : "FAIL", contract[i].name, kind_name(k));
    }
  }
  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  printf("c_api_test: %d cases, %d checks, %d failed\n", cases, checks, failures);
  return failures == 0 ? 0 : 1;
}

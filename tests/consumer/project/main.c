/* A C consumer of seglog: only <seglog/seglog.h>, compiled as C11 and
 * linked with `pkg-config --libs seglog` (tests/consumer/run.sh, mode
 * pkgconfig_shared). Appends, syncs, reads back through a view, reopens.
 * Exit status 0 when everything checks out. */
#define _XOPEN_SOURCE 700

#include <seglog/seglog.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed(const char* what, seglog_error* err) {
  fprintf(stderr, "c consumer: %s: %s: %s\n", what, seglog_errc_name(err->code),
          err->message ? err->message : "");
  seglog_error_clear(err);
  return 1;
}

int main(void) {
  char dir[] = "/tmp/seglog-c-consumer-XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char log_dir[64];
  snprintf(log_dir, sizeof log_dir, "%s/log", dir);
  seglog_options options;
  seglog_options_init(&options);
  options.dir = log_dir;
  seglog_error err = SEGLOG_ERROR_INIT;
  seglog_storage* log = NULL;
  if (seglog_open(&options, &log, &err) != SEGLOG_OK) return failed("open", &err);
  const char* text = "hello from C";
  seglog_entry entry = {1, 1, 0, text, strlen(text)};
  if (seglog_append(log, &entry, 1, &err) || seglog_sync(log, &err)) return failed("append", &err);
  seglog_storage_free(log);
  if (seglog_open(&options, &log, &err) != SEGLOG_OK) return failed("reopen", &err);
  seglog_view view;
  if (seglog_read_entry(log, 1, &view, &err) != SEGLOG_OK) return failed("read_entry", &err);
  const int same = view.len == strlen(text) && memcmp(view.data, text, view.len) == 0;
  seglog_view_release(&view);
  seglog_storage_free(log);
  char command[128];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  if (system(command) != 0) return 1;
  if (!same) {
    fprintf(stderr, "c consumer: entry 1 reads back wrong\n");
    return 1;
  }
  printf("c consumer: appended, synced, reopened and read back through seglog.h\n");
  return 0;
}

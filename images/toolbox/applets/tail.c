/* tail: the last lines (-n N, default 10) or bytes (-c N) of each file; -n +N (and +N, -N)
 * start at line N instead. Reads the whole input: there is no seek on pipes. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

static void tail_buffer(const char *buf, size_t len, long long count, bool from_start, bool by_bytes) {
  size_t start = 0;
  if (by_bytes) {
    if (from_start) start = count > 0 ? (size_t)(count - 1) : 0;
    else start = (size_t)count >= len ? 0 : len - (size_t)count;
    if (start > len) start = len;
  } else if (from_start) {
    long long line = 1;
    while (start < len && line < count) {
      if (buf[start++] == '\n') line++;
    }
  } else {
    start = len;
    /* A final line without newline still counts as a line. */
    size_t pos = len;
    if (pos > 0 && buf[pos - 1] == '\n') pos--;
    long long seen = 0;
    while (pos > 0 && seen < count) {
      if (buf[pos - 1] == '\n') {
        seen++;
        if (seen == count) break;
      }
      pos--;
    }
    start = count == 0 ? len : pos;
  }
  fwrite(buf + start, 1, len - start, stdout);
}

int applet_tail(int argc, char **argv) {
  long long count = 10;
  bool from_start = false, by_bytes = false, quiet = false, verbose = false;
  char **args = malloc(sizeof(char *) * (size_t)(argc + 2));
  int nargs = 0;
  args[nargs++] = argv[0];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    /* Old style -N / +N as the first argument. */
    if (i == 1 && (a[0] == '-' || a[0] == '+') && a[1] >= '0' && a[1] <= '9') {
      args[nargs++] = "-n";
      args[nargs++] = argv[i];
      continue;
    }
    args[nargs++] = argv[i];
  }
  args[nargs] = NULL;
  tb_opts o;
  tb_opts_init(&o, nargs, args, false);
  int c;
  while ((c = tb_getopt(&o, "n:c:qvf")) != -1) {
    if (c == 'n' || c == 'c') {
      const char *t = o.arg;
      from_start = t[0] == '+';
      if (t[0] == '+' || t[0] == '-') t++;
      if (!tb_parse_long(t, &count) || count < 0) return 1;
      by_bytes = c == 'c';
    } else if (c == 'q') quiet = true;
    else if (c == 'v') verbose = true;
    else if (c == 'f') {
      tb_warn("-f is not supported (a WASI program cannot wait for a file to grow)");
      return 1;
    } else return tb_usage("[-n [+]LINES | -c [+]BYTES] [FILE]...", 1);
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  int status = 0;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = tb_open_input(files[i]);
    if (f == NULL) {
      tb_perror_msg("cannot open '%s' for reading", files[i]);
      status = 1;
      continue;
    }
    size_t len;
    char *buf = tb_read_all(f, &len);
    tb_close_input(f);
    if (buf == NULL) {
      tb_perror_msg("error reading '%s'", files[i]);
      status = 1;
      continue;
    }
    if ((nfiles > 1 && !quiet) || verbose) {
      printf("%s==> %s <==\n", i > 0 ? "\n" : "", strcmp(files[i], "-") == 0 ? "standard input" : files[i]);
    }
    tail_buffer(buf, len, count, from_start, by_bytes);
    free(buf);
  }
  tb_opts_free(&o);
  free(args);
  return status;
}

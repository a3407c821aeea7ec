/* cut: print selected parts of lines: -f fields (split on -d, default TAB; -s skips lines
 * without it), -c characters or -b bytes. Lists are "1,3-5,7-" and "-3". */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

typedef struct {
  long lo, hi; /* 1-based, inclusive; hi = 0 means to the end */
} range;

static bool parse_list(const char *text, range **out, size_t *n) {
  size_t cap = 8;
  *out = malloc(cap * sizeof(range));
  *n = 0;
  const char *p = text;
  while (*p) {
    range r = {1, 0};
    char *end;
    if (*p == '-') {
      r.lo = 1;
      r.hi = strtol(p + 1, &end, 10);
      if (end == p + 1 || r.hi < 1) return false;
    } else {
      r.lo = strtol(p, &end, 10);
      if (end == p || r.lo < 1) return false;
      if (*end == '-') {
        const char *q = end + 1;
        if (*q == ',' || *q == '\0') {
          r.hi = 0;
          end = (char *)q;
        } else {
          r.hi = strtol(q, &end, 10);
          if (end == q || r.hi < r.lo) return false;
        }
      } else {
        r.hi = r.lo;
      }
    }
    if (*n == cap) *out = realloc(*out, (cap *= 2) * sizeof(range));
    (*out)[(*n)++] = r;
    p = end;
    if (*p == ',') p++;
    else if (*p != '\0') return false;
  }
  return *n > 0;
}

static bool selected(const range *r, size_t n, long i) {
  for (size_t k = 0; k < n; k++) {
    if (i >= r[k].lo && (r[k].hi == 0 || i <= r[k].hi)) return true;
  }
  return false;
}

int applet_cut(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  const char *list = NULL;
  char mode = 0, delim = '\t';
  bool only_delimited = false;
  int c;
  while ((c = tb_getopt(&o, "f:c:b:d:sn")) != -1) {
    if (c == 'f' || c == 'c' || c == 'b') {
      if (mode && mode != c) {
        tb_warn("only one type of list may be specified");
        return 1;
      }
      mode = (char)c;
      list = o.arg;
    } else if (c == 'd') {
      if (strlen(o.arg) > 1) {
        tb_warn("the delimiter must be a single character");
        return 1;
      }
      delim = o.arg[0];
    } else if (c == 's') only_delimited = true;
    else if (c == 'n') {
    } else return tb_usage("-f LIST [-d DELIM] [-s] | -c LIST | -b LIST [FILE]...", 1);
  }
  range *ranges;
  size_t nranges;
  if (mode == 0) {
    tb_warn("you must specify a list of bytes, characters, or fields");
    return tb_usage("-f LIST [-d DELIM] [-s] | -c LIST | -b LIST [FILE]...", 1);
  }
  if (!parse_list(list, &ranges, &nranges)) {
    tb_warn("invalid list '%s'", list);
    return 1;
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  int status = 0;
  char *line = NULL;
  size_t cap = 0;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = tb_open_input(files[i]);
    if (f == NULL) {
      tb_perror(files[i]);
      status = 1;
      continue;
    }
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
      if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
      if (mode != 'f') {
        for (long k = 0; k < len; k++) {
          if (selected(ranges, nranges, k + 1)) putchar(line[k]);
        }
        putchar('\n');
        continue;
      }
      if (strchr(line, delim) == NULL) {
        if (!only_delimited) puts(line);
        continue;
      }
      long field = 1;
      bool first = true;
      char *start = line;
      for (;;) {
        char *end = strchr(start, delim);
        if (end) *end = '\0';
        if (selected(ranges, nranges, field)) {
          if (!first) putchar(delim);
          fputs(start, stdout);
          first = false;
        }
        if (!end) break;
        start = end + 1;
        field++;
      }
      putchar('\n');
    }
    tb_close_input(f);
  }
  free(line);
  free(ranges);
  tb_opts_free(&o);
  return status;
}

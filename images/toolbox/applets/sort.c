/* sort: sort lines of all inputs. -r reverse, -n numeric, -u unique, -f fold case, -t SEP
 * field separator, -k F1[,F2] keys (fields; "n"/"r" suffixes per key), -o FILE output.
 * Equal keys fall back to comparing whole lines, as GNU sort does without -s. */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tb.h"

typedef struct {
  int start, end; /* fields, 1-based; end 0 = end of line */
  bool numeric, reverse, fold;
} sort_key;

typedef struct {
  sort_key keys[16];
  int nkeys;
  char sep; /* 0: blank-separated fields */
  bool numeric, reverse, fold, unique, stable;
} sort_options;

/* qsort has no context argument; sort runs one at a time in a process. */
static sort_options g;

static void field_span(const char *line, int start, int end, const char **from, const char **to) {
  const char *p = line;
  const char *line_end = line + strlen(line);
  for (int f = 1; f < start && p < line_end; f++) {
    if (g.sep) {
      const char *s = strchr(p, g.sep);
      p = s ? s + 1 : line_end;
    } else {
      while (p < line_end && isblank((unsigned char)*p)) p++;
      while (p < line_end && !isblank((unsigned char)*p)) p++;
    }
  }
  if (!g.sep) {
    while (p < line_end && isblank((unsigned char)*p)) p++;
  }
  *from = p;
  if (end == 0) {
    *to = line_end;
    return;
  }
  const char *q = p;
  for (int f = start; f <= end && q < line_end; f++) {
    if (f > start) q++;
    if (g.sep) {
      const char *s = strchr(q, g.sep);
      q = s ? s : line_end;
    } else {
      while (q < line_end && isblank((unsigned char)*q)) q++;
      while (q < line_end && !isblank((unsigned char)*q)) q++;
    }
  }
  *to = q;
}

static int compare_span(const char *a, const char *ae, const char *b, const char *be, bool numeric, bool fold) {
  if (numeric) {
    double x = strtod(a, NULL), y = strtod(b, NULL);
    return x < y ? -1 : x > y;
  }
  size_t la = (size_t)(ae - a), lb = (size_t)(be - b);
  size_t n = la < lb ? la : lb;
  int r = fold ? strncasecmp(a, b, n) : memcmp(a, b, n);
  if (r != 0) return r;
  return la < lb ? -1 : la > lb;
}

static int compare_keys(const char *a, const char *b) {
  if (g.nkeys == 0) {
    int r = compare_span(a, a + strlen(a), b, b + strlen(b), g.numeric, g.fold);
    return g.reverse ? -r : r;
  }
  for (int i = 0; i < g.nkeys; i++) {
    const sort_key *k = &g.keys[i];
    const char *af, *at, *bf, *bt;
    field_span(a, k->start, k->end, &af, &at);
    field_span(b, k->start, k->end, &bf, &bt);
    int r = compare_span(af, at, bf, bt, k->numeric, k->fold);
    if (r != 0) return k->reverse ? -r : r;
  }
  return 0;
}

static int compare_lines(const void *pa, const void *pb) {
  const char *a = *(char *const *)pa, *b = *(char *const *)pb;
  int r = compare_keys(a, b);
  if (r != 0 || g.unique || g.stable) return r;
  r = strcmp(a, b);
  return g.reverse ? -r : r;
}

static bool parse_key(const char *text, sort_key *k) {
  char *end;
  k->start = (int)strtol(text, &end, 10);
  if (k->start < 1) return false;
  if (*end == '.') strtol(end + 1, &end, 10); /* character offsets are not supported: ignored */
  k->end = 0;
  k->numeric = g.numeric;
  k->reverse = g.reverse;
  k->fold = g.fold;
  bool own = false;
  for (;;) {
    if (*end == 'n') k->numeric = own = true, end++;
    else if (*end == 'r') k->reverse = own = true, end++;
    else if (*end == 'f') k->fold = own = true, end++;
    else if (*end == 'b') end++;
    else break;
  }
  if (*end == ',') {
    k->end = (int)strtol(end + 1, &end, 10);
    if (k->end < k->start) return false;
    if (*end == '.') strtol(end + 1, &end, 10);
    for (;;) {
      if (*end == 'n') k->numeric = own = true, end++;
      else if (*end == 'r') k->reverse = own = true, end++;
      else if (*end == 'f') k->fold = own = true, end++;
      else if (*end == 'b') end++;
      else break;
    }
  }
  (void)own;
  return *end == '\0';
}

int applet_sort(int argc, char **argv) {
  memset(&g, 0, sizeof g);
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  const char *keys[16];
  int nkeys = 0;
  const char *output = NULL;
  int c;
  while ((c = tb_getopt(&o, "rnufk:t:o:sbc")) != -1) {
    switch (c) {
      case 'r': g.reverse = true; break;
      case 'n': g.numeric = true; break;
      case 'u': g.unique = true; break;
      case 'f': g.fold = true; break;
      case 's': g.stable = true; break;
      case 'b': case 'c': break;
      case 'o': output = o.arg; break;
      case 't':
        if (strlen(o.arg) != 1) {
          tb_warn("multi-character tab '%s'", o.arg);
          return 2;
        }
        g.sep = o.arg[0];
        break;
      case 'k':
        if (nkeys == 16) {
          tb_warn("too many keys");
          return 2;
        }
        keys[nkeys++] = o.arg;
        break;
      default: return tb_usage("[-rnuf] [-t SEP] [-k F1[,F2]] [-o FILE] [FILE]...", 2);
    }
  }
  /* Global -n/-r/-f apply to keys without their own flags, so keys parse after all options. */
  for (int i = 0; i < nkeys; i++) {
    if (!parse_key(keys[i], &g.keys[g.nkeys++])) {
      tb_warn("invalid key '%s'", keys[i]);
      return 2;
    }
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  size_t cap = 1024, n = 0;
  char **lines = malloc(cap * sizeof(char *));
  for (int i = 0; i < nfiles; i++) {
    FILE *f = tb_open_input(files[i]);
    if (f == NULL) {
      tb_perror_msg("cannot read: %s", files[i]);
      return 2;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
      if (len > 0 && line[len - 1] == '\n') line[len - 1] = '\0';
      if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof(char *));
      lines[n++] = strdup(line);
    }
    free(line);
    tb_close_input(f);
  }
  qsort(lines, n, sizeof(char *), compare_lines);
  FILE *out = stdout;
  if (output != NULL && (out = fopen(output, "w")) == NULL) {
    tb_perror_msg("open failed: %s", output);
    return 2;
  }
  for (size_t i = 0; i < n; i++) {
    if (g.unique && i > 0 && compare_keys(lines[i - 1], lines[i]) == 0) continue;
    fputs(lines[i], out);
    fputc('\n', out);
  }
  if (out != stdout) fclose(out);
  for (size_t i = 0; i < n; i++) free(lines[i]);
  free(lines);
  tb_opts_free(&o);
  return 0;
}

/* grep: print lines matching patterns (POSIX basic regex; -E extended, -F fixed strings).
 * -v -i -n -c -q -s -l -L -h -H -o -w -x, -e PATTERN (repeatable), -f FILE, -r/-R recursive.
 * Status: 0 a line was selected, 1 none, 2 an error (unless -q found a match). */

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tb.h"

typedef struct {
  bool invert, icase, number, count, quiet, silent, files_with, files_without, no_name, with_name;
  bool only, word, line, fixed, recursive;
  int cflags;
  char **patterns;
  size_t npatterns;
  regex_t *regs;
} grep_options;

typedef struct {
  size_t so, eo;
} span;

static bool word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static bool fixed_find(const grep_options *g, const char *pat, const char *line, size_t from, span *m) {
  size_t pl = strlen(pat), ll = strlen(line);
  for (size_t i = from; i + pl <= ll; i++) {
    if ((g->icase ? strncasecmp(line + i, pat, pl) : strncmp(line + i, pat, pl)) == 0) {
      m->so = i;
      m->eo = i + pl;
      return true;
    }
  }
  return false;
}

static bool find_one(const grep_options *g, size_t k, const char *line, size_t from, span *m) {
  if (g->fixed) return fixed_find(g, g->patterns[k], line, from, m);
  regmatch_t rm[1];
  if (regexec(&g->regs[k], line + from, 1, rm, from > 0 ? REG_NOTBOL : 0) != 0) return false;
  m->so = from + (size_t)rm[0].rm_so;
  m->eo = from + (size_t)rm[0].rm_eo;
  return true;
}

/* Finds the leftmost acceptable match at or after `from` (honouring -w and -x). */
static bool find_match(const grep_options *g, const char *line, size_t from, span *best) {
  size_t len = strlen(line);
  bool found = false;
  for (size_t k = 0; k < g->npatterns; k++) {
    size_t start = from;
    span m;
    while (start <= len && find_one(g, k, line, start, &m)) {
      bool ok = true;
      if (g->line) ok = m.so == 0 && m.eo == len;
      else if (g->word) ok = (m.so == 0 || !word_char(line[m.so - 1])) && (m.eo == len || !word_char(line[m.eo]));
      if (ok) {
        if (!found || m.so < best->so || (m.so == best->so && m.eo > best->eo)) *best = m;
        found = true;
        break;
      }
      if (g->line) break;
      start = m.so + 1;
    }
  }
  return found;
}

static void print_prefix(const grep_options *g, const char *name, unsigned long lineno) {
  if (g->with_name) printf("%s:", name);
  if (g->number) printf("%lu:", lineno);
}

/* Returns 0 if something matched, 1 if not, 2 on error. */
static int grep_stream(const grep_options *g, FILE *f, const char *name, bool *stop) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  unsigned long lineno = 0, count = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    span m = {0, 0};
    bool hit = find_match(g, line, 0, &m) != g->invert;
    if (!hit) continue;
    count++;
    if (g->quiet) {
      *stop = true;
      break;
    }
    if (g->files_with || g->files_without) break;
    if (g->count) continue;
    if (g->only && !g->invert) {
      size_t from = 0;
      while (from <= (size_t)len && find_match(g, line, from, &m)) {
        if (m.eo > m.so) {
          print_prefix(g, name, lineno);
          printf("%.*s\n", (int)(m.eo - m.so), line + m.so);
          from = m.eo;
        } else {
          from = m.so + 1;
        }
      }
      continue;
    }
    print_prefix(g, name, lineno);
    puts(line);
  }
  free(line);
  if (ferror(f)) {
    if (!g->silent) tb_perror(name);
    return 2;
  }
  if (g->count) {
    if (g->with_name) printf("%s:", name);
    printf("%lu\n", count);
  }
  if (g->files_with && count > 0) puts(name);
  if (g->files_without && count == 0) puts(name);
  return count > 0 ? 0 : 1;
}

static int grep_path(const grep_options *g, const char *path, bool top, bool *stop) {
  struct stat st;
  memset(&st, 0, sizeof st);
  if (strcmp(path, "-") != 0 && (top ? stat(path, &st) : lstat(path, &st)) == 0 && S_ISDIR(st.st_mode)) {
    if (!g->recursive) {
      if (!g->silent) tb_warn("%s: Is a directory", path);
      return 2;
    }
    size_t n;
    char **names = tb_list_dir(path, &n);
    if (names == NULL) {
      if (!g->silent) tb_perror(path);
      return 2;
    }
    int status = 1;
    for (size_t i = 0; i < n && !*stop; i++) {
      char *child = tb_join(path, names[i]);
      int s = grep_path(g, child, false, stop);
      if (s == 0 && status == 1) status = 0;
      if (s == 2) status = 2;
      free(child);
    }
    tb_free_list(names, n);
    return status;
  }
  if (!top && S_ISLNK(st.st_mode)) return 1;
  FILE *f = tb_open_input(path);
  if (f == NULL) {
    if (!g->silent) tb_perror(path);
    return 2;
  }
  int s = grep_stream(g, f, strcmp(path, "-") == 0 ? "(standard input)" : path, stop);
  tb_close_input(f);
  return s;
}

static void add_patterns(grep_options *g, const char *text) {
  /* A pattern with newlines is several patterns. */
  const char *p = text;
  for (;;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    g->patterns = realloc(g->patterns, (g->npatterns + 1) * sizeof(char *));
    g->patterns[g->npatterns++] = strndup(p, len);
    if (!nl) break;
    p = nl + 1;
  }
}

int applet_grep(int argc, char **argv) {
  grep_options g;
  memset(&g, 0, sizeof g);
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool extended = false, have_e = false;
  int c;
  while ((c = tb_getopt(&o, "vinclLqshHowxFEGrRe:f:I")) != -1) {
    switch (c) {
      case 'v': g.invert = true; break;
      case 'i': g.icase = true; break;
      case 'n': g.number = true; break;
      case 'c': g.count = true; break;
      case 'l': g.files_with = true; break;
      case 'L': g.files_without = true; break;
      case 'q': g.quiet = true; break;
      case 's': g.silent = true; break;
      case 'h': g.no_name = true; break;
      case 'H': g.with_name = true; break;
      case 'o': g.only = true; break;
      case 'w': g.word = true; break;
      case 'x': g.line = true; break;
      case 'F': g.fixed = true; break;
      case 'E': extended = true; break;
      case 'G': extended = false; break;
      case 'r': case 'R': g.recursive = true; break;
      case 'I': break;
      case 'e': add_patterns(&g, o.arg), have_e = true; break;
      case 'f': {
        FILE *f = tb_open_input(o.arg);
        size_t len;
        char *text = f ? tb_read_all(f, &len) : NULL;
        if (text == NULL) {
          tb_perror(o.arg);
          return 2;
        }
        tb_close_input(f);
        if (len > 0 && text[len - 1] == '\n') text[len - 1] = '\0';
        if (len > 0) add_patterns(&g, text);
        free(text);
        have_e = true;
        break;
      }
      default: return tb_usage("[-vincqlLshHowxFEr] [-e PATTERN]... [-f FILE] PATTERN [FILE]...", 2);
    }
  }
  int first_file = 0;
  if (!have_e) {
    if (o.noperands == 0) return tb_usage("[-vincqlLshHowxFEr] [-e PATTERN]... [-f FILE] PATTERN [FILE]...", 2);
    add_patterns(&g, o.operands[0]);
    first_file = 1;
  }
  g.cflags = (extended ? REG_EXTENDED : 0) | (g.icase ? REG_ICASE : 0);
  if (!g.fixed) {
    g.regs = calloc(g.npatterns, sizeof(regex_t));
    for (size_t k = 0; k < g.npatterns; k++) {
      int r = regcomp(&g.regs[k], g.patterns[k], g.cflags);
      if (r != 0) {
        char msg[256];
        regerror(r, &g.regs[k], msg, sizeof msg);
        tb_warn("invalid regular expression '%s': %s", g.patterns[k], msg);
        return 2;
      }
    }
  }
  static char *dash[] = {"-"}, *dot[] = {"."};
  int nfiles = o.noperands - first_file;
  char **files = o.operands + first_file;
  if (nfiles == 0) {
    files = g.recursive ? dot : dash;
    nfiles = 1;
  }
  if (!g.with_name) g.with_name = (nfiles > 1 || g.recursive) && !g.no_name;
  if (g.no_name) g.with_name = false;
  int status = 1;
  bool stop = false, error = false;
  for (int i = 0; i < nfiles && !stop; i++) {
    int s = grep_path(&g, files[i], true, &stop);
    if (s == 0) status = 0;
    if (s == 2) error = true;
  }
  if (error && !(g.quiet && status == 0)) status = 2;
  if (!g.fixed) {
    for (size_t k = 0; k < g.npatterns; k++) regfree(&g.regs[k]);
    free(g.regs);
  }
  for (size_t k = 0; k < g.npatterns; k++) free(g.patterns[k]);
  free(g.patterns);
  tb_opts_free(&o);
  return status;
}

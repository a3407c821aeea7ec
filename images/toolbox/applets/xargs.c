/* xargs: build argument lists from stdin and run a command with them. WASI has no exec, so the
 * command must be a toolbox applet, run in this process. -n MAX per command, -I REPL one line
 * per command with REPL replaced, -0 / -d DELIM input separators, -r skip an empty input, -t trace.
 * Status 123 if a command failed, 127 if the command is not an applet. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

typedef struct {
  char **v;
  int n, cap;
} list;

static void push(list *l, char *s) {
  if (l->n == l->cap) l->v = realloc(l->v, sizeof(char *) * (size_t)(l->cap = l->cap ? l->cap * 2 : 64));
  l->v[l->n++] = s;
}

/* Splits the input the POSIX way: blanks and newlines separate, quotes and backslash group. */
static bool split_words(const char *in, size_t len, list *out) {
  size_t i = 0;
  while (i < len) {
    while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n')) i++;
    if (i >= len) break;
    char *w = malloc(len - i + 1);
    size_t n = 0;
    while (i < len && in[i] != ' ' && in[i] != '\t' && in[i] != '\n') {
      char q = in[i];
      if (q == '\'' || q == '"') {
        i++;
        while (i < len && in[i] != q) w[n++] = in[i++];
        if (i >= len) {
          tb_warn("unmatched %s quote", q == '"' ? "double" : "single");
          free(w);
          return false;
        }
        i++;
      } else if (q == '\\' && i + 1 < len) {
        w[n++] = in[i + 1];
        i += 2;
      } else {
        w[n++] = in[i++];
      }
    }
    w[n] = '\0';
    push(out, w);
  }
  return true;
}

static void split_on(const char *in, size_t len, char delim, list *out) {
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || in[i] == delim) {
      if (i > start || (i < len && delim != '\n' && delim != '\0')) push(out, strndup(in + start, i - start));
      start = i + 1;
    }
  }
}

static char *replace_all(const char *word, const char *repl, const char *with) {
  size_t rl = strlen(repl), wl = strlen(with), count = 0;
  for (const char *p = strstr(word, repl); p && rl; p = strstr(p + rl, repl)) count++;
  char *out = malloc(strlen(word) + count * wl + 1);
  char *o = out;
  for (const char *p = word; *p;) {
    if (rl && strncmp(p, repl, rl) == 0) {
      memcpy(o, with, wl);
      o += wl;
      p += rl;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

int applet_xargs(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  long long max_args = 0;
  const char *repl = NULL;
  int delim = -1;
  bool no_empty = false, trace = false;
  int c;
  while ((c = tb_getopt(&o, "n:I:i0d:rtL:")) != -1) {
    switch (c) {
      case 'n': case 'L':
        if (!tb_parse_long(o.arg, &max_args) || max_args < 1) return 1;
        break;
      case 'I': repl = o.arg; break;
      case 'i': repl = "{}"; break;
      case '0': delim = '\0'; break;
      case 'd':
        if (strlen(o.arg) == 2 && o.arg[0] == '\\' && o.arg[1] == 'n') delim = '\n';
        else if (strlen(o.arg) == 1) delim = (unsigned char)o.arg[0];
        else {
          tb_warn("invalid delimiter '%s'", o.arg);
          return 1;
        }
        break;
      case 'r': no_empty = true; break;
      case 't': trace = true; break;
      default: return tb_usage("[-0rt] [-n MAX] [-I REPL] [-d DELIM] [APPLET [ARG]...]", 1);
    }
  }
  static char *echo_cmd[] = {"echo"};
  char **cmd = o.noperands ? o.operands : echo_cmd;
  int ncmd = o.noperands ? o.noperands : 1;
  const tb_applet *applet = tb_find_applet(cmd[0]);
  if (applet == NULL) {
    tb_warn("%s: cannot run it: WASI programs cannot start other programs, so xargs runs only toolbox applets "
            "(see 'toolbox --list')",
            cmd[0]);
    return 127;
  }
  size_t len;
  char *input = tb_read_all(stdin, &len);
  if (input == NULL) {
    tb_perror("standard input");
    return 1;
  }
  list items = {0};
  if (repl != NULL) {
    /* -I: each line is one item, leading blanks removed. */
    list lines = {0};
    split_on(input, len, delim >= 0 ? (char)delim : '\n', &lines);
    for (int i = 0; i < lines.n; i++) {
      char *s = lines.v[i];
      if (delim < 0) {
        while (*s == ' ' || *s == '\t') s++;
      }
      if (*s) push(&items, strdup(s));
      free(lines.v[i]);
    }
    free(lines.v);
    max_args = 1;
  } else if (delim >= 0) {
    split_on(input, len, (char)delim, &items);
  } else if (!split_words(input, len, &items)) {
    free(input);
    return 1;
  }
  free(input);
  int status = 0;
  int per = max_args > 0 ? (int)max_args : items.n;
  if (per == 0) per = 1;
  for (int start = 0; start < items.n || (start == 0 && !no_empty && repl == NULL); start += per) {
    list args = {0}, owned = {0};
    int end = start + per < items.n ? start + per : items.n;
    for (int i = 0; i < ncmd; i++) {
      if (repl != NULL && i > 0) {
        char *w = replace_all(cmd[i], repl, items.v[start]);
        push(&args, w);
        push(&owned, w);
      } else {
        push(&args, cmd[i]);
      }
    }
    if (repl == NULL) {
      for (int i = start; i < end; i++) push(&args, items.v[i]);
    }
    push(&args, NULL);
    args.n--;
    if (trace) {
      for (int i = 0; i < args.n; i++) fprintf(stderr, "%s%s", i ? " " : "", args.v[i]);
      fputc('\n', stderr);
    }
    int s = tb_run_applet(applet, args.n, args.v);
    if (s == 255) status = 124;
    else if (s != 0 && status == 0) status = 123;
    for (int i = 0; i < owned.n; i++) free(owned.v[i]);
    free(owned.v);
    free(args.v);
    if (status == 124) break;
    if (items.n == 0) break;
  }
  for (int i = 0; i < items.n; i++) free(items.v[i]);
  free(items.v);
  tb_opts_free(&o);
  return status;
}

/* find: walk directory trees and evaluate an expression per file. Tests: -name -iname -path
 * -type [fdlpsbc] -empty -size [+-]N[ckMG] -newer F; actions -print -print0 -delete -prune
 * -exec CMD {} ; and {} + (toolbox applets only: WASI cannot exec); operators ! -not -a -and
 * -o -or ( ); options -maxdepth -mindepth -depth. */

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tb.h"

enum kind { K_AND, K_OR, K_NOT, K_TRUE, K_NAME, K_INAME, K_PATH, K_TYPE, K_EMPTY, K_SIZE, K_NEWER,
            K_PRINT, K_PRINT0, K_DELETE, K_PRUNE, K_EXEC };

typedef struct node {
  enum kind kind;
  struct node *l, *r;
  const char *arg;
  char type;
  long long n;
  int cmp; /* -1 less, 0 equal, 1 greater */
  long long unit;
  struct timespec time;
  /* -exec */
  const tb_applet *applet;
  char **cmd;
  int ncmd;
  bool batch;
  char **pending;
  int npending, cap_pending;
} node;

typedef struct {
  char **tok;
  int ntok, pos;
  int maxdepth, mindepth;
  bool depth_first, has_action, error, pruned;
  int status;
} find_state;

static node *new_node(enum kind k) {
  node *n = calloc(1, sizeof(node));
  n->kind = k;
  return n;
}

static node *parse_or(find_state *s);

static const char *need_arg(find_state *s, const char *opt) {
  if (s->pos >= s->ntok) {
    tb_warn("missing argument to '%s'", opt);
    s->error = true;
    return NULL;
  }
  return s->tok[s->pos++];
}

static node *parse_primary(find_state *s) {
  if (s->pos >= s->ntok) {
    tb_warn("expected an expression");
    s->error = true;
    return NULL;
  }
  const char *t = s->tok[s->pos++];
  if (strcmp(t, "(") == 0) {
    node *e = parse_or(s);
    if (s->pos >= s->ntok || strcmp(s->tok[s->pos], ")") != 0) {
      tb_warn("missing ')'");
      s->error = true;
      return NULL;
    }
    s->pos++;
    return e;
  }
  if (strcmp(t, "!") == 0 || strcmp(t, "-not") == 0) {
    node *n = new_node(K_NOT);
    n->l = parse_primary(s);
    return n->l ? n : NULL;
  }
  node *n = NULL;
  const char *a;
  if (strcmp(t, "-name") == 0 || strcmp(t, "-iname") == 0 || strcmp(t, "-path") == 0 || strcmp(t, "-wholename") == 0) {
    if ((a = need_arg(s, t)) == NULL) return NULL;
    n = new_node(t[1] == 'n' ? K_NAME : t[1] == 'i' ? K_INAME : K_PATH);
    n->arg = a;
  } else if (strcmp(t, "-type") == 0) {
    if ((a = need_arg(s, t)) == NULL) return NULL;
    if (strlen(a) != 1 || !strchr("fdlpsbc", a[0])) {
      tb_warn("unknown argument to -type: %s", a);
      s->error = true;
      return NULL;
    }
    n = new_node(K_TYPE);
    n->type = a[0];
  } else if (strcmp(t, "-maxdepth") == 0 || strcmp(t, "-mindepth") == 0) {
    long long v;
    if ((a = need_arg(s, t)) == NULL || !tb_parse_long(a, &v) || v < 0) {
      s->error = true;
      return NULL;
    }
    if (t[2] == 'a') s->maxdepth = (int)v;
    else s->mindepth = (int)v;
    n = new_node(K_TRUE);
  } else if (strcmp(t, "-depth") == 0) {
    s->depth_first = true;
    n = new_node(K_TRUE);
  } else if (strcmp(t, "-empty") == 0) {
    n = new_node(K_EMPTY);
  } else if (strcmp(t, "-true") == 0) {
    n = new_node(K_TRUE);
  } else if (strcmp(t, "-false") == 0) {
    n = new_node(K_NOT);
    n->l = new_node(K_TRUE);
  } else if (strcmp(t, "-size") == 0) {
    if ((a = need_arg(s, t)) == NULL) return NULL;
    n = new_node(K_SIZE);
    const char *p = a;
    n->cmp = *p == '+' ? 1 : *p == '-' ? -1 : 0;
    if (*p == '+' || *p == '-') p++;
    char *end;
    n->n = strtoll(p, &end, 10);
    n->unit = 512;
    if (*end == 'c') n->unit = 1, end++;
    else if (*end == 'k') n->unit = 1024, end++;
    else if (*end == 'M') n->unit = 1024 * 1024, end++;
    else if (*end == 'G') n->unit = 1024LL * 1024 * 1024, end++;
    else if (*end == 'b') end++;
    if (end == p || *end != '\0') {
      tb_warn("invalid -size '%s'", a);
      s->error = true;
      return NULL;
    }
  } else if (strcmp(t, "-newer") == 0) {
    if ((a = need_arg(s, t)) == NULL) return NULL;
    struct stat st;
    if (stat(a, &st) != 0) {
      tb_perror(a);
      s->error = true;
      return NULL;
    }
    n = new_node(K_NEWER);
    n->time = st.st_mtim;
  } else if (strcmp(t, "-print") == 0) {
    n = new_node(K_PRINT);
    s->has_action = true;
  } else if (strcmp(t, "-print0") == 0) {
    n = new_node(K_PRINT0);
    s->has_action = true;
  } else if (strcmp(t, "-delete") == 0) {
    n = new_node(K_DELETE);
    s->has_action = true;
    s->depth_first = true;
  } else if (strcmp(t, "-prune") == 0) {
    n = new_node(K_PRUNE);
  } else if (strcmp(t, "-exec") == 0) {
    n = new_node(K_EXEC);
    s->has_action = true;
    int start = s->pos;
    while (s->pos < s->ntok && strcmp(s->tok[s->pos], ";") != 0 &&
           !(strcmp(s->tok[s->pos], "+") == 0 && s->pos > start && strcmp(s->tok[s->pos - 1], "{}") == 0)) {
      s->pos++;
    }
    if (s->pos >= s->ntok || s->pos == start) {
      tb_warn("missing argument to '-exec'");
      s->error = true;
      return NULL;
    }
    n->batch = s->tok[s->pos][0] == '+';
    n->cmd = s->tok + start;
    n->ncmd = s->pos - start;
    if (n->batch) n->ncmd--; /* the final {} is where the batch goes */
    s->pos++;
    n->applet = tb_find_applet(n->cmd[0]);
    if (n->applet == NULL) {
      tb_warn("-exec %s: WASI programs cannot start other programs; find -exec runs toolbox applets only", n->cmd[0]);
      s->error = true;
      return NULL;
    }
  } else {
    tb_warn("unknown predicate '%s'", t);
    s->error = true;
    return NULL;
  }
  return n;
}

static bool at_operator(find_state *s, const char *a, const char *b) {
  return s->pos < s->ntok && (strcmp(s->tok[s->pos], a) == 0 || strcmp(s->tok[s->pos], b) == 0);
}

static node *parse_and(find_state *s) {
  node *l = parse_primary(s);
  while (l && s->pos < s->ntok && !at_operator(s, "-o", "-or") && strcmp(s->tok[s->pos], ")") != 0) {
    if (at_operator(s, "-a", "-and")) s->pos++;
    node *n = new_node(K_AND);
    n->l = l;
    n->r = parse_primary(s);
    if (n->r == NULL) return NULL;
    l = n;
  }
  return l;
}

static node *parse_or(find_state *s) {
  node *l = parse_and(s);
  while (l && at_operator(s, "-o", "-or")) {
    s->pos++;
    node *n = new_node(K_OR);
    n->l = l;
    n->r = parse_and(s);
    if (n->r == NULL) return NULL;
    l = n;
  }
  return l;
}

static char *name_of(const char *path) { return tb_basename(path); }

static bool type_matches(char t, mode_t m) {
  switch (t) {
    case 'f': return S_ISREG(m);
    case 'd': return S_ISDIR(m);
    case 'l': return S_ISLNK(m);
    case 'p': return S_ISFIFO(m);
    case 's': return S_ISSOCK(m);
    case 'b': return S_ISBLK(m);
    case 'c': return S_ISCHR(m);
  }
  return false;
}

static int run_exec(node *n, char **files, int nfiles) {
  int argc = 0;
  char **argv = malloc(sizeof(char *) * (size_t)(n->ncmd + nfiles + 1));
  char **owned = malloc(sizeof(char *) * (size_t)(n->ncmd + 1));
  int nowned = 0;
  for (int i = 0; i < n->ncmd; i++) {
    const char *t = n->cmd[i];
    const char *brace = n->batch ? NULL : strstr(t, "{}");
    if (brace == NULL) {
      argv[argc++] = (char *)t;
      continue;
    }
    /* Replace every {} in the word with the file name. */
    size_t fl = strlen(files[0]);
    char *w = malloc(strlen(t) * (fl + 1) + 1);
    char *o = w;
    for (const char *p = t; *p;) {
      if (p[0] == '{' && p[1] == '}') {
        memcpy(o, files[0], fl);
        o += fl;
        p += 2;
      } else {
        *o++ = *p++;
      }
    }
    *o = '\0';
    argv[argc++] = owned[nowned++] = w;
  }
  if (n->batch) {
    for (int i = 0; i < nfiles; i++) argv[argc++] = files[i];
  }
  argv[argc] = NULL;
  const char *saved = tb_name;
  int status = tb_run_applet(n->applet, argc, argv);
  tb_name = saved;
  for (int i = 0; i < nowned; i++) free(owned[i]);
  free(owned);
  free(argv);
  return status;
}

static bool eval(find_state *s, node *n, const char *path, const struct stat *st) {
  switch (n->kind) {
    case K_AND: return eval(s, n->l, path, st) && eval(s, n->r, path, st);
    case K_OR: return eval(s, n->l, path, st) || eval(s, n->r, path, st);
    case K_NOT: return !eval(s, n->l, path, st);
    case K_TRUE: return true;
    case K_NAME: case K_INAME: {
      char *name = name_of(path);
      bool r = fnmatch(n->arg, name, n->kind == K_INAME ? FNM_CASEFOLD : 0) == 0;
      free(name);
      return r;
    }
    case K_PATH: return fnmatch(n->arg, path, 0) == 0;
    case K_TYPE: return type_matches(n->type, st->st_mode);
    case K_EMPTY: {
      if (S_ISREG(st->st_mode)) return st->st_size == 0;
      if (!S_ISDIR(st->st_mode)) return false;
      size_t count;
      char **names = tb_list_dir(path, &count);
      if (names == NULL) return false;
      tb_free_list(names, count);
      return count == 0;
    }
    case K_SIZE: {
      long long units = (st->st_size + n->unit - 1) / n->unit;
      return n->cmp > 0 ? units > n->n : n->cmp < 0 ? units < n->n : units == n->n;
    }
    case K_NEWER:
      return st->st_mtim.tv_sec > n->time.tv_sec ||
             (st->st_mtim.tv_sec == n->time.tv_sec && st->st_mtim.tv_nsec > n->time.tv_nsec);
    case K_PRINT: printf("%s\n", path); return true;
    case K_PRINT0: fputs(path, stdout), putchar('\0'); return true;
    case K_PRUNE: s->pruned = true; return true;
    case K_DELETE:
      if (strcmp(path, ".") == 0) return true;
      if ((S_ISDIR(st->st_mode) ? rmdir(path) : unlink(path)) != 0) {
        tb_perror_msg("cannot delete '%s'", path);
        s->status = 1;
        return false;
      }
      return true;
    case K_EXEC: {
      if (!n->batch) return run_exec(n, (char **)&path, 1) == 0;
      if (n->npending == n->cap_pending) {
        n->cap_pending = n->cap_pending ? n->cap_pending * 2 : 64;
        n->pending = realloc(n->pending, sizeof(char *) * (size_t)n->cap_pending);
      }
      n->pending[n->npending++] = strdup(path);
      return true;
    }
  }
  return false;
}

static void flush_batches(find_state *s, node *n) {
  if (n == NULL) return;
  flush_batches(s, n->l);
  flush_batches(s, n->r);
  if (n->kind == K_EXEC && n->batch && n->npending > 0) {
    if (run_exec(n, n->pending, n->npending) != 0) s->status = 1;
    for (int i = 0; i < n->npending; i++) free(n->pending[i]);
    n->npending = 0;
  }
}

static void walk(find_state *s, node *expr, const char *path, int depth, bool follow) {
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
    tb_perror(path);
    s->status = 1;
    return;
  }
  s->pruned = false;
  bool in_range = depth >= s->mindepth;
  if (in_range && !s->depth_first) eval(s, expr, path, &st);
  bool descend = S_ISDIR(st.st_mode) && depth < s->maxdepth && !(s->pruned && !s->depth_first);
  if (descend) {
    size_t n;
    char **names = tb_list_dir(path, &n);
    if (names == NULL) {
      tb_perror(path);
      s->status = 1;
    } else {
      for (size_t i = 0; i < n; i++) {
        char *child = tb_join(path, names[i]);
        walk(s, expr, child, depth + 1, false);
        free(child);
      }
      tb_free_list(names, n);
    }
  }
  if (in_range && s->depth_first) eval(s, expr, path, &st);
}

int applet_find(int argc, char **argv) {
  find_state s;
  memset(&s, 0, sizeof s);
  s.maxdepth = 1 << 30;
  bool follow = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && (strcmp(argv[i], "-H") == 0 || strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "-P") == 0); i++) {
    follow = argv[i][1] != 'P';
  }
  int first_path = i;
  while (i < argc && argv[i][0] != '-' && strcmp(argv[i], "(") != 0 && strcmp(argv[i], "!") != 0) i++;
  char **paths = argv + first_path;
  int npaths = i - first_path;
  static char *dot[] = {"."};
  if (npaths == 0) {
    paths = dot;
    npaths = 1;
  }
  s.tok = argv + i;
  s.ntok = argc - i;
  node *expr = s.ntok > 0 ? parse_or(&s) : new_node(K_TRUE);
  if (expr != NULL && s.pos < s.ntok) {
    tb_warn("unexpected '%s'", s.tok[s.pos]);
    s.error = true;
  }
  if (s.error || expr == NULL) return 1;
  if (!s.has_action) {
    node *all = new_node(K_AND);
    all->l = expr;
    all->r = new_node(K_PRINT);
    expr = all;
  }
  for (int k = 0; k < npaths; k++) walk(&s, expr, paths[k], 0, follow);
  flush_batches(&s, expr);
  fflush(stdout);
  return s.status;
}

/* du: disk usage of files and trees, in KiB (-k) or human units (-h); -s totals only, -a every
 * file, -c a grand total, -d N depth, -b apparent bytes. WASI reports no block counts, so usage
 * is each file's size rounded up to 1 KiB; directories themselves count 0; hard links once. */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tb.h"

typedef struct {
  bool summarize, all, human, bytes, total;
  long long max_depth;
  struct {
    dev_t dev;
    ino_t ino;
  } *seen;
  size_t nseen, capseen;
  int status;
} du_state;

static void print_size(const du_state *s, unsigned long long bytes, const char *path) {
  if (s->human) {
    char h[16];
    tb_human_size(bytes, h);
    printf("%s\t%s\n", h, path);
  } else if (s->bytes) {
    printf("%llu\t%s\n", bytes, path);
  } else {
    printf("%llu\t%s\n", (bytes + 1023) / 1024, path);
  }
}

static bool seen_before(du_state *s, const struct stat *st) {
  if (st->st_nlink < 2 || S_ISDIR(st->st_mode)) return false;
  for (size_t i = 0; i < s->nseen; i++) {
    if (s->seen[i].dev == st->st_dev && s->seen[i].ino == st->st_ino) return true;
  }
  if (s->nseen == s->capseen) {
    s->capseen = s->capseen ? s->capseen * 2 : 64;
    s->seen = realloc(s->seen, s->capseen * sizeof(*s->seen));
  }
  s->seen[s->nseen].dev = st->st_dev;
  s->seen[s->nseen].ino = st->st_ino;
  s->nseen++;
  return false;
}

/* Returns the usage of path in bytes as counted (per-file rounding to 1 KiB unless -b). */
static unsigned long long du_path(du_state *s, const char *path, long long depth) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    tb_perror_msg("cannot access '%s'", path);
    s->status = 1;
    return 0;
  }
  if (seen_before(s, &st)) return 0;
  unsigned long long size = 0;
  if (!S_ISDIR(st.st_mode)) {
    size = s->bytes ? (unsigned long long)st.st_size : ((unsigned long long)st.st_size + 1023) / 1024 * 1024;
    if ((depth == 0 || s->all) && !s->summarize && depth <= s->max_depth) print_size(s, size, path);
    if (depth == 0 && s->summarize) print_size(s, size, path);
    return size;
  }
  size_t n;
  char **names = tb_list_dir(path, &n);
  if (names == NULL) {
    tb_perror_msg("cannot read directory '%s'", path);
    s->status = 1;
  } else {
    for (size_t i = 0; i < n; i++) {
      char *child = tb_join(path, names[i]);
      size += du_path(s, child, depth + 1);
      free(child);
    }
    tb_free_list(names, n);
  }
  if ((!s->summarize && depth <= s->max_depth) || depth == 0) print_size(s, size, path);
  return size;
}

int applet_du(int argc, char **argv) {
  du_state s;
  memset(&s, 0, sizeof s);
  s.max_depth = 1LL << 40;
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  int c;
  while ((c = tb_getopt(&o, "shakcbd:xL")) != -1) {
    switch (c) {
      case 's': s.summarize = true; break;
      case 'h': s.human = true; break;
      case 'a': s.all = true; break;
      case 'k': s.human = false; break;
      case 'c': s.total = true; break;
      case 'b': s.bytes = true; break;
      case 'd':
        if (!tb_parse_long(o.arg, &s.max_depth) || s.max_depth < 0) return 1;
        break;
      case 'x': case 'L': break;
      default: return tb_usage("[-sahkcb] [-d N] [FILE]...", 1);
    }
  }
  static char *dot[] = {"."};
  char **paths = o.noperands ? o.operands : dot;
  int npaths = o.noperands ? o.noperands : 1;
  unsigned long long total = 0;
  for (int i = 0; i < npaths; i++) total += du_path(&s, paths[i], 0);
  if (s.total) print_size(&s, total, "total");
  free(s.seen);
  tb_opts_free(&o);
  return s.status;
}

/* ls: list directory contents. -l long format (mode, links, uid, gid, size, date, name -> target),
 * -a all, -A almost all, -1 one per line, -R recursive, -d directories themselves, -F type marks.
 * Owners print as numbers (a sandbox has no user database); modes default as in tb_mode. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tb.h"

typedef struct {
  bool all, almost_all, long_format, one, recursive, dirs_only, classify;
} ls_options;

typedef struct {
  char *name; /* as printed */
  char *path; /* to stat */
  struct stat st;
  bool stat_ok;
} entry;

static int compare_entries(const void *a, const void *b) {
  return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static int digits(unsigned long long v) {
  int n = 1;
  while (v >= 10) v /= 10, n++;
  return n;
}

static char type_mark(mode_t m) {
  if (S_ISDIR(m)) return '/';
  if (S_ISLNK(m)) return '@';
  if (S_ISFIFO(m)) return '|';
  if (S_ISSOCK(m)) return '=';
  if (S_ISREG(m) && (m & 0111)) return '*';
  return 0;
}

static void print_entries(entry *v, size_t n, const ls_options *opt) {
  if (opt->long_format) {
    int wl = 1, wu = 1, wg = 1, ws = 1;
    for (size_t i = 0; i < n; i++) {
      if (!v[i].stat_ok) continue;
      if (digits(v[i].st.st_nlink) > wl) wl = digits(v[i].st.st_nlink);
      if (digits(v[i].st.st_uid) > wu) wu = digits(v[i].st.st_uid);
      if (digits(v[i].st.st_gid) > wg) wg = digits(v[i].st.st_gid);
      if (digits((unsigned long long)v[i].st.st_size) > ws) ws = digits((unsigned long long)v[i].st.st_size);
    }
    time_t now = time(NULL);
    for (size_t i = 0; i < n; i++) {
      if (!v[i].stat_ok) continue;
      const struct stat *st = &v[i].st;
      char mode[11], date[32];
      tb_mode_string(tb_mode(st), mode);
      struct tm tm;
      time_t t = st->st_mtim.tv_sec;
      gmtime_r(&t, &tm);
      /* Like GNU: the year instead of the time for files older than 6 months or in the future. */
      bool recent = t <= now + 60 && now - t < 15778476;
      strftime(date, sizeof date, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
      printf("%s %*lu %*u %*u %*lld %s %s", mode, wl, (unsigned long)st->st_nlink, wu, (unsigned)st->st_uid, wg,
             (unsigned)st->st_gid, ws, (long long)st->st_size, date, v[i].name);
      if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t len = readlink(v[i].path, target, sizeof target - 1);
        if (len >= 0) {
          target[len] = '\0';
          printf(" -> %s", target);
        }
      } else if (opt->classify && type_mark(tb_mode(st))) {
        putchar(type_mark(tb_mode(st)));
      }
      putchar('\n');
    }
    return;
  }
  bool columns = !opt->one && isatty(STDOUT_FILENO);
  if (!columns) {
    for (size_t i = 0; i < n; i++) {
      if (!v[i].stat_ok) continue;
      fputs(v[i].name, stdout);
      if (opt->classify && type_mark(tb_mode(&v[i].st))) putchar(type_mark(tb_mode(&v[i].st)));
      putchar('\n');
    }
    return;
  }
  /* Column layout for a terminal (80 columns: WASI cannot ask for the window size). */
  size_t width = 1, shown = 0;
  for (size_t i = 0; i < n; i++) {
    if (!v[i].stat_ok) continue;
    shown++;
    size_t len = strlen(v[i].name) + (opt->classify ? 1 : 0);
    if (len > width) width = len;
  }
  if (shown == 0) return;
  width += 2;
  size_t cols = 80 / width ? 80 / width : 1;
  size_t rows = (shown + cols - 1) / cols;
  entry **list = malloc(shown * sizeof(entry *));
  for (size_t i = 0, k = 0; i < n; i++) {
    if (v[i].stat_ok) list[k++] = &v[i];
  }
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      size_t k = c * rows + r;
      if (k >= shown) break;
      char mark = opt->classify ? type_mark(tb_mode(&list[k]->st)) : 0;
      int len = printf("%s", list[k]->name);
      if (mark) putchar(mark), len++;
      if (k + rows < shown) printf("%*s", (int)(width - (size_t)len), "");
    }
    putchar('\n');
  }
  free(list);
}

static unsigned long long total_blocks(entry *v, size_t n) {
  unsigned long long kb = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i].stat_ok && !S_ISDIR(v[i].st.st_mode)) kb += ((unsigned long long)v[i].st.st_size + 1023) / 1024;
  }
  return kb;
}

static void free_entries(entry *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].name);
    free(v[i].path);
  }
  free(v);
}

static int list_directory(const char *path, const ls_options *opt, bool header, bool *first) {
  size_t n;
  char **names = tb_list_dir(path, &n);
  if (names == NULL) {
    tb_perror_msg("cannot open directory '%s'", path);
    return 2;
  }
  entry *v = calloc(n + 2, sizeof(entry));
  size_t count = 0;
  if (opt->all) {
    /* Some WASI hosts leave . and .. out of readdir; list them from stat instead. */
    const char *dots[2] = {".", ".."};
    for (int i = 0; i < 2; i++) {
      v[count].name = strdup(dots[i]);
      v[count].path = tb_join(path, dots[i]);
      v[count].stat_ok = stat(v[count].path, &v[count].st) == 0;
      count++;
    }
  }
  int status = 0;
  for (size_t i = 0; i < n; i++) {
    if (names[i][0] == '.' && !opt->all && !opt->almost_all) continue;
    v[count].name = strdup(names[i]);
    v[count].path = tb_join(path, names[i]);
    if (lstat(v[count].path, &v[count].st) == 0) {
      v[count].stat_ok = true;
    } else {
      tb_perror_msg("cannot access '%s'", v[count].path);
      status = 1;
    }
    count++;
  }
  tb_free_list(names, n);
  qsort(v, count, sizeof(entry), compare_entries);
  if (header) {
    if (!*first) putchar('\n');
    printf("%s:\n", path);
  }
  *first = false;
  if (opt->long_format) printf("total %llu\n", total_blocks(v, count));
  print_entries(v, count, opt);
  if (opt->recursive) {
    for (size_t i = 0; i < count; i++) {
      if (v[i].stat_ok && S_ISDIR(v[i].st.st_mode) && !tb_is_dot_or_dotdot(v[i].name)) {
        int s = list_directory(v[i].path, opt, true, first);
        if (s > status) status = s;
      }
    }
  }
  free_entries(v, count);
  return status;
}

int applet_ls(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  ls_options opt = {0};
  int c;
  while ((c = tb_getopt(&o, "aAlR1dFCh")) != -1) {
    switch (c) {
      case 'a': opt.all = true; break;
      case 'A': opt.almost_all = true; break;
      case 'l': opt.long_format = true; break;
      case 'R': opt.recursive = true; break;
      case '1': opt.one = true; break;
      case 'd': opt.dirs_only = true; break;
      case 'F': opt.classify = true; break;
      case 'C': case 'h': break;
      default: return tb_usage("[-1aAdlFR] [FILE]...", 2);
    }
  }
  static char *dot[] = {"."};
  char **paths = o.noperands ? o.operands : dot;
  int npaths = o.noperands ? o.noperands : 1;
  int status = 0;
  /* Files (and -d directories) first, then each directory's contents, like GNU ls. */
  entry *files = calloc((size_t)npaths, sizeof(entry));
  size_t nfiles = 0;
  char **dirs = calloc((size_t)npaths, sizeof(char *));
  size_t ndirs = 0;
  for (int i = 0; i < npaths; i++) {
    struct stat st;
    if (lstat(paths[i], &st) != 0) {
      tb_perror_msg("cannot access '%s'", paths[i]);
      status = 2;
      continue;
    }
    if (S_ISLNK(st.st_mode) && !opt.long_format && !opt.dirs_only) {
      struct stat target;
      if (stat(paths[i], &target) == 0) st = target;
    }
    if (S_ISDIR(st.st_mode) && !opt.dirs_only) {
      dirs[ndirs++] = paths[i];
    } else {
      files[nfiles].name = strdup(paths[i]);
      files[nfiles].path = strdup(paths[i]);
      files[nfiles].st = st;
      files[nfiles].stat_ok = true;
      nfiles++;
    }
  }
  qsort(files, nfiles, sizeof(entry), compare_entries);
  print_entries(files, nfiles, &opt);
  bool first = nfiles == 0;
  bool headers = npaths > 1 || opt.recursive;
  for (size_t i = 0; i < ndirs; i++) {
    int s = list_directory(dirs[i], &opt, headers, &first);
    if (s > status) status = s;
  }
  free_entries(files, nfiles);
  free(dirs);
  tb_opts_free(&o);
  if (fflush(stdout) != 0) {
    tb_perror("write error");
    return 2;
  }
  return status;
}

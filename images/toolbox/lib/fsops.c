/* Tree operations shared by cp, mv and rm: copy a file, symlink or directory tree, and remove a
 * tree without following symlinks. Messages follow GNU coreutils' wording. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tb.h"

static void copy_times(const char *dst, const struct stat *st) {
  struct timespec times[2] = {st->st_atim, st->st_mtim};
  utimensat(AT_FDCWD, dst, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_regular(const char *src, const char *dst, const struct stat *st, const tb_copy_options *opts) {
  int in = open(src, O_RDONLY);
  if (in < 0) {
    tb_perror_msg("cannot open '%s' for reading", src);
    return 1;
  }
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0 && opts->force && errno != ENOENT) {
    unlink(dst);
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (out < 0) {
    tb_perror_msg("cannot create regular file '%s'", dst);
    close(in);
    return 1;
  }
  static char buf[65536];
  int status = 0;
  for (;;) {
    ssize_t r = read(in, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      tb_perror_msg("error reading '%s'", src);
      status = 1;
      break;
    }
    if (r == 0) break;
    if (!tb_write_all(out, buf, (size_t)r)) {
      tb_perror_msg("error writing '%s'", dst);
      status = 1;
      break;
    }
  }
  close(in);
  if (close(out) != 0 && status == 0) {
    tb_perror_msg("error writing '%s'", dst);
    status = 1;
  }
  if (status == 0 && opts->preserve) copy_times(dst, st);
  return status;
}

static bool inside(const char *dst, const char *src) {
  size_t n = strlen(src);
  while (n > 1 && src[n - 1] == '/') n--;
  return strncmp(dst, src, n) == 0 && dst[n] == '/';
}

int tb_copy(const char *src, const char *dst, const tb_copy_options *opts) {
  struct stat st;
  if ((opts->deref ? stat(src, &st) : lstat(src, &st)) != 0) {
    tb_perror_msg("cannot stat '%s'", src);
    return 1;
  }
  struct stat dst_st;
  bool dst_exists = lstat(dst, &dst_st) == 0;
  if (dst_exists && dst_st.st_ino == st.st_ino && dst_st.st_dev == st.st_dev) {
    tb_warn("'%s' and '%s' are the same file", src, dst);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!opts->recursive) {
      tb_warn("-r not specified; omitting directory '%s'", src);
      return 1;
    }
    if (inside(dst, src)) {
      tb_warn("cannot copy a directory, '%s', into itself, '%s'", src, dst);
      return 1;
    }
    if (dst_exists && !S_ISDIR(dst_st.st_mode)) {
      tb_warn("cannot overwrite non-directory '%s' with directory '%s'", dst, src);
      return 1;
    }
    if (!dst_exists && mkdir(dst, 0755) != 0) {
      tb_perror_msg("cannot create directory '%s'", dst);
      return 1;
    }
    size_t n;
    char **names = tb_list_dir(src, &n);
    if (names == NULL) {
      tb_perror_msg("cannot access '%s'", src);
      return 1;
    }
    tb_copy_options child = *opts;
    child.deref = false;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
      char *s = tb_join(src, names[i]);
      char *d = tb_join(dst, names[i]);
      status |= tb_copy(s, d, &child);
      free(s);
      free(d);
    }
    tb_free_list(names, n);
    if (opts->preserve) copy_times(dst, &st);
    return status;
  }
  if (dst_exists && S_ISDIR(dst_st.st_mode)) {
    tb_warn("cannot overwrite directory '%s' with non-directory", dst);
    return 1;
  }
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t len = readlink(src, target, sizeof target - 1);
    if (len < 0) {
      tb_perror_msg("cannot read symbolic link '%s'", src);
      return 1;
    }
    target[len] = '\0';
    if (dst_exists) unlink(dst);
    if (symlink(target, dst) != 0) {
      tb_perror_msg("cannot create symbolic link '%s'", dst);
      return 1;
    }
    return 0;
  }
  if (!S_ISREG(st.st_mode)) {
    tb_warn("cannot copy special file '%s'", src);
    return 1;
  }
  return copy_regular(src, dst, &st, opts);
}

int tb_remove(const char *path, bool recursive, bool force) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (force && errno == ENOENT) return 0;
    tb_perror_msg("cannot remove '%s'", path);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!recursive) {
      errno = EISDIR;
      tb_perror_msg("cannot remove '%s'", path);
      return 1;
    }
    size_t n;
    char **names = tb_list_dir(path, &n);
    if (names == NULL) {
      tb_perror_msg("cannot remove '%s'", path);
      return 1;
    }
    int status = 0;
    for (size_t i = 0; i < n; i++) {
      char *child = tb_join(path, names[i]);
      status |= tb_remove(child, true, force);
      free(child);
    }
    tb_free_list(names, n);
    if (rmdir(path) != 0) {
      tb_perror_msg("cannot remove '%s'", path);
      return 1;
    }
    return status;
  }
  if (unlink(path) != 0) {
    tb_perror_msg("cannot remove '%s'", path);
    return 1;
  }
  return 0;
}

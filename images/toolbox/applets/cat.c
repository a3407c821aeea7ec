/* cat: concatenate files (or stdin, "-") to stdout. -n numbers all lines, -b non-blank ones. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

static int copy_fd(int fd, const char *name) {
  static char buf[65536];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      tb_perror(name);
      return 1;
    }
    if (r == 0) return 0;
    if (!tb_write_all(STDOUT_FILENO, buf, (size_t)r)) {
      tb_perror("write error");
      return 1;
    }
  }
}

static int number_lines(FILE *f, bool nonblank_only, unsigned long *line) {
  int c, prev = '\n';
  while ((c = getc(f)) != EOF) {
    if (prev == '\n' && !(nonblank_only && c == '\n')) printf("%6lu\t", ++*line);
    putchar(c);
    prev = c;
  }
  return ferror(f) ? 1 : 0;
}

int applet_cat(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool number = false, nonblank = false;
  int c;
  while ((c = tb_getopt(&o, "nbu")) != -1) {
    if (c == 'n') number = true;
    else if (c == 'b') number = nonblank = true;
    else if (c == '?') return tb_usage("[-nbu] [FILE]...", 1);
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  int status = 0;
  unsigned long line = 0;
  for (int i = 0; i < nfiles; i++) {
    const char *path = files[i];
    if (number) {
      FILE *f = tb_open_input(path);
      if (f == NULL) {
        tb_perror(path);
        status = 1;
        continue;
      }
      if (number_lines(f, nonblank, &line) != 0) {
        tb_perror(path);
        status = 1;
      }
      tb_close_input(f);
      continue;
    }
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
      tb_perror(path);
      status = 1;
      continue;
    }
    fflush(stdout);
    status |= copy_fd(fd, path);
    if (fd != STDIN_FILENO) close(fd);
  }
  tb_opts_free(&o);
  return status;
}

/* tee: copy stdin to stdout and to each file. -a appends instead of truncating. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tb.h"

int applet_tee(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool append = false;
  int c;
  while ((c = tb_getopt(&o, "ai")) != -1) {
    if (c == 'a') append = true;
    else if (c == '?') return tb_usage("[-a] [FILE]...", 1);
  }
  int status = 0;
  int *fds = calloc((size_t)o.noperands + 1, sizeof(int));
  for (int i = 0; i < o.noperands; i++) {
    fds[i] = open(o.operands[i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
    if (fds[i] < 0) {
      tb_perror(o.operands[i]);
      status = 1;
    }
  }
  static char buf[65536];
  for (;;) {
    ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      tb_perror("standard input");
      status = 1;
      break;
    }
    if (r == 0) break;
    if (!tb_write_all(STDOUT_FILENO, buf, (size_t)r)) {
      tb_perror("standard output");
      status = 1;
      break;
    }
    for (int i = 0; i < o.noperands; i++) {
      if (fds[i] >= 0 && !tb_write_all(fds[i], buf, (size_t)r)) {
        tb_perror(o.operands[i]);
        close(fds[i]);
        fds[i] = -1;
        status = 1;
      }
    }
  }
  for (int i = 0; i < o.noperands; i++) {
    if (fds[i] >= 0) close(fds[i]);
  }
  free(fds);
  tb_opts_free(&o);
  return status;
}

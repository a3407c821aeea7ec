/* pwd: print the working directory (WASI has none of its own: it is $PWD or / at start). */

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "tb.h"

int applet_pwd(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  int c;
  while ((c = tb_getopt(&o, "LP")) != -1) {
    if (c == '?') return tb_usage("[-LP]", 1);
  }
  tb_opts_free(&o);
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == NULL) {
    tb_perror(".");
    return 1;
  }
  puts(buf);
  return 0;
}

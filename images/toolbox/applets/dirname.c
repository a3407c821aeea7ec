/* dirname: strip the last component of each path. */

#include <string.h>

#include "tb.h"

static void print_dirname(const char *path) {
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/') len--;
  while (len > 0 && path[len - 1] != '/') len--;
  if (len == 0) {
    puts(".");
    return;
  }
  while (len > 1 && path[len - 1] == '/') len--;
  fwrite(path, 1, len, stdout);
  putchar('\n');
}

int applet_dirname(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  int c;
  while ((c = tb_getopt(&o, "z")) != -1) {
    if (c == '?') return tb_usage("NAME...", 1);
  }
  if (o.noperands == 0) {
    tb_warn("missing operand");
    return tb_usage("NAME...", 1);
  }
  for (int i = 0; i < o.noperands; i++) print_dirname(o.operands[i]);
  tb_opts_free(&o);
  return 0;
}

/* basename: strip directories (and an optional suffix) from a path. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

int applet_basename(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  int c;
  bool multiple = false;
  const char *suffix = NULL;
  while ((c = tb_getopt(&o, "as:z")) != -1) {
    if (c == 'a') multiple = true;
    else if (c == 's') suffix = o.arg, multiple = true;
    else if (c == '?') return tb_usage("NAME [SUFFIX] | -a NAME...", 1);
  }
  if (o.noperands < 1 || (!multiple && o.noperands > 2)) {
    tb_warn("missing operand");
    return tb_usage("NAME [SUFFIX] | -a NAME...", 1);
  }
  if (!multiple && o.noperands == 2) suffix = o.operands[1];
  int count = multiple ? o.noperands : 1;
  for (int i = 0; i < count; i++) {
    char *base = tb_basename(o.operands[i]);
    size_t bl = strlen(base);
    if (suffix != NULL) {
      size_t sl = strlen(suffix);
      if (sl < bl && strcmp(base + bl - sl, suffix) == 0) base[bl - sl] = '\0';
    }
    puts(base);
    free(base);
  }
  tb_opts_free(&o);
  return 0;
}

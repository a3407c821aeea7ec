/* printenv: print all environment variables, or the values of the named ones (status 1 if one
 * is unset). */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

extern char **environ;

int applet_printenv(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  int c;
  char end = '\n';
  while ((c = tb_getopt(&o, "0")) != -1) {
    if (c == '0') end = '\0';
    else if (c == '?') return tb_usage("[-0] [VARIABLE]...", 2);
  }
  int status = 0;
  if (o.noperands == 0) {
    for (char **e = environ; e && *e; e++) printf("%s%c", *e, end);
  }
  for (int i = 0; i < o.noperands; i++) {
    const char *v = getenv(o.operands[i]);
    if (v == NULL || strchr(o.operands[i], '=')) status = 1;
    else printf("%s%c", v, end);
  }
  tb_opts_free(&o);
  return status;
}

/* rmdir: remove empty directories; -p also removes their now-empty parents. */

#include <string.h>
#include <unistd.h>

#include "tb.h"

int applet_rmdir(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool parents = false;
  int c;
  while ((c = tb_getopt(&o, "pv")) != -1) {
    if (c == 'p') parents = true;
    else if (c == '?') return tb_usage("[-p] DIRECTORY...", 1);
  }
  if (o.noperands == 0) {
    tb_warn("missing operand");
    return tb_usage("[-p] DIRECTORY...", 1);
  }
  int status = 0;
  for (int i = 0; i < o.noperands; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s", o.operands[i]);
    for (;;) {
      size_t len = strlen(path);
      while (len > 1 && path[len - 1] == '/') path[--len] = '\0';
      if (rmdir(path) != 0) {
        tb_perror_msg("failed to remove '%s'", path);
        status = 1;
        break;
      }
      if (!parents) break;
      char *slash = strrchr(path, '/');
      if (slash == NULL || slash == path) break;
      *slash = '\0';
    }
  }
  tb_opts_free(&o);
  return status;
}

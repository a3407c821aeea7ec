/* rm: remove files; -r/-R directories recursively, -f ignore missing files and never fail for
 * them. Refuses ".", ".." and "/" like GNU rm. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

int applet_rm(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool recursive = false, force = false, dirs = false;
  int c;
  while ((c = tb_getopt(&o, "rRfidv")) != -1) {
    if (c == 'r' || c == 'R') recursive = true;
    else if (c == 'f') force = true;
    else if (c == 'd') dirs = true;
    else if (c == '?') return tb_usage("[-rf] FILE...", 1);
  }
  if (o.noperands == 0 && !force) {
    tb_warn("missing operand");
    return tb_usage("[-rf] FILE...", 1);
  }
  int status = 0;
  for (int i = 0; i < o.noperands; i++) {
    const char *path = o.operands[i];
    char *base = tb_basename(path);
    bool refused = tb_is_dot_or_dotdot(base) || strcmp(base, "/") == 0;
    free(base);
    if (refused) {
      tb_warn(strcmp(path, "/") == 0 ? "it is dangerous to operate recursively on '%s'"
                                     : "refusing to remove '.' or '..' directory: skipping '%s'",
              path);
      status = 1;
      continue;
    }
    if (dirs && !recursive && tb_is_dir(path)) {
      if (rmdir(path) != 0) {
        tb_perror_msg("cannot remove '%s'", path);
        status = 1;
      }
      continue;
    }
    status |= tb_remove(path, recursive, force);
  }
  tb_opts_free(&o);
  return status;
}

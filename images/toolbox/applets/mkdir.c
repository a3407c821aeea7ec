/* mkdir: create directories. -p creates parents and accepts existing ones; -m MODE is checked
 * and passed on (WASI preview1 itself stores no permission bits). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tb.h"

static int make_parents(const char *path, mode_t mode) {
  char *copy = strdup(path);
  int status = 0;
  for (char *p = copy + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(copy, saved == '\0' ? mode : 0755) != 0) {
      int e = errno;
      if (e != EEXIST || !tb_is_dir(copy)) {
        errno = e == EEXIST ? ENOTDIR : e;
        tb_perror_msg("cannot create directory '%s'", copy);
        status = 1;
        break;
      }
    }
    *p = saved;
    if (saved == '\0') break;
    while (p[1] == '/') p++;
    if (p[1] == '\0') break;
  }
  free(copy);
  return status;
}

int applet_mkdir(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool parents = false, verbose = false;
  mode_t mode = 0755;
  int c;
  while ((c = tb_getopt(&o, "pm:v")) != -1) {
    if (c == 'p') parents = true;
    else if (c == 'v') verbose = true;
    else if (c == 'm') {
      if (!tb_parse_mode(o.arg, 0777, true, &mode)) {
        tb_warn("invalid mode '%s'", o.arg);
        return 1;
      }
    } else return tb_usage("[-p] [-m MODE] DIRECTORY...", 1);
  }
  if (o.noperands == 0) {
    tb_warn("missing operand");
    return tb_usage("[-p] [-m MODE] DIRECTORY...", 1);
  }
  int status = 0;
  for (int i = 0; i < o.noperands; i++) {
    const char *path = o.operands[i];
    if (parents) {
      status |= make_parents(path, mode);
    } else if (mkdir(path, mode) != 0) {
      tb_perror_msg("cannot create directory '%s'", path);
      status = 1;
      continue;
    }
    if (verbose) printf("mkdir: created directory '%s'\n", path);
  }
  tb_opts_free(&o);
  return status;
}

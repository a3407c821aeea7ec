/* mv: move (rename) files. Into a directory when the last operand is one; across file systems
 * (mounts) it copies then removes. -f and -n as in GNU (no prompts in a sandbox). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tb.h"

static int move(const char *src, const char *dst, bool no_clobber) {
  struct stat st;
  if (no_clobber && lstat(dst, &st) == 0) return 0;
  if (rename(src, dst) == 0) return 0;
  if (errno != EXDEV) {
    tb_perror_msg("cannot move '%s' to '%s'", src, dst);
    return 1;
  }
  tb_copy_options opts = {.recursive = true, .preserve = true, .force = true, .deref = false};
  if (tb_copy(src, dst, &opts) != 0) return 1;
  return tb_remove(src, true, false);
}

int applet_mv(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool no_clobber = false, target_is_dir_only = false;
  int c;
  while ((c = tb_getopt(&o, "finvT")) != -1) {
    if (c == 'n') no_clobber = true;
    else if (c == 'f') no_clobber = false;
    else if (c == 'T') target_is_dir_only = true;
    else if (c == '?') return tb_usage("[-fn] SOURCE... DEST", 1);
  }
  if (o.noperands < 2) {
    tb_warn(o.noperands == 0 ? "missing file operand" : "missing destination file operand after '%s'",
            o.noperands ? o.operands[0] : "");
    return tb_usage("[-fn] SOURCE... DEST", 1);
  }
  const char *dest = o.operands[o.noperands - 1];
  bool into = !target_is_dir_only && tb_is_dir(dest);
  if (o.noperands > 2 && !into) {
    tb_warn("target '%s' is not a directory", dest);
    return 1;
  }
  int status = 0;
  for (int i = 0; i < o.noperands - 1; i++) {
    const char *src = o.operands[i];
    struct stat st;
    if (lstat(src, &st) != 0) {
      tb_perror_msg("cannot stat '%s'", src);
      status = 1;
      continue;
    }
    if (into) {
      char *base = tb_basename(src);
      char *target = tb_join(dest, base);
      status |= move(src, target, no_clobber);
      free(target);
      free(base);
    } else {
      status |= move(src, dest, no_clobber);
    }
  }
  tb_opts_free(&o);
  return status;
}

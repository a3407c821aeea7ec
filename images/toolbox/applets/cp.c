/* cp: copy files and directories. -r/-R recursive (symlinks inside are copied as symlinks),
 * -p keeps timestamps (WASI has no modes or owners to keep), -f replaces unwritable targets,
 * -a is -rp. Several sources need a directory as the last operand. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

int applet_cp(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  tb_copy_options opts = {.deref = true};
  bool target_is_dir_only = false;
  int c;
  while ((c = tb_getopt(&o, "rRpfaPLdnvT")) != -1) {
    switch (c) {
      case 'r': case 'R': opts.recursive = true; break;
      case 'p': opts.preserve = true; break;
      case 'f': opts.force = true; break;
      case 'a': opts.recursive = opts.preserve = true; break;
      case 'P': case 'd': opts.deref = false; break;
      case 'L': opts.deref = true; break;
      case 'T': target_is_dir_only = true; break;
      case 'n': case 'v': break;
      default: return tb_usage("[-rpfa] SOURCE... DEST", 1);
    }
  }
  /* GNU: -r without -L copies top-level symlinks as symlinks too. */
  bool explicit_deref = false;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && strchr(argv[i], 'L')) explicit_deref = true;
  }
  if (opts.recursive && !explicit_deref) opts.deref = false;
  if (o.noperands < 2) {
    tb_warn(o.noperands == 0 ? "missing file operand" : "missing destination file operand after '%s'",
            o.noperands ? o.operands[0] : "");
    return tb_usage("[-rpfa] SOURCE... DEST", 1);
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
    if (into) {
      char *base = tb_basename(src);
      char *target = tb_join(dest, base);
      status |= tb_copy(src, target, &opts);
      free(target);
      free(base);
    } else {
      status |= tb_copy(src, dest, &opts);
    }
  }
  tb_opts_free(&o);
  return status;
}

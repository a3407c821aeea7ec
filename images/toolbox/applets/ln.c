/* ln: make links. -s symbolic (the target text is stored as given), -f replaces an existing
 * destination, -n treats a symlink to a directory as a file. Hard links by default. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tb.h"

int applet_ln(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool symbolic = false, force = false, no_deref = false;
  int c;
  while ((c = tb_getopt(&o, "sfnvT")) != -1) {
    if (c == 's') symbolic = true;
    else if (c == 'f') force = true;
    else if (c == 'n' || c == 'T') no_deref = true;
    else if (c == '?') return tb_usage("[-sfn] TARGET [LINK_NAME] | TARGET... DIRECTORY", 1);
  }
  if (o.noperands == 0) {
    tb_warn("missing file operand");
    return tb_usage("[-sfn] TARGET [LINK_NAME] | TARGET... DIRECTORY", 1);
  }
  const char *dest = o.noperands == 1 ? "." : o.operands[o.noperands - 1];
  int ntargets = o.noperands == 1 ? 1 : o.noperands - 1;
  struct stat st;
  bool into = false;
  if (o.noperands == 1) into = true;
  else if (no_deref) into = lstat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  else into = tb_is_dir(dest);
  if (ntargets > 1 && !into) {
    tb_warn("target '%s' is not a directory", dest);
    return 1;
  }
  int status = 0;
  for (int i = 0; i < ntargets; i++) {
    const char *target = o.operands[i];
    char *base = into ? tb_basename(target) : NULL;
    char *link_name = into ? tb_join(dest, base) : strdup(dest);
    if (force && lstat(link_name, &st) == 0 && !S_ISDIR(st.st_mode)) unlink(link_name);
    int r = symbolic ? symlink(target, link_name) : link(target, link_name);
    if (r != 0) {
      if (symbolic || errno == EEXIST) tb_perror_msg("failed to create %s link '%s'", symbolic ? "symbolic" : "hard", link_name);
      else tb_perror_msg("failed to create hard link '%s' => '%s'", link_name, target);
      status = 1;
    }
    free(base);
    free(link_name);
  }
  tb_opts_free(&o);
  return status;
}

/* chmod: change permission bits, octal (755) or symbolic (u+x,go-w). WASI preview1 has no
 * call to set them, so the mode is checked and the files must exist, and the change is then
 * reported as unsupported only with -v; a runner that keeps modes can give chmod meaning later. */

#include <stdlib.h>
#include <sys/stat.h>

#include "tb.h"

static int change(const char *path, const char *mode_text, bool recursive, bool verbose) {
  struct stat st;
  if (stat(path, &st) != 0) {
    tb_perror_msg("cannot access '%s'", path);
    return 1;
  }
  mode_t mode;
  if (!tb_parse_mode(mode_text, tb_mode(&st), S_ISDIR(st.st_mode), &mode)) {
    tb_warn("invalid mode: '%s'", mode_text);
    return 1;
  }
  if (verbose) printf("mode of '%s' would become %04o (WASI preview1 keeps no permission bits)\n", path, (unsigned)mode);
  int status = 0;
  if (recursive && S_ISDIR(st.st_mode)) {
    size_t n;
    char **names = tb_list_dir(path, &n);
    if (names == NULL) {
      tb_perror_msg("cannot read directory '%s'", path);
      return 1;
    }
    for (size_t i = 0; i < n; i++) {
      char *child = tb_join(path, names[i]);
      struct stat cst;
      if (lstat(child, &cst) == 0 && !S_ISLNK(cst.st_mode)) status |= change(child, mode_text, true, verbose);
      free(child);
    }
    tb_free_list(names, n);
  }
  return status;
}

int applet_chmod(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  bool recursive = false, verbose = false;
  int c;
  /* posix parsing: "-w" and "-x" are modes, not options, once past the flags. */
  while ((c = tb_getopt(&o, "Rvcf")) != -1) {
    if (c == 'R') recursive = true;
    else if (c == 'v') verbose = true;
    else if (c == '?') {
      if (o.opt == 'w' || o.opt == 'x' || o.opt == 'r' || o.opt == 'X' || o.opt == 's' || o.opt == 't') {
        tb_warn("use 'a-%c' instead of '-%c' (toolbox chmod takes no negative modes as options)", o.opt, o.opt);
      }
      return tb_usage("[-Rv] MODE FILE...", 1);
    }
  }
  if (o.noperands < 2) {
    tb_warn(o.noperands == 0 ? "missing operand" : "missing operand after '%s'", o.noperands ? o.operands[0] : "");
    return tb_usage("[-Rv] MODE FILE...", 1);
  }
  int status = 0;
  for (int i = 1; i < o.noperands; i++) status |= change(o.operands[i], o.operands[0], recursive, verbose);
  tb_opts_free(&o);
  return status;
}

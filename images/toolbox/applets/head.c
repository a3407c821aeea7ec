/* head: the first lines (-n N, default 10) or bytes (-c N) of each file; -N is -n N.
 * With several files each gets a "==> name <==" header, like GNU. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

static int head_file(FILE *f, long long lines, long long bytes) {
  int c;
  if (bytes >= 0) {
    while (bytes-- > 0 && (c = getc(f)) != EOF) putchar(c);
  } else {
    while (lines > 0 && (c = getc(f)) != EOF) {
      putchar(c);
      if (c == '\n') lines--;
    }
  }
  return ferror(f) ? 1 : 0;
}

int applet_head(int argc, char **argv) {
  long long lines = 10, bytes = -1;
  bool quiet = false, verbose = false;
  /* Old style -N as the first argument means -n N. */
  char **args = malloc(sizeof(char *) * (size_t)(argc + 2));
  int nargs = 0;
  for (int i = 0; i < argc; i++) {
    if (i == 1 && argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9') {
      args[nargs++] = "-n";
      args[nargs++] = argv[i] + 1;
    } else {
      args[nargs++] = argv[i];
    }
  }
  args[nargs] = NULL;
  tb_opts o;
  tb_opts_init(&o, nargs, args, false);
  int c;
  while ((c = tb_getopt(&o, "n:c:qv")) != -1) {
    if (c == 'n') {
      if (!tb_parse_long(o.arg, &lines) || lines < 0) return 1;
      bytes = -1;
    } else if (c == 'c') {
      if (!tb_parse_long(o.arg, &bytes) || bytes < 0) return 1;
    } else if (c == 'q') quiet = true;
    else if (c == 'v') verbose = true;
    else return tb_usage("[-n LINES | -c BYTES] [FILE]...", 1);
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  int status = 0;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = tb_open_input(files[i]);
    if (f == NULL) {
      tb_perror_msg("cannot open '%s' for reading", files[i]);
      status = 1;
      continue;
    }
    if ((nfiles > 1 && !quiet) || verbose) {
      printf("%s==> %s <==\n", i > 0 ? "\n" : "", strcmp(files[i], "-") == 0 ? "standard input" : files[i]);
    }
    if (head_file(f, lines, bytes) != 0) {
      tb_perror_msg("error reading '%s'", files[i]);
      status = 1;
    }
    tb_close_input(f);
  }
  tb_opts_free(&o);
  free(args);
  return status;
}

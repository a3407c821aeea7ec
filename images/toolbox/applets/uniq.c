/* uniq: collapse adjacent equal lines. -c prefixes counts, -d prints only repeated lines, -u
 * only unique ones, -i ignores case. Optional INPUT and OUTPUT files. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tb.h"

int applet_uniq(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool count = false, repeated = false, unique = false, icase = false;
  int c;
  while ((c = tb_getopt(&o, "cdui")) != -1) {
    if (c == 'c') count = true;
    else if (c == 'd') repeated = true;
    else if (c == 'u') unique = true;
    else if (c == 'i') icase = true;
    else return tb_usage("[-cdui] [INPUT [OUTPUT]]", 1);
  }
  if (o.noperands > 2) {
    tb_warn("extra operand '%s'", o.operands[2]);
    return 1;
  }
  FILE *in = tb_open_input(o.noperands > 0 ? o.operands[0] : "-");
  if (in == NULL) {
    tb_perror(o.operands[0]);
    return 1;
  }
  FILE *out = stdout;
  if (o.noperands > 1 && (out = fopen(o.operands[1], "w")) == NULL) {
    tb_perror(o.operands[1]);
    tb_close_input(in);
    return 1;
  }
  char *prev = NULL, *line = NULL;
  size_t prev_cap = 0, cap = 0;
  unsigned long long n = 0;
  ssize_t len;
  for (;;) {
    len = getline(&line, &cap, in);
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    bool same = len >= 0 && prev != NULL && (icase ? strcasecmp(prev, line) : strcmp(prev, line)) == 0;
    if (same) {
      n++;
      continue;
    }
    if (prev != NULL && n > 0 && !(repeated && n < 2) && !(unique && n > 1)) {
      if (count) fprintf(out, "%7llu %s\n", n, prev);
      else fprintf(out, "%s\n", prev);
    }
    if (len < 0) break;
    if ((size_t)len + 1 > prev_cap) prev = realloc(prev, prev_cap = (size_t)len + 1);
    memcpy(prev, line, (size_t)len + 1);
    n = 1;
  }
  free(prev);
  free(line);
  tb_close_input(in);
  if (out != stdout) fclose(out);
  tb_opts_free(&o);
  return 0;
}

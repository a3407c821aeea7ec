/* echo: print the arguments. -n: no newline; -e: interpret backslash escapes; -E: do not.
 * Like GNU, only leading words made solely of n/e/E letters count as options. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

int applet_echo(int argc, char **argv) {
  bool newline = true, escapes = false;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == '\0' || strspn(a + 1, "neE") != strlen(a + 1)) break;
    for (const char *p = a + 1; *p; p++) {
      if (*p == 'n') newline = false;
      else if (*p == 'e') escapes = true;
      else escapes = false;
    }
  }
  for (int first = i; i < argc; i++) {
    if (i > first) putchar(' ');
    if (!escapes) {
      fputs(argv[i], stdout);
      continue;
    }
    char *buf = malloc(strlen(argv[i]) + 1);
    bool stop;
    size_t n = tb_unescape(argv[i], buf, false, &stop);
    fwrite(buf, 1, n, stdout);
    free(buf);
    if (stop) return 0;
  }
  if (newline) putchar('\n');
  if (fflush(stdout) != 0) {
    tb_perror("write error");
    return 1;
  }
  return 0;
}

/* date: print the date and time, in UTC (a WASI process has no time zone). +FORMAT uses
 * strftime plus %N (nanoseconds); -d @EPOCH or YYYY-MM-DD[ HH:MM[:SS]], -r FILE, -u, -I, -R.
 * Setting the clock is not possible in a sandbox. */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tb.h"

int applet_date(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  struct timespec when;
  clock_gettime(CLOCK_REALTIME, &when);
  const char *fmt = "%a %b %e %H:%M:%S UTC %Y";
  int c;
  while ((c = tb_getopt(&o, "ud:r:IRs:")) != -1) {
    switch (c) {
      case 'u': break;
      case 'd':
        if (!tb_parse_date(o.arg, &when)) {
          tb_warn("invalid date '%s'", o.arg);
          return 1;
        }
        break;
      case 'r': {
        struct stat st;
        if (stat(o.arg, &st) != 0) {
          tb_perror(o.arg);
          return 1;
        }
        when = st.st_mtim;
        break;
      }
      case 'I': fmt = "%Y-%m-%d"; break;
      case 'R': fmt = "%a, %d %b %Y %H:%M:%S +0000"; break;
      case 's':
        tb_warn("cannot set date: Operation not permitted");
        return 1;
      default: return tb_usage("[-u] [-d @EPOCH|DATE] [-r FILE] [+FORMAT]", 1);
    }
  }
  for (int i = 0; i < o.noperands; i++) {
    if (o.operands[i][0] == '+') {
      fmt = o.operands[i] + 1;
    } else {
      tb_warn("invalid date '%s' (setting the clock is not possible in a WASI sandbox)", o.operands[i]);
      return 1;
    }
  }
  /* Expand %N ourselves; strftime does not know it. */
  size_t flen = strlen(fmt);
  char *expanded = malloc(flen * 5 + 1);
  char *e = expanded;
  for (const char *p = fmt; *p; p++) {
    if (p[0] == '%' && p[1] == 'N') {
      e += sprintf(e, "%09ld", (long)when.tv_nsec);
      p++;
    } else if (p[0] == '%' && p[1] == '%') {
      *e++ = '%';
      *e++ = '%';
      p++;
    } else {
      *e++ = *p;
    }
  }
  *e = '\0';
  struct tm tm;
  time_t t = when.tv_sec;
  gmtime_r(&t, &tm);
  size_t cap = strlen(expanded) * 16 + 64;
  char *out = malloc(cap);
  size_t n = strftime(out, cap, expanded, &tm);
  if (n == 0 && expanded[0] != '\0') out[0] = '\0';
  puts(out);
  free(out);
  free(expanded);
  tb_opts_free(&o);
  return 0;
}

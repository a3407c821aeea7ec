/* sleep: pause for the sum of its arguments: numbers with an optional fraction and a unit
 * suffix (s, m, h, d). Uses nanosleep, which WASI serves with a clock subscription. */

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "tb.h"

int applet_sleep(int argc, char **argv) {
  if (argc < 2) {
    tb_warn("missing operand");
    return tb_usage("NUMBER[smhd]...", 1);
  }
  double total = 0;
  for (int i = 1; i < argc; i++) {
    char *end;
    double v = strtod(argv[i], &end);
    double unit = 1;
    if (*end == 'm') unit = 60, end++;
    else if (*end == 'h') unit = 3600, end++;
    else if (*end == 'd') unit = 86400, end++;
    else if (*end == 's') end++;
    if (end == argv[i] || *end != '\0' || v < 0) {
      tb_warn("invalid time interval '%s'", argv[i]);
      return 1;
    }
    total += v * unit;
  }
  struct timespec ts;
  ts.tv_sec = (time_t)total;
  ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  return 0;
}

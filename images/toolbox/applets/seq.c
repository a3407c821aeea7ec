/* seq: print a sequence of numbers: [FIRST [INCREMENT]] LAST. -s SEP between numbers,
 * -w pads with zeros to equal width. Decimals print with as many places as the inputs have. */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"

static int decimals(const char *s) {
  const char *dot = strchr(s, '.');
  if (dot == NULL) return 0;
  const char *e = dot + 1;
  while (*e >= '0' && *e <= '9') e++;
  return (int)(e - dot - 1);
}

int applet_seq(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  const char *sep = "\n";
  bool equal_width = false;
  int c;
  /* '#': negative numbers are operands, not options. */
  while ((c = tb_getopt(&o, "#s:w")) != -1) {
    if (c == 's') sep = o.arg;
    else if (c == 'w') equal_width = true;
    else if (c == '?') return tb_usage("[-w] [-s SEP] [FIRST [INCREMENT]] LAST", 1);
  }
  if (o.noperands < 1 || o.noperands > 3) {
    tb_warn(o.noperands < 1 ? "missing operand" : "extra operand '%s'", o.noperands > 3 ? o.operands[3] : "");
    return tb_usage("[-w] [-s SEP] [FIRST [INCREMENT]] LAST", 1);
  }
  double v[3] = {1, 1, 0};
  const char *texts[3] = {"1", "1", NULL};
  int first = 3 - o.noperands;
  for (int i = 0; i < o.noperands; i++) {
    char *end;
    const char *t = o.operands[i];
    double x = strtod(t, &end);
    if (*t == '\0' || *end != '\0' || isnan(x)) {
      tb_warn("invalid floating point argument: '%s'", t);
      return 1;
    }
    v[first + i] = x;
    texts[first + i] = t;
  }
  if (o.noperands == 2) {
    v[0] = v[1];
    texts[0] = texts[1];
    v[1] = 1;
    texts[1] = "1";
  }
  if (v[1] == 0) {
    tb_warn("invalid Zero increment value: '%s'", texts[1]);
    return 1;
  }
  int places = decimals(texts[0]) > decimals(texts[1]) ? decimals(texts[0]) : decimals(texts[1]);
  int width = 0;
  if (equal_width) {
    char buf[64];
    int a = snprintf(buf, sizeof buf, "%.*f", places, v[0]);
    int b = snprintf(buf, sizeof buf, "%.*f", places, v[2]);
    width = a > b ? a : b;
  }
  bool any = false;
  for (long long i = 0;; i++) {
    double x = v[0] + (double)i * v[1];
    /* Tolerance so 0.1 steps reach LAST despite binary rounding. */
    double eps = fabs(v[1]) * 1e-10;
    if (v[1] > 0 ? x > v[2] + eps : x < v[2] - eps) break;
    if (any) fputs(sep, stdout);
    if (equal_width) printf("%0*.*f", width, places, x);
    else printf("%.*f", places, x);
    any = true;
  }
  if (any) putchar('\n');
  tb_opts_free(&o);
  return 0;
}

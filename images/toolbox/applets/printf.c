/* printf: format and print arguments: %s %b %c %d %i %u %o %x %X %e %f %g %% with flags, width
 * and precision (also `*`), backslash escapes in the format; the format is reused while
 * arguments remain. A number that does not parse is reported and the status becomes 1. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"

typedef struct {
  char **args;
  int nargs, next;
  int status;
} printf_state;

static const char *next_arg(printf_state *s) { return s->next < s->nargs ? s->args[s->next++] : NULL; }

static long long int_arg(printf_state *s) {
  const char *a = next_arg(s);
  if (a == NULL || *a == '\0') return 0;
  if (a[0] == '\'' || a[0] == '"') return (unsigned char)a[1];
  char *end;
  errno = 0;
  long long v = strtoll(a, &end, 0);
  if (*end != '\0' || errno != 0) {
    if (a[0] != '-' && errno == 0) {
      /* Large unsigned values like 0xffffffffffffffff. */
      unsigned long long u = strtoull(a, &end, 0);
      if (*end == '\0') return (long long)u;
    }
    tb_warn("'%s': %s", a, errno == ERANGE ? "Numerical result out of range" : "expected a numeric value");
    s->status = 1;
  }
  return v;
}

static double float_arg(printf_state *s) {
  const char *a = next_arg(s);
  if (a == NULL || *a == '\0') return 0;
  if (a[0] == '\'' || a[0] == '"') return (unsigned char)a[1];
  char *end;
  double v = strtod(a, &end);
  if (*end != '\0') {
    tb_warn("'%s': expected a numeric value", a);
    s->status = 1;
  }
  return v;
}

/* Prints the format once; returns false if output should stop (\c). */
static bool format_once(const char *fmt, printf_state *s) {
  for (const char *p = fmt; *p; p++) {
    if (*p == '\\') {
      char tmp[8], out[8];
      size_t n = 1;
      tmp[0] = '\\';
      /* Take the escape's characters: \NNN, \xHH or one char. */
      const char *q = p + 1;
      if (*q >= '0' && *q <= '7') {
        while (n < 4 && *q >= '0' && *q <= '7') tmp[n++] = *q++;
      } else if (*q == 'x') {
        tmp[n++] = *q++;
        while (n < 4 && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))) tmp[n++] = *q++;
      } else if (*q) {
        tmp[n++] = *q++;
      }
      tmp[n] = '\0';
      bool stop;
      size_t len = tb_unescape(tmp, out, true, &stop);
      if (stop) return false;
      fwrite(out, 1, len, stdout);
      p = q - 1;
      continue;
    }
    if (*p != '%') {
      putchar(*p);
      continue;
    }
    if (p[1] == '%') {
      putchar('%');
      p++;
      continue;
    }
    /* Collect flags, width and precision into a spec for the C printf. */
    char spec[64];
    size_t n = 0;
    spec[n++] = '%';
    const char *q = p + 1;
    while (*q && strchr("-+ #0", *q) && n < 40) spec[n++] = *q++;
    if (*q == '*') {
      n += (size_t)snprintf(spec + n, sizeof spec - n, "%d", (int)int_arg(s));
      q++;
    } else {
      while (*q >= '0' && *q <= '9' && n < 40) spec[n++] = *q++;
    }
    if (*q == '.') {
      spec[n++] = *q++;
      if (*q == '*') {
        n += (size_t)snprintf(spec + n, sizeof spec - n, "%d", (int)int_arg(s));
        q++;
      } else {
        while (*q >= '0' && *q <= '9' && n < 50) spec[n++] = *q++;
      }
    }
    while (*q == 'l' || *q == 'h' || *q == 'L' || *q == 'j' || *q == 'z' || *q == 't') q++;
    char conv = *q;
    switch (conv) {
      case 'd': case 'i':
        spec[n++] = 'l', spec[n++] = 'l', spec[n++] = conv, spec[n] = '\0';
        printf(spec, int_arg(s));
        break;
      case 'u': case 'o': case 'x': case 'X':
        spec[n++] = 'l', spec[n++] = 'l', spec[n++] = conv, spec[n] = '\0';
        printf(spec, (unsigned long long)int_arg(s));
        break;
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        spec[n++] = conv, spec[n] = '\0';
        printf(spec, float_arg(s));
        break;
      case 'c': {
        const char *a = next_arg(s);
        spec[n++] = 'c', spec[n] = '\0';
        printf(spec, a && *a ? a[0] : '\0');
        break;
      }
      case 's': {
        const char *a = next_arg(s);
        spec[n++] = 's', spec[n] = '\0';
        printf(spec, a ? a : "");
        break;
      }
      case 'b': {
        const char *a = next_arg(s);
        if (a == NULL) a = "";
        char *tmp = malloc(strlen(a) + 1);
        bool stop;
        size_t len = tb_unescape(a, tmp, false, &stop);
        tmp[len] = '\0';
        spec[n++] = 's', spec[n] = '\0';
        printf(spec, tmp);
        free(tmp);
        if (stop) return false;
        break;
      }
      case '\0':
        tb_warn("%%: missing conversion specifier");
        s->status = 1;
        return false;
      default:
        tb_warn("%%%c: invalid conversion specification", conv);
        s->status = 1;
        return false;
    }
    p = q;
  }
  return true;
}

static bool consumes_args(const char *fmt) {
  for (const char *p = fmt; *p; p++) {
    if (*p == '%') {
      if (p[1] == '%') p++;
      else return true;
    }
  }
  return false;
}

int applet_printf(int argc, char **argv) {
  int first = 1;
  if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
  if (argc <= first) {
    tb_warn("missing operand");
    return tb_usage("FORMAT [ARGUMENT]...", 1);
  }
  printf_state s = {argv + first + 1, argc - first - 1, 0, 0};
  const char *fmt = argv[first];
  do {
    if (!format_once(fmt, &s)) break;
  } while (s.next < s.nargs && consumes_args(fmt));
  fflush(stdout);
  return s.status;
}

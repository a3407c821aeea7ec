/* tr: translate, delete (-d) or squeeze (-s) bytes. Sets take ranges (a-z), classes
 * ([:alpha:], [:digit:], [:lower:], [:upper:], [:space:], [:alnum:], [:punct:], [:blank:]),
 * escapes (\n \t \\ \NNN) and [c*N] repeats; -c complements SET1. */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"

#define MAX_SET 8192

static int escape_char(const char **p) {
  const char *s = *p;
  if (*s != '\\' || s[1] == '\0') {
    *p = s + 1;
    return (unsigned char)*s;
  }
  s++;
  int c;
  if (*s >= '0' && *s <= '7') {
    c = 0;
    for (int i = 0; i < 3 && *s >= '0' && *s <= '7'; i++) c = c * 8 + (*s++ - '0');
    *p = s;
    return c & 0xff;
  }
  switch (*s) {
    case 'n': c = '\n'; break;
    case 't': c = '\t'; break;
    case 'r': c = '\r'; break;
    case 'a': c = '\a'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'v': c = '\v'; break;
    default: c = (unsigned char)*s;
  }
  *p = s + 1;
  return c;
}

static bool class_member(const char *name, size_t len, int c) {
#define IS(n) (len == strlen(n) && strncmp(name, n, len) == 0)
  if (IS("alpha")) return isalpha(c);
  if (IS("digit")) return isdigit(c);
  if (IS("lower")) return islower(c);
  if (IS("upper")) return isupper(c);
  if (IS("space")) return isspace(c);
  if (IS("alnum")) return isalnum(c);
  if (IS("punct")) return ispunct(c);
  if (IS("blank")) return c == ' ' || c == '\t';
  if (IS("cntrl")) return iscntrl(c);
  if (IS("print")) return isprint(c);
  if (IS("graph")) return isgraph(c);
  if (IS("xdigit")) return isxdigit(c);
#undef IS
  return false;
}

/* Expands a set into out; returns its length or -1 (message printed). */
static int expand(const char *text, unsigned char *out) {
  int n = 0;
  const char *p = text;
  while (*p) {
    if (p[0] == '[' && p[1] == ':') {
      const char *end = strstr(p + 2, ":]");
      if (end != NULL) {
        size_t len = (size_t)(end - p - 2);
        bool any = false;
        for (int c = 0; c < 256; c++) {
          if (class_member(p + 2, len, c)) {
            any = true;
            if (n < MAX_SET) out[n++] = (unsigned char)c;
          }
        }
        if (!any) {
          tb_warn("invalid character class '%.*s'", (int)len, p + 2);
          return -1;
        }
        p = end + 2;
        continue;
      }
    }
    if (p[0] == '[' && p[1] != '\0') {
      const char *q = p + 1;
      int c = escape_char(&q);
      if (q[0] == '*') {
        char *end;
        long count = strtol(q + 1, &end, q[1] == '0' ? 8 : 10);
        if (*end == ']') {
          if (count == 0) count = MAX_SET - n; /* [c*] fills the rest of SET2 */
          for (long i = 0; i < count && n < MAX_SET; i++) out[n++] = (unsigned char)c;
          p = end + 1;
          continue;
        }
      }
    }
    int c = escape_char(&p);
    if (p[0] == '-' && p[1] != '\0') {
      const char *q = p + 1;
      int hi = escape_char(&q);
      if (hi < c) {
        tb_warn("range-endpoints of '%c-%c' are in reverse collating sequence order", c, hi);
        return -1;
      }
      for (int x = c; x <= hi && n < MAX_SET; x++) out[n++] = (unsigned char)x;
      p = q;
      continue;
    }
    if (n < MAX_SET) out[n++] = (unsigned char)c;
  }
  return n;
}

int applet_tr(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool del = false, squeeze = false, complement = false;
  int c;
  while ((c = tb_getopt(&o, "dscCt")) != -1) {
    if (c == 'd') del = true;
    else if (c == 's') squeeze = true;
    else if (c == 'c' || c == 'C') complement = true;
    else if (c == 't') {
    } else return tb_usage("[-cds] SET1 [SET2]", 1);
  }
  int need = (del && squeeze) || (!del && !squeeze) ? 2 : 1;
  if (o.noperands < need || o.noperands > 2 || (del && !squeeze && o.noperands > 1)) {
    tb_warn(o.noperands < need ? "missing operand" : "extra operand '%s'", o.noperands > 1 ? o.operands[1] : "");
    return tb_usage("[-cds] SET1 [SET2]", 1);
  }
  static unsigned char set1[MAX_SET], set2[MAX_SET];
  int n1 = expand(o.operands[0], set1);
  int n2 = o.noperands > 1 ? expand(o.operands[1], set2) : 0;
  if (n1 < 0 || n2 < 0) return 1;
  bool in1[256] = {false}, in2[256] = {false};
  for (int i = 0; i < n1; i++) in1[set1[i]] = true;
  if (complement) {
    n1 = 0;
    for (int x = 0; x < 256; x++) {
      if (!in1[x]) set1[n1++] = (unsigned char)x;
    }
    for (int x = 0; x < 256; x++) in1[x] = !in1[x];
  }
  int map[256];
  for (int x = 0; x < 256; x++) map[x] = x;
  bool translate = !del && n2 > 0;
  if (translate) {
    for (int i = 0; i < n1; i++) map[set1[i]] = set2[i < n2 ? i : n2 - 1];
  }
  /* The squeeze set is SET2 when given, else SET1. */
  if (squeeze) {
    if (o.noperands > 1) {
      for (int i = 0; i < n2; i++) in2[set2[i]] = true;
    } else {
      memcpy(in2, in1, sizeof in2);
    }
  }
  int ch, last = -1;
  while ((ch = getchar()) != EOF) {
    if (del && in1[ch]) continue;
    int out = map[ch];
    if (squeeze && out == last && in2[out]) continue;
    putchar(out);
    last = out;
  }
  tb_opts_free(&o);
  return 0;
}

/* wc: count lines, words and bytes (-l -w -c; -m counts UTF-8 characters). Several counts are
 * aligned to a common width like GNU; a single count prints unpadded. */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tb.h"

typedef struct {
  unsigned long long lines, words, bytes, chars;
} counts;

static int count_file(FILE *f, counts *c) {
  int ch;
  bool in_word = false;
  while ((ch = getc(f)) != EOF) {
    c->bytes++;
    if ((ch & 0xC0) != 0x80) c->chars++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) in_word = false;
    else if (!in_word) in_word = true, c->words++;
  }
  return ferror(f) ? 1 : 0;
}

static int digits(unsigned long long v) {
  int n = 1;
  while (v >= 10) v /= 10, n++;
  return n;
}

int applet_wc(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool l = false, w = false, b = false, m = false;
  int c;
  while ((c = tb_getopt(&o, "lwcmL")) != -1) {
    if (c == 'l') l = true;
    else if (c == 'w') w = true;
    else if (c == 'c') b = true;
    else if (c == 'm') m = true;
    else return tb_usage("[-lwcm] [FILE]...", 1);
  }
  if (!l && !w && !b && !m) l = w = b = true;
  int shown = l + w + b + m;
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  counts *all = calloc((size_t)nfiles + 1, sizeof(counts));
  bool *ok = calloc((size_t)nfiles, sizeof(bool));
  counts total = {0};
  int status = 0;
  bool stdin_used = false;
  for (int i = 0; i < nfiles; i++) {
    if (strcmp(files[i], "-") == 0) stdin_used = true;
    FILE *f = tb_open_input(files[i]);
    if (f == NULL) {
      tb_perror(files[i]);
      status = 1;
      continue;
    }
    if (count_file(f, &all[i]) != 0) {
      tb_perror(files[i]);
      status = 1;
    }
    tb_close_input(f);
    ok[i] = true;
    total.lines += all[i].lines;
    total.words += all[i].words;
    total.bytes += all[i].bytes;
    total.chars += all[i].chars;
  }
  int width = 1;
  if (shown > 1 || nfiles > 1) {
    width = digits(total.bytes > total.lines ? total.bytes : total.lines);
    if (digits(total.words) > width) width = digits(total.words);
    if (stdin_used && width < 7) width = 7;
  }
  if (shown == 1 && nfiles == 1) width = 1;
  for (int i = 0; i <= nfiles; i++) {
    bool is_total = i == nfiles;
    if (is_total && nfiles < 2) break;
    if (!is_total && !ok[i]) continue;
    const counts *k = is_total ? &total : &all[i];
    const char *sep = "";
    if (l) printf("%s%*llu", sep, width, k->lines), sep = " ";
    if (w) printf("%s%*llu", sep, width, k->words), sep = " ";
    if (m) printf("%s%*llu", sep, width, k->chars), sep = " ";
    if (b) printf("%s%*llu", sep, width, k->bytes), sep = " ";
    if (is_total) printf(" total");
    else if (o.noperands) printf(" %s", files[i]);
    putchar('\n');
  }
  free(all);
  free(ok);
  tb_opts_free(&o);
  return status;
}

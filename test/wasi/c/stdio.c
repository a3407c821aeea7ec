/* Copies stdin to stdout upper-cased, line by line, and reports the line count on stderr. */
#include <ctype.h>
#include <stdio.h>
int main(void) {
  char line[4096];
  int lines = 0;
  while (fgets(line, sizeof line, stdin)) {
    for (char *p = line; *p; p++) *p = (char)toupper((unsigned char)*p);
    fputs(line, stdout);
    lines++;
  }
  fprintf(stderr, "%d lines\n", lines);
  return 0;
}

/* Prints argc, argv and the environment, and checks the non-ASCII ones byte for byte. */
#include <stdlib.h>
#include "check.h"

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("env %s\n", *e);
  CHECK(argc == 4, "argc");
  CHECK(strcmp(argv[1], "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93") == 0, "non-ASCII argument");
  CHECK(strcmp(argv[2], "") == 0, "empty argument");
  CHECK(strcmp(argv[3], "\xf0\x9f\x8c\x8d emoji") == 0, "4-byte UTF-8 argument");
  const char *g = getenv("GREETING");
  CHECK(g && strcmp(g, "gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x8c\x8d") == 0, "non-ASCII environment value");
  CHECK(getenv("EMPTY") && getenv("EMPTY")[0] == 0, "empty environment value");
  CHECK(getenv("HOME") == NULL, "nothing from the host environment");
  DONE();
}

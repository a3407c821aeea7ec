/* yes: print its arguments (or "y") forever, until the output is closed (then status 0, like a
 * process killed by SIGPIPE would be treated by a shell) or fails otherwise (status 1). Writes
 * in large blocks because every write is a host call in WASI. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

int applet_yes(int argc, char **argv) {
  size_t len = 0;
  for (int i = 1; i < argc; i++) len += strlen(argv[i]) + 1;
  if (argc < 2) len = 2;
  char *line = malloc(len + 1);
  if (argc < 2) {
    strcpy(line, "y\n");
  } else {
    line[0] = '\0';
    for (int i = 1; i < argc; i++) {
      strcat(line, argv[i]);
      strcat(line, i + 1 < argc ? " " : "\n");
    }
  }
  size_t reps = 8192 / len + 1;
  char *block = malloc(reps * len);
  for (size_t i = 0; i < reps; i++) memcpy(block + i * len, line, len);
  fflush(stdout);
  while (tb_write_all(STDOUT_FILENO, block, reps * len)) {
  }
  int status = 0;
  if (errno != EPIPE) {
    tb_perror("standard output");
    status = 1;
  }
  free(block);
  free(line);
  return status;
}

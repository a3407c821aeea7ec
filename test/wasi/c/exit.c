/* Exits with the status given as argv[1] (proc_exit), after writing to stdout and stderr. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  printf("bye\n");
  fprintf(stderr, "to stderr\n");
  exit(argc > 1 ? atoi(argv[1]) : 0);
}

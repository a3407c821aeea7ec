/* A small WASI command: prints its arguments as a word count report, and a greeting when it
   has none. Compiled on the host to prebuilt/app.wasm by build.sh (clang, wasm32-wasi). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    puts("hello from a multi-stage build: this module is the whole image");
    return 0;
  }
  size_t letters = 0;
  for (int i = 1; i < argc; i++) letters += strlen(argv[i]);
  printf("%d words, %zu letters\n", argc - 1, letters);
  return 0;
}

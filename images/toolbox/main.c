/* Entry point of the multi-call toolbox: the applet is chosen by the basename of argv[0]
 * (/bin/ls -> ls) or by the first argument (`toolbox ls -l`). WASI preview1 has no working
 * directory, so the process starts in $PWD when the runner sets it (the shell does for `cd`). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "tb.h"

#define TB_ENTRY(n) {#n, applet_##n},
static const tb_applet applets[] = {TB_APPLETS(TB_ENTRY)};
#undef TB_ENTRY
static const size_t applet_count = sizeof applets / sizeof applets[0];

const tb_applet *tb_find_applet(const char *name) {
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  size_t len = strlen(base);
  if (len > 5 && strcmp(base + len - 5, ".wasm") == 0) len -= 5;
  for (size_t i = 0; i < applet_count; i++) {
    if (strlen(applets[i].name) == len && strncmp(applets[i].name, base, len) == 0) return &applets[i];
  }
  return NULL;
}

int tb_run_applet(const tb_applet *applet, int argc, char **argv) {
  const char *saved = tb_name;
  tb_name = applet->name;
  int status = applet->fn(argc, argv);
  fflush(stdout);
  tb_name = saved;
  return status;
}

static void list_applets(FILE *out) {
  fputs("toolbox: a multi-call program of common commands for wasmbox containers.\n"
        "Usage: toolbox APPLET [ARGS...], or run it under an applet's name (ln -s toolbox ls).\n"
        "Applets:\n",
        out);
  size_t col = 0;
  for (size_t i = 0; i < applet_count; i++) {
    size_t len = strlen(applets[i].name) + 1;
    if (col + len > 72) {
      fputc('\n', out);
      col = 0;
    }
    fprintf(out, "%s%s", col == 0 ? "    " : " ", applets[i].name);
    col += len + (col == 0 ? 4 : 0);
  }
  fputc('\n', out);
}

int main(int argc, char **argv) {
  const char *pwd = getenv("PWD");
  if (pwd != NULL && pwd[0] == '/') chdir(pwd);

  const tb_applet *applet = argc > 0 ? tb_find_applet(argv[0]) : NULL;
  if (applet == NULL) {
    if (argc >= 2 && strcmp(argv[1], "--applets") == 0) {
      /* One name per line, for image builders that link /bin/<name> to the toolbox. */
      for (size_t i = 0; i < applet_count; i++) puts(applets[i].name);
      return 0;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "--list") == 0) {
      list_applets(argc < 2 ? stderr : stdout);
      return argc < 2 ? 1 : 0;
    }
    applet = tb_find_applet(argv[1]);
    if (applet == NULL) {
      fprintf(stderr, "toolbox: %s: applet not found (run 'toolbox --list')\n", argv[1]);
      return 127;
    }
    argc--;
    argv++;
  }
  return tb_run_applet(applet, argc, argv);
}

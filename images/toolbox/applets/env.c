/* env: print the environment, or run an applet with a changed one (NAME=VALUE..., -i empty,
 * -u NAME unset). WASI has no exec: the command must be a toolbox applet, run in this process;
 * anything else fails with status 127 and says why. */

#include <stdlib.h>
#include <string.h>

#include "tb.h"

extern char **environ;

int applet_env(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, true);
  bool clear = false;
  char end = '\n';
  int c;
  while ((c = tb_getopt(&o, "iu:0")) != -1) {
    if (c == 'i') clear = true;
    else if (c == 'u') unsetenv(o.arg);
    else if (c == '0') end = '\0';
    else return tb_usage("[-i] [-u NAME] [NAME=VALUE]... [APPLET [ARG]...]", 125);
  }
  int i = 0;
  if (i < o.noperands && strcmp(o.operands[i], "-") == 0) clear = true, i++;
  if (clear) clearenv();
  for (; i < o.noperands && strchr(o.operands[i], '=') != NULL; i++) {
    char *eq = strchr(o.operands[i], '=');
    if (eq == o.operands[i]) {
      tb_warn("cannot set '%s': Invalid argument", o.operands[i]);
      return 125;
    }
    *eq = '\0';
    setenv(o.operands[i], eq + 1, 1);
    *eq = '=';
  }
  if (i == o.noperands) {
    for (char **e = environ; e && *e; e++) printf("%s%c", *e, end);
    tb_opts_free(&o);
    return 0;
  }
  const tb_applet *applet = tb_find_applet(o.operands[i]);
  if (applet == NULL) {
    tb_warn("'%s': cannot run it: WASI programs cannot start other programs, so env runs only toolbox applets "
            "(see 'toolbox --list')",
            o.operands[i]);
    return 127;
  }
  int status = tb_run_applet(applet, o.noperands - i, o.operands + i);
  tb_opts_free(&o);
  return status;
}

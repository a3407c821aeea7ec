/* How a wasmbox program starts in its working directory: WASI preview1 has no cwd and
 * wasi-libc starts at "/", so the runtime passes the cwd as PWD and the program moves there
 * before main. Programs built for wasmbox images include this once. */
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void wasmbox_enter_cwd(void) {
  const char *pwd = getenv("PWD");
  if (pwd != NULL && pwd[0] == '/') chdir(pwd);
}

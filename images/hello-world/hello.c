/* The program of the "hello-world" image: explains what wasmbox just did to print it, in the
 * spirit of Docker's hello-world. Plain WASI preview1, no arguments, no files; exits 0. */

#include <stdio.h>

static const char message[] =
    "\n"
    "Hello from wasmbox!\n"
    "This message shows that your installation appears to be working correctly.\n"
    "\n"
    "To generate this message, wasmbox took the following steps:\n"
    " 1. The wasmbox client contacted the wasmbox engine (a daemon, or the engine running\n"
    "    inside the client itself).\n"
    " 2. The engine found the \"hello-world\" image in its image store (it ships with\n"
    "    wasmbox), or pulled it from a registry.\n"
    " 3. The engine created a new container from that image, which runs the WebAssembly\n"
    "    module that produced the output you are currently reading, in a WASI sandbox:\n"
    "    no files, network or environment except what the container was given.\n"
    " 4. The engine streamed that output to the wasmbox client, which sent it to your\n"
    "    terminal.\n"
    "\n"
    "To try something more ambitious, you can run a shell with:\n"
    " $ wasmbox run -it toolbox sh\n"
    "\n"
    "Build your own image from a Dockerfile that starts FROM toolbox:\n"
    " $ wasmbox build -t my-image .\n"
    "\n"
    "The same images run on Linux, macOS, Windows and in a browser tab, and on a cluster\n"
    "through containerd with runwasi.\n"
    "\n";

int main(void) {
  if (fputs(message, stdout) == EOF || fflush(stdout) == EOF) return 1;
  return 0;
}

// Small C programs compiled to WASI commands with the real clang, for the runner's process
// tests (stdin, output ordering, memory limits, file-system replication). Compiled once per
// source text into a cache under the OS temp dir.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTool } from './tools.js';

const run = promisify(execFile);

export const PROGRAMS = {
  /** Copies stdin to stdout. */
  cat: `#include <unistd.h>
int main(void) { char buf[4096]; ssize_t n; while ((n = read(0, buf, sizeof buf)) > 0) { if (write(1, buf, n) != n) return 2; } return n < 0 ? 1 : 0; }`,
  /** Spins forever. */
  loop: `volatile unsigned long x; int main(void) { for (;;) x++; }`,
  /** Allocates 1 MiB blocks until malloc fails: exit 3 with a message (or 0 after 8 GiB: no limit). */
  malloc: `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char *keep[8192];
int main(void) { int n = 0; for (;;) { char *p = malloc(1 << 20); if (!p) { printf("malloc returned NULL after %d MiB\\n", n); return 3; } memset(p, n, 1 << 20); keep[n++] = p; if (n >= 8192) { printf("no limit\\n"); return 0; } } }`,
  /** Like malloc, but abort()s (a trap) when malloc fails, as many runtimes do. */
  mallocabort: `#include <stdlib.h>
#include <string.h>
static char *keep[8192];
int main(void) { for (int n = 0; n < 8192; n++) { char *p = malloc(1 << 20); if (!p) abort(); memset(p, n, 1 << 20); keep[n] = p; } return 0; }`,
  /** Prints argv[1] numbered lines to stdout, and every 1000th also to stderr. */
  lines: `#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) { int n = argc > 1 ? atoi(argv[1]) : 10; for (int i = 0; i < n; i++) { printf("line %d\\n", i); if (i % 1000 == 0) fprintf(stderr, "err %d\\n", i); } return 0; }`,
  /** Prints each argument and environment variable on a line, and whether stdout is a tty. */
  echo: `#include <stdio.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv) { for (int i = 0; i < argc; i++) printf("arg %s\\n", argv[i]); for (char **e = environ; *e; e++) printf("env %s\\n", *e); printf("tty %d\\n", isatty(1)); return 7; }`,
  /** writefile PATH TEXT: writes TEXT to PATH. */
  writefile: `#include <stdio.h>
int main(int argc, char **argv) { FILE *f = fopen(argv[1], "w"); if (!f) { perror(argv[1]); return 1; } fputs(argv[2], f); return fclose(f) ? 1 : 0; }`,
  /** readfile PATH: prints the file, exit 1 when it cannot be opened. */
  readfile: `#include <stdio.h>
int main(int argc, char **argv) { FILE *f = fopen(argv[1], "r"); if (!f) { perror(argv[1]); return 1; } char buf[4096]; size_t n; while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout); return 0; }`,
  /** waitfile PATH: prints "waiting", polls until PATH exists (up to ~10 s), prints its content. */
  waitfile: `#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) { printf("waiting\\n"); fflush(stdout); struct timespec ts = {0, 2000000}; for (int i = 0; i < 5000; i++) { if (access(argv[1], F_OK) == 0) { FILE *f = fopen(argv[1], "r"); char buf[256]; size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; printf("found %s\\n", buf); return 0; } nanosleep(&ts, 0); } printf("timeout\\n"); return 1; }`,
  /** signal OUT IN: writes OUT, then waits (sleeping) until IN exists (up to ~10 s); exit 0 when it does. */
  signal: `#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) { FILE *f = fopen(argv[1], "w"); if (!f) return 2; fputs("ready", f); fclose(f); struct timespec ts = {0, 5000000}; for (int i = 0; i < 2000; i++) { if (access(argv[2], F_OK) == 0) return 0; nanosleep(&ts, 0); } return 1; }`,
} as const;

export type ProgramName = keyof typeof PROGRAMS;

const CACHE = join(tmpdir(), 'wasmbox-runner-programs');

/** The WASI module of one of PROGRAMS (compiled with clang on first use). */
export async function program(name: ProgramName): Promise<Uint8Array> {
  const source = PROGRAMS[name];
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const out = join(CACHE, `${name}-${key}.wasm`);
  try {
    return new Uint8Array(await readFile(out));
  } catch {
    // not compiled yet
  }
  const clang = await ensureTool('clang');
  await mkdir(CACHE, { recursive: true });
  const src = join(CACHE, `${name}-${key}-${process.pid}.c`);
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(src, source);
  await run(clang, ['--target=wasm32-wasi', '-O2', '-s', '-o', tmp, src]);
  await rename(tmp, out);
  return new Uint8Array(await readFile(out));
}

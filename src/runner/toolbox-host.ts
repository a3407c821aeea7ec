// The ShellHost that runs a container's own programs: the built-in shell's external commands
// are the container's programs (WASI modules, the shell marker, #! scripts), run inline on
// the shell's thread through execProgram (the shell is synchronous, so its commands are too).
// Shared by tests, the browser and services that run `sh -c` inline over one Namespace.

import type { Namespace } from '../vfs/index.js';
import { execProgram, precompileProgram } from './exec-program.js';
import type { WasiHostFactory } from './run-module.js';
import type { ShellHost, ShellIo } from './shell/index.js';
import type { ProcessLimits, WasiClock } from './types.js';

export interface WasmShellHostOptions {
  /** The container's file system (root + mounts): where programs are found and what they see. */
  fs: Namespace;
  /** Applied to every program: memoryBytes rewrites the module, the rest goes to the WASI host. timeoutMs cannot apply inline. */
  limits?: ProcessLimits;
  /** The WASI host (tests); default the runner's. */
  wasiHost?: WasiHostFactory;
  clock?: WasiClock;
  random?: (into: Uint8Array) => void;
}

export interface WasmShellHost extends ShellHost {
  /**
   * Compiles the programs at `paths` ahead of time (asynchronously), so exec() finds them
   * compiled. Needed in a browser page for modules over Chromium's limit on synchronous
   * compilation (8 MB); elsewhere it only moves the compile time.
   */
  prepare(paths: string[]): Promise<void>;
}

export function createWasmShellHost(options: WasmShellHostOptions): WasmShellHost {
  const { fs, limits } = options;
  return {
    fs,
    exec(path: string, argv: string[], io: ShellIo, env: string[], cwd: string): number {
      return execProgram({
        path,
        args: argv,
        env,
        fs,
        cwd,
        stdin: io.stdin,
        stdout: io.stdout,
        stderr: io.stderr,
        fromShell: true,
        ...(limits === undefined ? {} : { limits }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.random === undefined ? {} : { random: options.random }),
        ...(options.wasiHost === undefined ? {} : { wasiHost: options.wasiHost }),
      }).code;
    },
    async prepare(paths: string[]): Promise<void> {
      for (const path of paths) await precompileProgram(fs, path, limits === undefined ? {} : { limits });
    },
  };
}

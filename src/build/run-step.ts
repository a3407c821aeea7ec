// The seam between the builder and whatever executes RUN: the builder prepares the build
// container's file system, environment and command; a RunStep runs it (the WASI runner and
// its built-in shell in wasmbox, a TypeScript fake in tests) and returns the exit status.

import type { Namespace } from '../vfs/namespace.js';

export interface RunStepContext {
  /**
   * What Docker would exec: the exec form as written, the shell form as
   * `[...shell, script]` (SHELL, default `['/bin/sh', '-c']`).
   */
  argv: string[];
  /** Set for the shell form: the shell and the script (heredocs included), for runners with a built-in shell. */
  shellForm?: { shell: string[]; script: string };
  /** The build container's file system: its changes become the step's layer. */
  fs: Namespace;
  /** `KEY=value`: the image's Env, the stage's ARGs (Env wins), PATH if unset. */
  env: string[];
  /** Absolute working directory (WORKDIR, `/` by default); it exists. */
  cwd: string;
  /** USER as written (`''` for root): `name`, `uid`, `name:group`, `uid:gid`. */
  user: string;
  /** `--mount=` values as written (not applied yet). */
  mounts: string[];
  /** `--network=` as written; builds have no network either way. */
  network?: string;
  /** Output of the process; the builder shows it in the build output. */
  onOutput(chunk: Uint8Array, stream: 'stdout' | 'stderr'): void;
  signal?: AbortSignal;
}

/** Runs one RUN step; resolves to the exit status (0 = success). */
export type RunStep = (ctx: RunStepContext) => Promise<number>;

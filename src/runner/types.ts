// Contracts between the pieces of the runner: the WASI preview1 host (wasi/), processes and
// workers (process.ts, worker/), and the built-in shell (shell/). Everything a guest touches
// is synchronous, because WASI calls are: stdin blocks (in a worker, through
// SharedArrayBuffer + Atomics), output is handed off without waiting.

import type { Namespace } from '../vfs/index.js';

/** A synchronous byte source for fd 0 (and pipes between shell commands). */
export interface SyncInput {
  /** Up to `max` bytes; an empty array never means EOF: null does. Blocks until data or EOF. */
  read(max: number): Uint8Array | null;
  /** True when a read would not block (data buffered or EOF reached); used by poll_oneoff. */
  ready(): boolean;
  /** Is this a terminal (for isatty / fdstat filetype CHARACTER_DEVICE)? */
  readonly isTTY?: boolean;
}

/** A synchronous byte sink for fds 1 and 2. Must not block for long; may throw EPIPE-coded WasmboxError. */
export interface SyncOutput {
  write(data: Uint8Array): void;
  readonly isTTY?: boolean;
}

export interface WasiClock {
  /** Wall clock, ns since the Unix epoch. */
  realtimeNs(): bigint;
  /** Monotonic clock, ns. */
  monotonicNs(): bigint;
}

export interface ProcessLimits {
  /** Largest linear memory in bytes (rounded down to 64 KiB pages); memory.grow fails past it. */
  memoryBytes?: number;
  /** Most file descriptors open at once (EMFILE past it). */
  maxOpenFiles?: number;
  /** Wall-clock deadline for the whole process, ms (worker mode only: inline cannot be interrupted). */
  timeoutMs?: number;
  /** Most bytes of stdout+stderr kept/forwarded; past it writes fail with EFBIG... (optional). */
  maxOutputBytes?: number;
}

/** What the WASI host needs to run one process. */
export interface WasiProcessOptions {
  /** argv, argv[0] included. */
  args: string[];
  /** `KEY=value` strings, exactly what the guest sees: nothing from the host unless given. */
  env: string[];
  /** The container's file system (root + mounts). */
  fs: Namespace;
  /** Working directory, absolute, inside fs. */
  cwd: string;
  stdin: SyncInput;
  stdout: SyncOutput;
  stderr: SyncOutput;
  clock?: WasiClock;
  /** Fills a buffer with random bytes (crypto.getRandomValues by default). */
  random?: (into: Uint8Array) => void;
  limits?: ProcessLimits;
  /**
   * Called before the host blocks the thread (a sleep in poll_oneoff): a worker sends its
   * buffered output and file-system changes first, so they do not wait for the sleep to end.
   */
  onBlock?: () => void;
}

/** How a process ended, in Docker's terms. */
export interface ExitStatus {
  /** The program's status; 125 runtime error, 126 not executable, 127 not found, 137 killed. */
  code: number;
  /** Set when the process did not end by itself: killed, timed out, trapped, ran out of memory. */
  reason?: 'killed' | 'timeout' | 'trap' | 'oom' | 'error';
  /** A message for the user (e.g. the trap and where it happened). */
  message?: string;
}

/** The file whose content marks the built-in shell inside an image (toolbox's /bin/sh). */
export const BUILTIN_SHELL_MARKER = '#!wasmbox:sh\n';

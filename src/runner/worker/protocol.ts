// The messages between a process's engine side and its worker, and the two small interfaces a
// platform implements to run workers (Node worker_threads, browser module Workers). The core
// never creates a Worker itself: the platform injects a WorkerFactory.

import type { FsChange } from '../replica/change-log.js';
import type { ReplicaInit } from '../replica/protocol.js';
import type { ExitStatus, ProcessLimits } from '../types.js';
import type { PostedModule } from '../exec-program.js';

/** The engine's handle on one worker thread. */
export interface RunnerWorker {
  postMessage(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** The worker failed outside the guest (could not load, an uncaught error). */
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

/** Starts a worker running the platform's worker entry (which calls runWorker). */
export type WorkerFactory = () => RunnerWorker;

/** The worker's side of the channel. */
export interface WorkerScope {
  postMessage(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

export interface StartMessage {
  type: 'start';
  /** The program; absent when `exec` names it. */
  module?: WebAssembly.Module;
  /**
   * Run the program at this path of the replicated file system instead (the built-in shell,
   * a `#!` script, a module), resolved and compiled in the worker: `sh -c '…'` and the
   * programs it starts then all run here, against this process's replica.
   */
  exec?: string;
  /** With `exec`: the container's programs, compiled by the engine, so the worker compiles none. */
  modules?: PostedModule[];
  args: string[];
  env: string[];
  cwd: string;
  limits?: ProcessLimits;
  tty: boolean;
  /** A SharedRing fed by the engine, or all of stdin up front (no SharedArrayBuffer). */
  stdin: { ring?: SharedArrayBuffer; data?: Uint8Array };
  /**
   * stdout/stderr as frames ([fd u8][length u32 LE][bytes]) in a SharedRing the engine
   * drains as they come; absent without SharedArrayBuffer: `output` messages in batches.
   */
  output?: SharedArrayBuffer;
  /** The container file system to replicate; none: an empty root. */
  fs?: ReplicaInit;
  /** Most ms between output batches while the guest keeps writing. */
  flushIntervalMs?: number;
  /** A PauseControl's cell (pause-gate.ts): the process blocks at its next call while it is set. */
  pause?: SharedArrayBuffer;
}

export type ToWorker = StartMessage;

export interface OutputChunk {
  fd: 1 | 2;
  data: Uint8Array;
}

export type FromWorker =
  | { type: 'started' }
  | { type: 'output'; chunks: OutputChunk[] }
  | { type: 'fs'; changes: FsChange[] }
  | { type: 'exit'; status: ExitStatus };

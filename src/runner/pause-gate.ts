// `docker pause` for worker processes: one shared Int32 cell the engine sets; the worker looks
// at it (one Atomics.load) at every WASI call, output write and file-system call, and blocks
// in Atomics.wait until the engine clears it. A guest computing without any call is paused at
// its next call: a thread cannot be frozen from outside as the cgroup freezer does.

import { WasmboxError } from '../errors.js';
import type { WasiHostFactory } from './run-module.js';

const RUNNING = 0;
const PAUSED = 1;

/** The engine's side: owns the cell a worker process checks. */
export class PauseControl {
  readonly buffer: SharedArrayBuffer;
  readonly #cell: Int32Array;

  constructor() {
    if (typeof SharedArrayBuffer === 'undefined') {
      throw new WasmboxError('NOT_IMPLEMENTED', 'pausing a process needs SharedArrayBuffer (a cross-origin isolated page in a browser)');
    }
    this.buffer = new SharedArrayBuffer(4);
    this.#cell = new Int32Array(this.buffer);
  }

  get paused(): boolean {
    return Atomics.load(this.#cell, 0) === PAUSED;
  }

  pause(): void {
    Atomics.store(this.#cell, 0, PAUSED);
  }

  resume(): void {
    Atomics.store(this.#cell, 0, RUNNING);
    Atomics.notify(this.#cell, 0);
  }
}

/**
 * The worker's side: a function to call at every checkpoint. `beforeWait` runs once when the
 * process is about to block (send buffered output and file-system changes first, so the engine
 * holds everything the process did before it was paused).
 */
export function pauseCheckpoint(buffer: SharedArrayBuffer, beforeWait: () => void): () => void {
  const cell = new Int32Array(buffer);
  return () => {
    if (Atomics.load(cell, 0) === RUNNING) return;
    beforeWait();
    while (Atomics.load(cell, 0) === PAUSED) Atomics.wait(cell, 0, PAUSED);
  };
}

/** Wraps a WASI host so that every import passes the checkpoint first. */
export function pausableWasiHost(factory: WasiHostFactory, checkpoint: () => void): WasiHostFactory {
  return (options) => {
    const host = factory(options);
    const wrapped: WebAssembly.Imports = {};
    for (const [module, calls] of Object.entries(host.imports)) {
      const out: Record<string, WebAssembly.ImportValue> = {};
      for (const [name, value] of Object.entries(calls)) {
        if (typeof value !== 'function') {
          out[name] = value;
          continue;
        }
        const call = value as (...args: unknown[]) => unknown;
        out[name] = (...args: unknown[]) => {
          checkpoint();
          return call(...args);
        };
      }
      wrapped[module] = out;
    }
    return { imports: wrapped, start: (instance) => host.start(instance) };
  };
}

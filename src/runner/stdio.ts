// Synchronous stdio for the WASI host: stdin from a buffer or a shared ring, stdout/stderr
// to callbacks. Same pieces in inline and worker mode.

import type { SharedRing } from './shared-ring.js';
import type { SyncInput, SyncOutput } from './types.js';
import { concatBytes } from '../util/bytes.js';

/** stdin that is all there already (inline mode; workers without SharedArrayBuffer). */
export class BufferedInput implements SyncInput {
  #data: Uint8Array;
  #offset = 0;
  constructor(
    data: Uint8Array = new Uint8Array(0),
    readonly isTTY = false,
  ) {
    this.#data = data;
  }

  read(max: number): Uint8Array | null {
    if (this.#offset >= this.#data.length) return null;
    const n = Math.min(max, this.#data.length - this.#offset);
    const out = this.#data.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  ready(): boolean {
    return true;
  }
}

/** stdin fed by the engine through a SharedRing: a read blocks the worker until data or EOF. */
export class RingInput implements SyncInput {
  constructor(
    private readonly ring: SharedRing,
    /** Called before blocking (flush output, so a prompt shows before the process waits). */
    private readonly beforeBlock: () => void,
    readonly isTTY = false,
  ) {}

  read(max: number): Uint8Array | null {
    const got = this.ring.tryRead(max);
    if (got === null || got.length > 0) return got;
    this.beforeBlock();
    return this.ring.read(max);
  }

  ready(): boolean {
    return this.ring.available() > 0 || this.ring.closed;
  }
}

/** Output to a callback (the byte cap, ProcessLimits.maxOutputBytes, is the WASI host's). */
export class CallbackOutput implements SyncOutput {
  constructor(
    private readonly sink: (data: Uint8Array) => void,
    readonly isTTY = false,
  ) {}

  write(data: Uint8Array): void {
    this.sink(data);
  }
}

/** Concatenates chunks (stdin collected before an inline start). */
export const concatChunks = concatBytes;

// Node-only helpers for heap measurements: a forced GC even when Node was started without
// --expose-gc (vitest, plain tsx), and the heap size after a full collection.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collectGarbage, installGc } from './lib.js';

let ready = false;

/** Makes `collectGarbage()` work: uses `globalThis.gc` or turns --expose-gc on at run time. */
export function ensureGc(): void {
  if (ready) return;
  ready = true;
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') return;
  setFlagsFromString('--expose-gc');
  installGc(runInNewContext('gc') as () => void);
}

/** heapUsed (bytes) after a full garbage collection. */
export function heapAfterGc(): number {
  ensureGc();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

// How a failure inside a WASI call becomes the errno the guest sees. Host code throws either
// a WasmboxError (the vfs, the stdio sinks) or a bare `Errno` for ABI-level failures; anything
// else (a host bug, an out-of-bounds pointer) must still end as an errno, never as a throw.

import { WasmboxError } from '../../errors.js';
import { E } from './constants.js';

/**
 * An ABI-level failure (EBADF, ENOTCAPABLE, EFAULT...). Not an Error on purpose: throwing it
 * captures no stack, so a guest probing thousands of bad fds costs nothing.
 */
export class Errno {
  constructor(readonly errno: number) {}
}

export const ERR_BADF = new Errno(E.BADF);
export const ERR_NOTDIR = new Errno(E.NOTDIR);
export const ERR_NOTCAPABLE = new Errno(E.NOTCAPABLE);
export const ERR_NOENT = new Errno(E.NOENT);
export const ERR_FAULT = new Errno(E.FAULT);
export const ERR_INVAL = new Errno(E.INVAL);
export const ERR_ILSEQ = new Errno(E.ILSEQ);
export const ERR_MFILE = new Errno(E.MFILE);
export const ERR_SPIPE = new Errno(E.SPIPE);
export const ERR_ISDIR = new Errno(E.ISDIR);

/** The errno for anything thrown inside a WASI call. */
export function errnoOf(e: unknown): number {
  if (e instanceof Errno) return e.errno;
  if (e instanceof WasmboxError) return e.errno;
  // A DataView access past the end of guest memory: the guest passed a bad pointer.
  if (e instanceof RangeError) return E.FAULT;
  return E.IO;
}

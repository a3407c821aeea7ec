// Running a WASI command on the caller's thread: instantiate with our preview1 imports and
// call `_start`. The fastest way to start a process (tests, benches, embedding); nothing can
// interrupt it, so CPU time limits need the worker mode instead.

import type { ExitStatus, WasiProcessOptions } from '../types.js';
import { WasiPreview1 } from './preview1.js';

/** Instantiates `module` (a WASI preview1 command) and runs it to the end. */
export function runWasiInline(module: WebAssembly.Module, options: WasiProcessOptions): ExitStatus {
  const wasi = new WasiPreview1(options);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, wasi.imports as unknown as WebAssembly.Imports);
  } catch (e) {
    // A missing import (another WASI version, an unknown host module) or a bad memory limit.
    wasi.closeAll();
    return { code: 126, reason: 'error', message: `cannot instantiate the module: ${e instanceof Error ? e.message : String(e)}` };
  }
  return wasi.start(instance);
}

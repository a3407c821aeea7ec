// Running one compiled module to its end on the current thread: instantiate it against the
// WASI host and map every way it can end to a Docker exit status. Shared by the inline mode
// (caller's thread) and the worker mode (inside the worker).

import type { ExitStatus, WasiProcessOptions } from './types.js';
import { defaultWasiHost } from './wasi-host.js';

/** What the process layer needs from a WASI preview1 host (src/runner/wasi). */
export interface WasiHost {
  readonly imports: WebAssembly.Imports;
  /** Runs `_start`; returns how the program ended (its exit status, or a trap). */
  start(instance: WebAssembly.Instance): ExitStatus;
}

export type WasiHostFactory = (options: WasiProcessOptions) => WasiHost;


/** Instantiates and runs `module`; never throws: failures become exit statuses (126 cannot execute, 125 runtime error, a trap near the memory limit 'oom'). */
export function runModule(module: WebAssembly.Module, options: WasiProcessOptions, factory: WasiHostFactory = defaultWasiHost): ExitStatus {
  let host: WasiHost;
  let instance: WebAssembly.Instance;
  try {
    host = factory(options);
  } catch (e) {
    return { code: 125, reason: 'error', message: `cannot start the process: ${(e as Error).message}` };
  }
  try {
    instance = new WebAssembly.Instance(module, host.imports);
  } catch (e) {
    // A LinkError: the module imports something this runtime does not provide (not a WASI preview1 command).
    return { code: 126, reason: 'error', message: `cannot execute ${options.args[0] ?? 'the module'}: ${(e as Error).message}` };
  }
  try {
    const status = host.start(instance);
    return status.reason === 'trap' ? oomOrTrap(status, instance, options) : status;
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) return { code: 134, reason: 'trap', message: e.message };
    if (e instanceof RangeError) return { code: 134, reason: 'trap', message: e.message };
    return { code: 125, reason: 'error', message: (e as Error).message };
  }
}

/** A trap with the memory grown to its limit is most likely the guest aborting on a failed allocation: report it as Docker's OOM. */
function oomOrTrap(status: ExitStatus, instance: WebAssembly.Instance, options: WasiProcessOptions): ExitStatus {
  const limit = options.limits?.memoryBytes;
  const memory = instance.exports['memory'];
  if (limit === undefined || !(memory instanceof WebAssembly.Memory)) return status;
  // Near the limit, the last grow most likely failed (a heuristic: a failed request can be
  // large, and a guest near its limit can trap for another reason).
  if (limit - memory.buffer.byteLength > Math.max(2 * 65536, limit / 8)) return status;
  return { code: status.code, reason: 'oom', message: `out of memory (limit ${limit} bytes)${status.message ? `: ${status.message}` : ''}` };
}

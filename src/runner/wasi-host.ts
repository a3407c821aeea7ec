// The WASI host processes use by default: our preview1 implementation (src/runner/wasi).
// Kept behind the small WasiHost seam so tests can run a process against another host.

import type { WasiHost } from './run-module.js';
import type { WasiProcessOptions } from './types.js';
import { WasiPreview1 } from './wasi/index.js';

export function defaultWasiHost(options: WasiProcessOptions): WasiHost {
  const wasi = new WasiPreview1(options);
  const onBlock = options.onBlock;
  let imports = wasi.imports as unknown as WebAssembly.Imports;
  if (onBlock !== undefined) {
    // poll_oneoff is where a guest sleeps or waits: let the caller send what it buffered first.
    const calls = imports['wasi_snapshot_preview1'] as Record<string, (...args: number[]) => number>;
    const poll = calls['poll_oneoff']!;
    imports = {
      ...imports,
      wasi_snapshot_preview1: {
        ...calls,
        poll_oneoff: (...args: number[]) => {
          onBlock();
          return poll(...args);
        },
      },
    };
  }
  return { imports, start: (instance) => wasi.start(instance) };
}

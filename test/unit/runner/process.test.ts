// spawnProcess without workers or a compiler: inline runs of a hand-made command module, the
// statuses of what cannot run, and the argument checks of worker mode.

import { describe, expect, it } from 'vitest';
import { ModuleCache } from '../../../src/runner/module-cache.js';
import { spawnProcess } from '../../../src/runner/process.js';
import type { WorkerFactory } from '../../../src/runner/worker/protocol.js';
import { Namespace, TreeFs } from '../../../src/vfs/index.js';

// (module (memory 1) (func (export "_start")) (export "memory" (memory 0)))
const NOOP = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x13, 0x02, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
]);

// (module (import "env" "f" (func)) (memory 1) (func (export "_start")) (export "memory" (memory 0)))
const NEEDS_ENV = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x13, 0x02, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
]);

describe('spawnProcess (inline)', () => {
  it('runs a command module to exit 0 and compiles it once', async () => {
    const cache = new ModuleCache();
    for (let i = 0; i < 3; i++) {
      const p = spawnProcess({ module: NOOP, args: ['noop'], mode: 'inline', moduleCache: cache });
      expect(p.mode).toBe('inline');
      expect(await p.exited).toEqual({ code: 0 });
      expect(p.startupMs).toBeGreaterThanOrEqual(0);
    }
    expect(cache.stats.compiled).toBe(1);
  });

  it('is inline by default when no worker factory is installed', async () => {
    expect(spawnProcess({ module: NOOP, args: ['noop'] }).mode).toBe('inline');
  });

  it('exits 137 when killed before it started', async () => {
    const p = spawnProcess({ module: NOOP, args: ['noop'], mode: 'inline', stdin: 'pipe' });
    p.kill();
    p.endStdin();
    expect(await p.exited).toEqual({ code: 137, reason: 'killed' });
  });

  it('exits 126 for bytes that are not a module and for a module importing what WASI does not provide', async () => {
    const bad = await spawnProcess({ module: new TextEncoder().encode('MZ'), args: ['x'], mode: 'inline' }).exited;
    expect(bad).toMatchObject({ code: 126, reason: 'error' });
    const link = await spawnProcess({ module: NEEDS_ENV, args: ['needs-env'], mode: 'inline' }).exited;
    expect(link.code).toBe(126);
    expect(link.message).toMatch(/needs-env/);
  });

  it('exits 125 when the memory limit is below the minimum', async () => {
    const s = await spawnProcess({ module: NOOP, args: ['noop'], mode: 'inline', limits: { memoryBytes: 1000 } }).exited;
    expect(s.code).toBe(125);
    expect(s.message).toMatch(/below the minimum memory/);
  });
});

describe('spawnProcess (worker) arguments', () => {
  const factory: WorkerFactory = () => {
    throw new Error('no worker should start');
  };

  it('needs a worker factory', () => {
    expect(() => spawnProcess({ module: NOOP, args: ['x'], mode: 'worker' })).toThrow(/WorkerFactory/);
  });

  it('refuses a bare Namespace (a worker needs a ContainerFsHub)', () => {
    expect(() => spawnProcess({ module: NOOP, args: ['x'], mode: 'worker', workerFactory: factory, fs: new Namespace(new TreeFs()) })).toThrow(
      /ContainerFsHub/,
    );
  });
});

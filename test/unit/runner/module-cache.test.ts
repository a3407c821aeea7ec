// The module cache compiles once per (content, memory limit), shares one compilation between
// concurrent requests and does not keep failures.

import { describe, expect, it } from 'vitest';
import { ModuleCache } from '../../../src/runner/module-cache.js';
import { memoriesOf } from '../../../src/runner/limits.js';

// (module (memory 1) (func (export "_start")) (export "memory" (memory 0)))
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x13, 0x02, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
]);

describe('ModuleCache', () => {
  it('compiles a module once, even for concurrent requests', async () => {
    const cache = new ModuleCache();
    const [a, b] = await Promise.all([cache.get(MODULE), cache.get(MODULE.slice())]);
    const c = await cache.get(MODULE);
    expect(a.module).toBe(b.module);
    expect(c.module).toBe(a.module);
    expect(cache.stats).toEqual({ compiled: 1, hits: 2, size: 1 });
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys by memory limit too (rounded down to pages)', async () => {
    const cache = new ModuleCache();
    const a = await cache.get(MODULE, { memoryBytes: 2 * 65536 });
    const b = await cache.get(MODULE, { memoryBytes: 2 * 65536 + 5 });
    const c = await cache.get(MODULE, { memoryBytes: 3 * 65536 });
    expect(b.module).toBe(a.module);
    expect(c.module).not.toBe(a.module);
    expect(a.memoryPages).toBe(2);
    expect(WebAssembly.Module.exports(c.module).map((e) => e.name)).toEqual(['_start', 'memory']);
    expect(memoriesOf(MODULE)[0]!.maximumPages).toBeUndefined();
    expect(cache.stats.compiled).toBe(2);
  });

  it('rejects an invalid module with INVALID_MODULE and does not cache the failure', async () => {
    const cache = new ModuleCache();
    const bad = new TextEncoder().encode('not wasm');
    await expect(cache.get(bad, { name: '/bin/x' })).rejects.toMatchObject({ code: 'INVALID_MODULE' });
    await expect(cache.get(bad)).rejects.toThrow(/not a valid WebAssembly module/);
    expect(cache.stats).toMatchObject({ compiled: 2, size: 0 });
  });

  it('drops the least recently used entry past maxEntries', async () => {
    const cache = new ModuleCache({ maxEntries: 2 });
    await cache.get(MODULE, { memoryBytes: 1 << 16 });
    await cache.get(MODULE, { memoryBytes: 2 << 16 });
    await cache.get(MODULE, { memoryBytes: 1 << 16 });
    await cache.get(MODULE, { memoryBytes: 3 << 16 });
    expect(cache.stats.size).toBe(2);
    await cache.get(MODULE, { memoryBytes: 1 << 16 });
    expect(cache.stats.compiled).toBe(3);
  });
});

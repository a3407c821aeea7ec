// The behaviour every VolumeBackend must have (memory, Node directory): run
// `volumeBackendSuite(name, factory)` from a backend's test file.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWasmboxError } from '../../src/errors.js';
import type { VolumeBackend, VolumeRecord } from '../../src/engine/volumes.js';

export interface VolumeBackendFixture {
  backend: VolumeBackend;
  /** Writes a file of `size` bytes into the volume's data, if the backend holds data. */
  writeData?: (name: string, file: string, size: number) => Promise<void>;
  cleanup?: () => Promise<void>;
}

export function record(name: string, labels: Record<string, string> = {}): VolumeRecord {
  return { name, driver: 'local', labels, options: {}, createdAt: '2024-01-02T03:04:05Z' };
}

export function volumeBackendSuite(name: string, factory: () => Promise<VolumeBackendFixture>): void {
  describe(`VolumeBackend: ${name}`, () => {
    let fx: VolumeBackendFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx.cleanup?.();
    });

    it('creates, gets and lists volumes with their metadata', async () => {
      expect(await fx.backend.list()).toEqual([]);
      await fx.backend.create(record('one', { a: 'b' }));
      await fx.backend.create(record('two'));
      expect(await fx.backend.get('one')).toEqual(record('one', { a: 'b' }));
      expect(await fx.backend.get('missing')).toBeUndefined();
      expect((await fx.backend.list()).map((v) => v.name).sort()).toEqual(['one', 'two']);
    });

    it('refuses to create a volume twice (EEXIST) and to remove a missing one (NOT_FOUND)', async () => {
      await fx.backend.create(record('dup'));
      await expect(fx.backend.create(record('dup'))).rejects.toSatisfy((e: unknown) => isWasmboxError(e, 'EEXIST'));
      await expect(fx.backend.remove('nope')).rejects.toSatisfy((e: unknown) => isWasmboxError(e, 'NOT_FOUND'));
    });

    it('removes a volume with its data', async () => {
      await fx.backend.create(record('gone'));
      await fx.writeData?.('gone', 'f', 10);
      await fx.backend.remove('gone');
      expect(await fx.backend.get('gone')).toBeUndefined();
      expect(await fx.backend.list()).toEqual([]);
      await fx.backend.create(record('gone'));
      expect(await fx.backend.usage('gone')).toBe(0);
    });

    it('gives each volume its own mountpoint ending in /<name>/_data', async () => {
      await fx.backend.create(record('m1'));
      await fx.backend.create(record('m2'));
      expect(fx.backend.mountpoint('m1')).toMatch(/[/\\]m1[/\\]_data$/);
      expect(fx.backend.mountpoint('m1')).not.toBe(fx.backend.mountpoint('m2'));
    });

    it('measures usage of the data', async () => {
      await fx.backend.create(record('sized'));
      expect(await fx.backend.usage('sized')).toBe(0);
      if (fx.writeData) {
        await fx.writeData('sized', 'a', 100);
        await fx.writeData('sized', 'b', 23);
        expect(await fx.backend.usage('sized')).toBe(123);
      }
    });
  });
}

// The shared VolumeBackend suite against memory and Node directories, plus what only the
// directory backend promises: its on-disk layout, and no half-made volume.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryVolumeBackend } from '../../src/engine/volumes.js';
import { NodeVolumeBackend } from '../../src/platform/node/volume-backend.js';
import { record, volumeBackendSuite } from './volume-backend.suite.js';

volumeBackendSuite('memory', async () => ({ backend: new MemoryVolumeBackend() }));

async function nodeFixture() {
  const base = await mkdtemp(join(tmpdir(), 'wasmbox-volumes-'));
  const backend = new NodeVolumeBackend({ root: join(base, 'volumes') });
  return {
    base,
    backend,
    writeData: (name: string, file: string, size: number) => writeFile(join(backend.mountpoint(name), file), new Uint8Array(size)),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

volumeBackendSuite('node directory', nodeFixture);

describe('NodeVolumeBackend', () => {
  let fx: Awaited<ReturnType<typeof nodeFixture>>;
  beforeEach(async () => {
    fx = await nodeFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('keeps <root>/<name>/_data and <root>/<name>/volume.json, nothing else', async () => {
    await fx.backend.create(record('data1'));
    expect(await readdir(join(fx.base, 'volumes'))).toEqual(['data1']);
    expect((await readdir(join(fx.base, 'volumes', 'data1'))).sort()).toEqual(['_data', 'volume.json']);
    expect(JSON.parse(await readFile(join(fx.base, 'volumes', 'data1', 'volume.json'), 'utf8'))).toEqual(record('data1'));
    expect(fx.backend.mountpoint('data1')).toBe(join(fx.base, 'volumes', 'data1', '_data'));
  });

  it('ignores a directory without metadata (a create that crashed) and stray names', async () => {
    await mkdir(join(fx.base, 'volumes', 'half', '_data'), { recursive: true });
    await mkdir(join(fx.base, 'volumes', '.removing-x'), { recursive: true });
    expect(await fx.backend.list()).toEqual([]);
    await fx.backend.create(record('half'));
    expect((await fx.backend.list()).map((v) => v.name)).toEqual(['half']);
  });

  it('refuses names that would leave the root', async () => {
    expect(() => fx.backend.mountpoint('../etc')).toThrow(/invalid volume name/);
    await expect(fx.backend.get('a/b')).rejects.toThrow(/invalid volume name/);
  });

  it('sees volumes another backend created on the same root (a restarted daemon)', async () => {
    await fx.backend.create(record('persist', { k: 'v' }));
    const again = new NodeVolumeBackend({ root: join(fx.base, 'volumes') });
    expect(await again.get('persist')).toEqual(record('persist', { k: 'v' }));
  });
});

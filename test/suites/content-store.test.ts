// The shared ContentStore suite against the memory and Node directory backends, plus what only
// the directory store promises: an OCI layout's blobs/ with nothing else in it, and no half blob
// or temp file left behind by a failed write.

import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, setSha256Factory } from '../../src/content/digest.js';
import { MemoryContentStore } from '../../src/content/index.js';
import { NodeDirContentStore } from '../../src/platform/node/content-dir-store.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../src/content/digest.js';
import { bytes, chunked, collect, contentStoreSuite, expectBytes, expectCode, pseudoRandom } from './content-store.suite.js';

contentStoreSuite('memory', async () => ({ store: new MemoryContentStore() }));

async function tempStore(): Promise<{ base: string; store: NodeDirContentStore; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'wasmbox-content-'));
  const store = new NodeDirContentStore({ root: join(base, 'layout') });
  return { base, store, cleanup: () => rm(base, { recursive: true, force: true }) };
}

describe('with node:crypto sha256', () => {
  // The Node platform installs the native hasher at start-up; run the directory store that way.
  beforeAll(() => installNodeSha256());
  afterAll(() =>
    setSha256Factory(() => {
      const h = nobleSha256.create();
      return { update: (d) => void h.update(d), hex: () => toHex(h.digest()) };
    }),
  );

  contentStoreSuite('node directory', tempStore);

  describe('NodeDirContentStore', () => {
    let fx: Awaited<ReturnType<typeof tempStore>>;
    beforeEach(async () => {
      fx = await tempStore();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('lays blobs out as an OCI image layout: <root>/blobs/sha256/<hex>, nothing else', async () => {
      const data = bytes('layer bytes');
      const info = await fx.store.put(data);
      const hex = info.digest.slice('sha256:'.length);
      expect(fx.store.blobPath(info.digest)).toBe(join(fx.base, 'layout', 'blobs', 'sha256', hex));
      expect(await readdir(join(fx.base, 'layout'))).toEqual(['blobs']);
      expect(await readdir(join(fx.base, 'layout', 'blobs'))).toEqual(['sha256']);
      expect(await readdir(join(fx.base, 'layout', 'blobs', 'sha256'))).toEqual([hex]);
      // The default temp dir is a sibling of the layout, and a finished put leaves it empty.
      expect(fx.store.tmpDir).toBe(join(fx.base, 'tmp'));
      expect(await readdir(fx.store.tmpDir)).toEqual([]);
    });

    it('leaves no blob and no temp file when the source fails half way', async () => {
      const data = pseudoRandom(3_000_000, 11);
      async function* failing(): AsyncIterable<Uint8Array> {
        // Big enough that bytes reach the temp file before the failure.
        yield data.subarray(0, 2_000_000);
        yield data.subarray(2_000_000, 2_500_000);
        throw new Error('registry connection dropped');
      }
      await expect(fx.store.put(failing(), { expected: digestOf(data) })).rejects.toThrow('registry connection dropped');
      expect(await readdir(join(fx.base, 'layout', 'blobs', 'sha256'))).toEqual([]);
      expect(await readdir(fx.store.tmpDir)).toEqual([]);
    });

    it('leaves no temp file after a digest mismatch or a cancel', async () => {
      await expectCode(fx.store.put(pseudoRandom(1_000_000), { expected: digestOf('nope') }), 'DIGEST_MISMATCH');
      const controller = new AbortController();
      const src = (async function* () {
        yield pseudoRandom(600_000, 2);
        controller.abort();
        yield pseudoRandom(10, 3);
      })();
      await expectCode(fx.store.put(src, { signal: controller.signal }), 'CANCELLED');
      expect(await readdir(join(fx.base, 'layout', 'blobs', 'sha256'))).toEqual([]);
      expect(await readdir(fx.store.tmpDir)).toEqual([]);
    });

    it('honours a tmpDir option', async () => {
      const tmp = join(fx.base, 'elsewhere');
      const store = new NodeDirContentStore({ root: join(fx.base, 'layout'), tmpDir: tmp });
      await store.put(bytes('x'));
      expect(await readdir(tmp)).toEqual([]);
      expect(await store.get(digestOf('x'))).toEqual(bytes('x'));
    });

    it('lists only sha256 blob files, ignoring other names', async () => {
      const info = await fx.store.put(bytes('real'));
      const dir = join(fx.base, 'layout', 'blobs', 'sha256');
      await writeFile(join(dir, 'README'), 'not a blob');
      await writeFile(join(dir, 'A'.repeat(64)), 'upper-case name');
      await mkdir(join(dir, 'b'.repeat(64)));
      expect(await fx.store.list()).toEqual([info]);
      expect(await fx.store.has(`sha256:${'b'.repeat(64)}`)).toBe(false);
    });

    it('sees blobs written by another store on the same root (a second process)', async () => {
      const other = new NodeDirContentStore({ root: join(fx.base, 'layout') });
      const info = await other.put(bytes('shared'));
      expectBytes(await fx.store.get(info.digest), bytes('shared'));
    });

    it('streams reads in large chunks', async () => {
      const data = pseudoRandom(1_000_000, 4);
      const info = await fx.store.put(chunked(data, [10_000]));
      const sizes: number[] = [];
      for await (const c of fx.store.read(info.digest)) sizes.push(c.byteLength);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(data.byteLength);
      for (const s of sizes.slice(0, -1)) expect(s).toBeGreaterThanOrEqual(64 * 1024);
      expectBytes(await collect(fx.store.read(info.digest)), data);
    });

    it('returns plain Uint8Arrays, not Buffers', async () => {
      const info = await fx.store.put(bytes('plain'));
      const got = await fx.store.get(info.digest);
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
    });
  });
});

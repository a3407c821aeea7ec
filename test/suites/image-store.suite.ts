// The behaviour every ImageStore backend pair (content store + metadata files) must have:
// run `imageStoreSuite(name, factory)` from a backend's test file. The factory may be called twice
// with the same `reopen` handle to check that a second store over the same backends sees it all.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/content/digest.js';
import { isWasmboxError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME } from '../../src/image/image-store.js';
import type { ImageStore } from '../../src/image/image-store.js';
import { parseIndex } from '../../src/image/manifest.js';
import { putTestImage } from '../helpers/image-fixtures.js';

export interface ImageStoreFixture {
  store: ImageStore;
  /** A second store over the same content and metadata (another process). */
  reopen: () => ImageStore;
  cleanup?: () => Promise<void>;
}

export async function expectCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp | string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(isWasmboxError(err), `expected a WasmboxError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  if (message !== undefined) expect((err as Error).message).toMatch(message);
}

async function blobDigests(store: ImageStore): Promise<Digest[]> {
  return (await store.content.list()).map((b) => b.digest).sort();
}

export function imageStoreSuite(name: string, factory: () => Promise<ImageStoreFixture>): void {
  describe(`ImageStore (${name})`, () => {
    let fx: ImageStoreFixture;
    let store: ImageStore;
    beforeEach(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup?.();
    });

    it('starts empty', async () => {
      expect(await store.list()).toEqual([]);
      await expectCode(store.resolve('ruby'), 'IMAGE_NOT_FOUND', 'No such image: ruby');
    });

    it('puts an image and lists it the way docker images does', async () => {
      const img = await putTestImage(store, {
        tags: ['ruby:3', 'localhost:5000/app'],
        layers: [{ a: '1' }, { b: '22' }],
        config: { config: { Labels: { team: 'x' } } },
      });
      expect(img.manifest.layers).toHaveLength(2);
      expect(img.config.os).toBe('wasi');
      const list = await store.list();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        id: img.id,
        manifestDigest: img.manifestDigest,
        repoTags: ['ruby:3', 'localhost:5000/app:latest'],
        repoDigests: [`ruby@${img.manifestDigest}`, `localhost:5000/app@${img.manifestDigest}`],
        created: '2024-01-01T00:00:00Z',
        labels: { team: 'x' },
      });
      expect(list[0]!.size).toBe(img.manifest.layers[0]!.size + img.manifest.layers[1]!.size);
    });

    it('resolves names, ids, id prefixes and digests', async () => {
      const img = await putTestImage(store, { tags: ['ruby', 'user/app:1.0'] });
      const hex = img.id.slice(7);
      for (const n of [
        'ruby',
        'ruby:latest',
        'docker.io/library/ruby:latest',
        'library/ruby',
        'user/app:1.0',
        'docker.io/user/app:1.0',
        img.id,
        hex,
        hex.slice(0, 12),
        `sha256:${hex.slice(0, 6)}`,
        `ruby@${img.manifestDigest}`,
        img.manifestDigest,
      ]) {
        expect((await store.resolve(n)).id, n).toBe(img.id);
      }
      expect(await store.has('ruby:3')).toBe(false);
      await expectCode(store.resolve('ruby:3'), 'IMAGE_NOT_FOUND', 'No such image: ruby:3');
      await expectCode(store.resolve('user/app'), 'IMAGE_NOT_FOUND');
      await expectCode(store.resolve(`sha256:${'0'.repeat(64)}`), 'IMAGE_NOT_FOUND');
      await expectCode(store.resolve('Bad:Ref'), 'IMAGE_NOT_FOUND');
    });

    it('writes index.json as an OCI layout with both name annotations, one entry per tag', async () => {
      const img = await putTestImage(store, { tags: ['ruby:3', 'ruby:latest'] });
      const index = parseIndex((await store.files.read('index.json'))!);
      expect(index.manifests).toHaveLength(2);
      for (const d of index.manifests) expect(d.digest).toBe(img.manifestDigest);
      expect(index.manifests.map((d) => d.annotations?.[ANNOTATION_REF_NAME])).toEqual(['docker.io/library/ruby:3', 'docker.io/library/ruby:latest']);
      expect(index.manifests.map((d) => d.annotations?.[ANNOTATION_CONTAINERD_NAME])).toEqual([
        'docker.io/library/ruby:3',
        'docker.io/library/ruby:latest',
      ]);
      expect(new TextDecoder().decode((await store.files.read('oci-layout'))!)).toBe('{"imageLayoutVersion":"1.0.0"}');
    });

    it('keeps untagged images and shows a moved tag leaving a dangling image', async () => {
      const a = await putTestImage(store, { tags: ['app:1'], layers: [{ a: 'a' }] });
      const b = await putTestImage(store, { tags: ['app:1'], layers: [{ b: 'b' }] });
      const c = await putTestImage(store, { layers: [{ c: 'c' }] });
      const list = await store.list();
      expect(list).toHaveLength(3);
      const byId = new Map(list.map((s) => [s.id, s]));
      expect(byId.get(a.id)!.repoTags).toEqual([]);
      expect(byId.get(b.id)!.repoTags).toEqual(['app:1']);
      expect(byId.get(c.id)!.repoTags).toEqual([]);
      expect((await store.resolve('app:1')).id).toBe(b.id);
      expect((await store.resolve(a.id)).repoTags).toEqual([]);
    });

    it('tags and untags', async () => {
      const img = await putTestImage(store, { tags: ['app:1'] });
      await store.tag('app:1', 'registry.example/team/app:2');
      await store.tag(img.id.slice(7, 19), 'other');
      expect((await store.resolve('registry.example/team/app:2')).id).toBe(img.id);
      expect((await store.resolve('other:latest')).repoTags).toEqual(['app:1', 'registry.example/team/app:2', 'other:latest']);
      await expectCode(store.tag('nope', 'x'), 'IMAGE_NOT_FOUND');
      await expectCode(store.tag('app:1', `x@sha256:${'a'.repeat(64)}`), 'INVALID_REFERENCE');
      await expectCode(store.tag('app:1', 'Bad'), 'INVALID_REFERENCE');
      await store.untag('app:1');
      await store.untag('registry.example/team/app:2');
      await store.untag('other');
      await expectCode(store.untag('other'), 'IMAGE_NOT_FOUND');
      const list = await store.list();
      expect(list).toHaveLength(1);
      expect(list[0]!.repoTags).toEqual([]);
    });

    it('removes by tag: untags first, deletes with the last tag, keeps shared layers', async () => {
      const shared = { shared: 'layer' };
      const a = await putTestImage(store, { tags: ['a:1', 'a:2'], layers: [shared, { a: 'a' }] });
      const b = await putTestImage(store, { tags: ['b:1'], layers: [shared, { b: 'b' }] });
      expect(await store.remove('a:1')).toEqual([{ Untagged: 'a:1' }]);
      expect(await store.remove('a:2')).toEqual([{ Untagged: 'a:2' }, { Deleted: a.id }]);
      await expectCode(store.resolve(a.id), 'IMAGE_NOT_FOUND');
      const blobs = await blobDigests(store);
      expect(blobs).not.toContain(a.manifestDigest);
      expect(blobs).not.toContain(a.id);
      expect(blobs).not.toContain(a.manifest.layers[1]!.digest);
      expect(blobs).toContain(a.manifest.layers[0]!.digest); // shared with b
      expect((await store.resolve('b:1')).id).toBe(b.id);
      expect(await blobDigests(store)).toEqual([b.id, b.manifestDigest, ...b.manifest.layers.map((l) => l.digest)].sort());
    });

    it('removes by id; conflicts when several repositories name it unless forced', async () => {
      const img = await putTestImage(store, { tags: ['a:1', 'b:1'] });
      await expectCode(store.remove(img.id), 'CONFLICT', /unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories/);
      expect((await store.list())[0]!.repoTags).toEqual(['a:1', 'b:1']);
      expect(await store.remove(img.id.slice(7, 15), { force: true })).toEqual([{ Untagged: 'a:1' }, { Untagged: 'b:1' }, { Deleted: img.id }]);
      expect(await store.list()).toEqual([]);
      expect(await blobDigests(store)).toEqual([]);
      const same = await putTestImage(store, { tags: ['c:1', 'c:2'] });
      expect(await store.remove(same.id)).toEqual([{ Untagged: 'c:1' }, { Untagged: 'c:2' }, { Deleted: same.id }]);
      const dangling = await putTestImage(store, { layers: [{ d: 'd' }] });
      expect(await store.remove(dangling.id)).toEqual([{ Deleted: dangling.id }]);
      await expectCode(store.remove('nope'), 'IMAGE_NOT_FOUND', 'No such image: nope');
    });

    it('prunes blobs no image reaches, and dangling images', async () => {
      const img = await putTestImage(store, { tags: ['keep'] });
      const stray = await store.content.put(new TextEncoder().encode('stray'));
      const dangling = await putTestImage(store, { layers: [{ z: 'z' }] });
      const pruned = await store.pruneDangling();
      expect(pruned.items).toEqual([{ Deleted: dangling.id }]);
      const result = await store.prune();
      expect(result.deleted).toEqual([stray.digest]);
      expect(result.spaceReclaimed).toBe(5);
      expect(await blobDigests(store)).toEqual([img.id, img.manifestDigest, ...img.manifest.layers.map((l) => l.digest)].sort());
      expect((await store.resolve('keep')).id).toBe(img.id);
    });

    it('does not lose concurrent tag updates', async () => {
      const img = await putTestImage(store, { tags: ['base'] });
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.tag('base', `t:${i}`)));
      expect((await store.resolve(img.id)).repoTags).toHaveLength(11);
    });

    it('refuses a manifest whose blobs are missing, leaving index.json unchanged', async () => {
      await putTestImage(store, { tags: ['ok'] });
      const before = await store.files.read('index.json');
      const missing = `sha256:${'9'.repeat(64)}` as Digest;
      await expectCode(store.putImage({ config: { architecture: 'wasm', os: 'wasi', rootfs: { type: 'layers', diff_ids: [missing] } }, layers: [{ digest: missing }], tags: ['bad'] }), 'BLOB_NOT_FOUND');
      expect(await store.files.read('index.json')).toEqual(before);
      await expectCode(store.putImage({ config: { architecture: 'wasm', os: 'wasi', rootfs: { type: 'layers', diff_ids: [] } }, layers: [{ data: new Uint8Array(1) }] }), 'INVALID_ARGUMENT', /1 layers/);
    });

    it('is seen by a second store over the same backends', async () => {
      const img = await putTestImage(store, { tags: ['persist:1'], gzip: true });
      expect(img.manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      const other = fx.reopen();
      expect((await other.resolve('persist:1')).id).toBe(img.id);
      await other.tag('persist:1', 'persist:2');
      expect((await store.resolve('persist:2')).id).toBe(img.id);
    });

    it('verifies manifests and configs on read', async () => {
      const img = await putTestImage(store, { tags: ['x'] });
      // A fresh store (no cache) over content whose config blob was swapped for other bytes.
      const other = fx.reopen();
      const realGet = other.content.get.bind(other.content);
      other.content.get = async (d: Digest) => (d === img.id ? new TextEncoder().encode('{"tampered":true}') : realGet(d));
      await expectCode(other.resolve('x'), 'DIGEST_MISMATCH', img.id);
    });
  });
}

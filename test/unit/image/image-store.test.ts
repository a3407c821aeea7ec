// ImageStore details beyond the shared suite (test/suites/image-store.suite.ts): write ordering
// for crash safety, failures of the metadata file, image indexes in index.json, entry names.
import { describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../../src/content/memory-store.js';
import type { Digest } from '../../../src/content/digest.js';
import type { ContentStore } from '../../../src/content/types.js';
import { ImageStore, MemoryMetadataFiles, entryName } from '../../../src/image/image-store.js';
import type { MetadataFiles } from '../../../src/image/image-store.js';
import { encodeJson } from '../../../src/image/manifest.js';
import { MediaType } from '../../../src/image/media-types.js';
import { putTestImage } from '../../helpers/image-fixtures.js';

function recorded() {
  const log: string[] = [];
  const content = new MemoryContentStore();
  const files = new MemoryMetadataFiles();
  const c: ContentStore = {
    has: (d) => content.has(d),
    size: (d) => content.size(d),
    get: (d) => content.get(d),
    read: (d) => content.read(d),
    list: () => content.list(),
    put: async (data, o) => {
      const info = await content.put(data, o);
      log.push(`put ${info.digest}`);
      return info;
    },
    delete: async (d) => {
      log.push(`delete ${d}`);
      return content.delete(d);
    },
  };
  let failWrites = false;
  const f: MetadataFiles = {
    read: (n) => files.read(n),
    write: async (n, data) => {
      if (failWrites) throw new Error('disk full');
      log.push(`write ${n}`);
      return files.write(n, data);
    },
  };
  return { log, store: new ImageStore({ content: c, files: f }), failWrites: (v: boolean) => (failWrites = v) };
}

describe('ImageStore write ordering', () => {
  it('writes every blob before index.json, and rewrites index.json before deleting blobs', async () => {
    const { log, store } = recorded();
    const img = await putTestImage(store, { tags: ['a'], layers: [{ x: '1' }, { y: '2' }] });
    const firstWrite = log.indexOf('write index.json');
    expect(log.slice(0, firstWrite).filter((l) => l.startsWith('put'))).toHaveLength(4);
    expect(log.slice(firstWrite).some((l) => l.startsWith('put'))).toBe(false);
    log.length = 0;
    await store.remove('a');
    expect(log[0]).toBe('write index.json');
    expect(log.slice(1).sort()).toEqual([img.id, img.manifestDigest, ...img.manifest.layers.map((l) => l.digest)].map((d) => `delete ${d}`).sort());
  });

  it('a failed index.json write leaves the tags as they were', async () => {
    const { store, failWrites } = recorded();
    await putTestImage(store, { tags: ['a'] });
    failWrites(true);
    await expect(putTestImage(store, { tags: ['a', 'b'], layers: [{ other: 'x' }] })).rejects.toThrow('disk full');
    await expect(store.tag('a', 'c')).rejects.toThrow('disk full');
    failWrites(false);
    const list = await store.list();
    expect(list.map((s) => s.repoTags)).toEqual([['a:latest']]);
  });
});

describe('ImageStore with an image index in index.json', () => {
  it('resolves a tag that names a manifest list to its wasi/wasm manifest', async () => {
    const content = new MemoryContentStore();
    const files = new MemoryMetadataFiles();
    const store = new ImageStore({ content, files });
    const wasm = await putTestImage(store, { layers: [{ w: 'wasm' }] });
    const linux = await putTestImage(store, { layers: [{ l: 'linux' }], config: { os: 'linux', architecture: 'amd64' } });
    const index = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        { ...linux.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
        { ...wasm.descriptor, platform: { os: 'wasi', architecture: 'wasm' } },
      ],
    });
    const info = await content.put(index);
    await store.addImages([{ descriptor: { mediaType: MediaType.OciIndex, digest: info.digest, size: info.size }, refs: [] }]);
    // Name it by hand, as a layout written by another tool would.
    const raw = JSON.parse(new TextDecoder().decode((await files.read('index.json'))!));
    raw.manifests.push({ mediaType: MediaType.OciIndex, digest: info.digest, size: info.size, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } });
    await files.write('index.json', encodeJson(raw));
    expect((await store.resolve('multi:1')).id).toBe(wasm.id);
    // Removing the wasm image keeps blobs the index still reaches.
    await store.remove('multi:1');
    expect(await content.has(linux.manifestDigest)).toBe(true);
  });
});

describe('entryName', () => {
  const d = (annotations: Record<string, string>) => ({ mediaType: MediaType.OciManifest, digest: `sha256:${'a'.repeat(64)}` as Digest, size: 1, annotations });
  it('prefers the containerd name, reads full refs from ref.name, ignores bare tags', () => {
    expect(entryName(d({ 'io.containerd.image.name': 'docker.io/library/ruby:3', 'org.opencontainers.image.ref.name': '3' }))).toBe('docker.io/library/ruby:3');
    expect(entryName(d({ 'org.opencontainers.image.ref.name': 'ruby:3' }))).toBe('docker.io/library/ruby:3');
    expect(entryName(d({ 'org.opencontainers.image.ref.name': 'latest' }))).toBeUndefined();
    expect(entryName(d({ 'org.opencontainers.image.ref.name': 'Not A Ref:x' }))).toBeUndefined();
  });
});

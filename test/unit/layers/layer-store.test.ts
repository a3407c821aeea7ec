import { describe, expect, it } from 'vitest';
import { isWasmboxError } from '../../../src/errors.js';
import { MemoryContentStore } from '../../../src/content/memory-store.js';
import { digestOf } from '../../../src/content/digest.js';
import type { Digest } from '../../../src/content/digest.js';
import { chainIdOf, chainIdsOf } from '../../../src/layers/chain-id.js';
import { detectCompression, gunzip, gzip } from '../../../src/layers/compression.js';
import { LayerStore, MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_LAYER_TAR } from '../../../src/layers/layer-store.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { findInTree } from '../../../src/vfs/merge.js';
import { fileBytes } from '../../../src/vfs/node.js';
import type { FileNode } from '../../../src/vfs/node.js';
import { entry, tarOf } from './raw-tar.js';

const enc = new TextEncoder();
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('chainIdOf', () => {
  it('follows the OCI image spec', () => {
    const a = digestOf('layer a');
    const b = digestOf('layer b');
    const c = digestOf('layer c');
    const ab = digestOf(`${a} ${b}`);
    expect(chainIdOf([a])).toBe(a);
    expect(chainIdOf([a, b])).toBe(ab);
    expect(chainIdOf([a, b, c])).toBe(digestOf(`${ab} ${c}`));
    expect(chainIdsOf([a, b])).toEqual([a, ab]);
    expect(() => chainIdOf([])).toThrow(/at least one/);
  });
});

async function storeWith(...tars: Uint8Array[]): Promise<{ store: LayerStore; content: MemoryContentStore; digests: Digest[]; tars: Uint8Array[] }> {
  const content = new MemoryContentStore();
  const digests: Digest[] = [];
  for (const [i, t] of tars.entries()) digests.push((await content.put(i % 2 === 0 ? await gzip(t) : t)).digest);
  return { store: new LayerStore(content), content, digests, tars };
}

const base = tarOf(entry({ name: 'etc/os-release' }, 'wasi'), entry({ name: 'etc/motd' }, 'hi'), entry({ name: 'bin/app', mode: 0o755 }, 'wasm'));
const top = tarOf(entry({ name: 'etc/.wh.motd' }), entry({ name: 'etc/app.conf' }, 'x=1'));

describe('LayerStore', () => {
  it('view merges gzip and plain layers, computes diff ids and the chain id', async () => {
    const { store, digests } = await storeWith(base, top);
    const v = await store.view(digests);
    expect(v.diffIds).toEqual([digestOf(base), digestOf(top)]);
    expect(v.chainId).toBe(chainIdOf(v.diffIds));
    expect(findInTree(v.root, '/etc/motd')).toBeUndefined();
    expect(text(fileBytes(findInTree(v.root, '/etc/app.conf') as FileNode))).toBe('x=1');
    expect(text(fileBytes(findInTree(v.root, '/etc/os-release') as FileNode))).toBe('wasi');
  });

  it('shares one merged tree per chain id (and merged prefixes)', async () => {
    const { store, digests } = await storeWith(base, top);
    const [one, two] = await Promise.all([store.view(digests), store.view(digests)]);
    expect(one.root).toBe(two.root);
    const prefix = await store.view(digests.slice(0, 1));
    expect(findInTree(one.root, '/bin/app')).toBe(findInTree(prefix.root, '/bin/app'));
  });

  it('an empty chain is an empty root (FROM scratch)', async () => {
    const { store } = await storeWith();
    const v = await store.view([]);
    expect(v.chainId).toBeUndefined();
    expect(v.root.entries.size).toBe(0);
  });

  it('a missing blob is LAYER_NOT_FOUND naming the digest', async () => {
    const { store } = await storeWith();
    const missing = digestOf('nope');
    await expect(store.view([missing])).rejects.toSatisfy((e: unknown) => isWasmboxError(e, 'LAYER_NOT_FOUND') && (e as Error).message.includes(missing));
  });

  it('prepare -> write -> commit gives a gzip layer whose view is the written tree', async () => {
    const { store, content, digests } = await storeWith(base, top);
    const fs = await store.prepare('c1', digests);
    expect(store.active('c1')).toBe(fs);
    const h = fs.open(['etc'], 'new', undefined, { write: true, create: true });
    h.write(enc.encode('created'), 0);
    h.close();
    fs.unlink(['bin'], 'app');

    const layer = await store.commit('c1', { mtimeMs: 0 });
    expect(layer.mediaType).toBe(MEDIA_TYPE_LAYER_GZIP);
    expect(layer.empty).toBe(false);
    const blob = await content.get(layer.digest);
    expect(detectCompression(blob)).toBe('gzip');
    expect(layer.size).toBe(blob.length);
    const tar = await gunzip(blob);
    expect(layer.diffId).toBe(digestOf(tar));
    expect(readTar(tar).entries.map((e) => e.path).sort()).toEqual(['bin/', 'bin/.wh.app', 'etc/', 'etc/new']);

    const v = await store.view([...digests, layer.digest]);
    expect(v.diffIds[2]).toBe(layer.diffId);
    expect(findInTree(v.root, '/bin/app')).toBeUndefined();
    expect(text(fileBytes(findInTree(v.root, '/etc/new') as FileNode))).toBe('created');

    // A second store (cold cache) reads the same blob back to the same tree.
    const cold = await new LayerStore(content).view([...digests, layer.digest]);
    expect(cold.chainId).toBe(v.chainId);
    expect(text(fileBytes(findInTree(cold.root, '/etc/new') as FileNode))).toBe('created');
  });

  it('commit without compression; an unchanged tree is an empty layer; keys are unique', async () => {
    const { store, digests } = await storeWith(base);
    await store.prepare('k', digests);
    await expect(store.prepare('k', digests)).rejects.toSatisfy((e: unknown) => isWasmboxError(e, 'CONFLICT'));
    const layer = await store.commit('k', { compression: 'none' });
    expect(layer).toMatchObject({ mediaType: MEDIA_TYPE_LAYER_TAR, empty: true });
    expect(store.remove('k')).toBe(true);
    expect(store.remove('k')).toBe(false);
    await expect(store.commit('k')).rejects.toSatisfy((e: unknown) => isWasmboxError(e, 'NOT_FOUND'));
  });
});

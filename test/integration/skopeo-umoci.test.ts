// Interop with the reference tools: an image wasmbox writes (store directory, save archive,
// exported layout) is read by skopeo and umoci, and what they write is loaded by wasmbox.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportImages, importArchive, tarEntries } from '../../src/image/archive.js';
import { ImageStore } from '../../src/image/image-store.js';
import type { ImageRecord } from '../../src/image/image-store.js';
import { decompressLayer } from '../../src/layers/compression.js';
import { NodeDirContentStore } from '../../src/platform/node/content-dir-store.js';
import { exportLayoutDir, importLayoutDir } from '../../src/platform/node/layout-dir.js';
import { NodeLayoutFiles } from '../../src/platform/node/layout-files.js';
import { ensureTool } from '../helpers/tools.js';
import { chunked, collect, memoryImageStore, putTestImage } from '../helpers/image-fixtures.js';

const run = promisify(execFile);
let skopeo: string;
let umoci: string;
let base: string;
let root: string;
let store: ImageStore;
let image: ImageRecord;

function nodeStore(dir: string): ImageStore {
  return new ImageStore({ content: new NodeDirContentStore({ root: dir }), files: new NodeLayoutFiles({ root: dir }) });
}

async function sh(bin: string, args: string[]): Promise<string> {
  // skopeo as root writes a blob-info cache under /var/lib/containers; keep it in the temp dir.
  const env = { ...process.env, TMPDIR: base, XDG_RUNTIME_DIR: base, HOME: base };
  const { stdout } = await run(bin, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

const skopeoRun = (...args: string[]) => sh(skopeo, ['--insecure-policy', ...args]);

/** File name → content of a layer blob. */
async function layerFiles(store: ImageStore, digest: `sha256:${string}`): Promise<Record<string, string>> {
  const tarBytes = await decompressLayer(await store.content.get(digest));
  const out: Record<string, string> = {};
  for await (const e of tarEntries(chunked(tarBytes))) {
    const data = await collect(e.body);
    if (e.type === 'file') out[e.path.replace(/^\.?\//, '')] = new TextDecoder().decode(data);
  }
  return out;
}

beforeAll(async () => {
  skopeo = await ensureTool('skopeo');
  umoci = await ensureTool('umoci');
  base = await mkdtemp(join(tmpdir(), 'wasmbox-interop-'));
  root = join(base, 'store');
  store = nodeStore(root);
  image = await putTestImage(store, {
    tags: ['hello:1', 'localhost:5000/x/y:2'],
    layers: [{ 'hello.txt': 'hi' }, { 'b/c.txt': 'c' }],
    gzip: true,
    config: { config: { Cmd: ['/hello.wasm'], Labels: { made: 'wasmbox' } } },
  });
  await putTestImage(store, { layers: [{ d: 'dangling' }] });
});

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('skopeo and umoci read the wasmbox store directory', () => {
  it('skopeo inspect oci:<store>:<full ref>', async () => {
    const info = JSON.parse(await skopeoRun('inspect', `oci:${root}:docker.io/library/hello:1`));
    expect(info.Digest).toBe(image.manifestDigest);
    expect(info.Os).toBe('wasi');
    expect(info.Architecture).toBe('wasm');
    expect(info.Labels).toEqual({ made: 'wasmbox' });
    expect(info.Layers).toEqual(image.manifest.layers.map((l) => l.digest));
    const config = JSON.parse(await skopeoRun('inspect', '--config', `oci:${root}:localhost:5000/x/y:2`));
    expect(config.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
  });

  it('umoci ls lists the tags (not the dangling image); umoci raw unpack gets the files', async () => {
    const refs = (await sh(umoci, ['ls', '--layout', root])).trim().split('\n').sort();
    expect(refs).toEqual(['docker.io/library/hello:1', 'localhost:5000/x/y:2']);
    const rootfs = join(base, 'rootfs');
    await sh(umoci, ['raw', 'unpack', '--rootless', '--image', `${root}:docker.io/library/hello:1`, rootfs]);
    expect(await readFile(join(rootfs, 'hello.txt'), 'utf8')).toBe('hi');
    expect(await readFile(join(rootfs, 'b', 'c.txt'), 'utf8')).toBe('c');
  });

  it('skopeo copy oci:… docker-archive:… is loaded by importArchive (old docker save layout)', async () => {
    const archive = join(base, 'skopeo-docker.tar');
    await skopeoRun('copy', `oci:${root}:localhost:5000/x/y:2`, `docker-archive:${archive}:localhost:5000/x/y:2`);
    const fresh = memoryImageStore();
    const result = await importArchive(fresh, createReadStream(archive) as AsyncIterable<Uint8Array>, { source: archive });
    expect(result.images.map((i) => i.repoTags)).toEqual([['localhost:5000/x/y:2']]);
    const loaded = await fresh.resolve('localhost:5000/x/y:2');
    // skopeo keeps the config bytes and writes uncompressed layers, whose digests are the diff ids.
    expect(loaded.id).toBe(image.id);
    expect(loaded.manifest.layers.map((l) => l.digest)).toEqual(image.config.rootfs.diff_ids);
    expect(await layerFiles(fresh, loaded.manifest.layers[0]!.digest)).toEqual({ 'hello.txt': 'hi' });
  });
});

describe('skopeo reads wasmbox archives and layouts, and wasmbox loads what skopeo writes', () => {
  let exported: string;
  beforeAll(async () => {
    exported = join(base, 'wasmbox-save.tar');
    await writeFile(exported, await collect(exportImages(store, ['hello:1', 'localhost:5000/x/y:2'])));
  });

  it('our export is a valid docker-archive and oci-archive for skopeo', async () => {
    const asDocker = JSON.parse(await skopeoRun('inspect', `docker-archive:${exported}:hello:1`));
    expect(asDocker.Os).toBe('wasi');
    expect(asDocker.Layers).toHaveLength(2);
    const asOci = JSON.parse(await skopeoRun('inspect', `oci-archive:${exported}:docker.io/library/hello:1`));
    expect(asOci.Digest).toBe(image.manifestDigest);
  });

  it('skopeo copy docker-archive:<our export> oci:<dir> is read by importLayoutDir', async () => {
    const dir = join(base, 'skopeo-oci');
    await skopeoRun('copy', `docker-archive:${exported}:hello:1`, `oci:${dir}:docker.io/library/hello:copied`);
    const fresh = memoryImageStore();
    const result = await importLayoutDir(fresh, dir);
    expect(result.images.map((i) => i.repoTags)).toEqual([['hello:copied']]);
    const loaded = await fresh.resolve('hello:copied');
    expect(loaded.config.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
    expect(loaded.config.os).toBe('wasi');
    expect(await layerFiles(fresh, loaded.manifest.layers[1]!.digest)).toEqual({ 'b/c.txt': 'c' });
  });

  it('skopeo copy oci-archive → docker-archive round trip loads into a Node store', async () => {
    const archive = join(base, 'again.tar');
    await skopeoRun('copy', `oci-archive:${exported}:docker.io/library/hello:1`, `docker-archive:${archive}:again:1`);
    const dir = join(base, 'node-store-2');
    const second = nodeStore(dir);
    await importArchive(second, createReadStream(archive) as AsyncIterable<Uint8Array>);
    expect((await second.resolve('again:1')).id).toBe(image.id);
    // And the Node store we loaded into is itself a layout skopeo reads.
    const info = JSON.parse(await skopeoRun('inspect', `oci:${dir}:docker.io/library/again:1`));
    expect(info.Os).toBe('wasi');
  });

  it('exportLayoutDir writes a layout skopeo and umoci read', async () => {
    const dir = join(base, 'exported-layout');
    await exportLayoutDir(store, ['localhost:5000/x/y:2'], dir);
    expect((await sh(umoci, ['ls', '--layout', dir])).trim()).toBe('localhost:5000/x/y:2');
    const info = JSON.parse(await skopeoRun('inspect', `oci:${dir}:localhost:5000/x/y:2`));
    expect(info.Digest).toBe(image.manifestDigest);
  });

  it('an image built with umoci init/new/unpack/repack is loaded by importLayoutDir', async () => {
    const dir = join(base, 'umoci-layout');
    const bundle = join(base, 'umoci-bundle');
    await sh(umoci, ['init', '--layout', dir]);
    await sh(umoci, ['new', '--image', `${dir}:docker.io/library/u:1`]);
    await sh(umoci, ['unpack', '--rootless', '--image', `${dir}:docker.io/library/u:1`, bundle]);
    await writeFile(join(bundle, 'rootfs', 'f.txt'), 'from umoci\n');
    await sh(umoci, ['repack', '--image', `${dir}:docker.io/library/u:1`, bundle]);
    const fresh = memoryImageStore();
    const result = await importLayoutDir(fresh, dir);
    expect(result.images.map((i) => i.repoTags)).toEqual([['u:1']]);
    const loaded = await fresh.resolve('u:1');
    expect(loaded.config.os).toBe('linux');
    expect(loaded.config.rootfs.diff_ids).toHaveLength(loaded.manifest.layers.length);
    expect(await layerFiles(fresh, loaded.manifest.layers.at(-1)!.digest)).toMatchObject({ 'f.txt': 'from umoci\n' });
  });

  it('umoci insert output (a layer tar without end-of-archive blocks) still loads', async () => {
    // umoci 0.4.7 `insert` writes a layer tar that stops right after the file data; the layer
    // store must tolerate that when it reads the layer, import only checks digests.
    const dir = join(base, 'umoci-insert');
    const file = join(base, 'g.txt');
    await writeFile(file, 'inserted');
    await sh(umoci, ['init', '--layout', dir]);
    await sh(umoci, ['new', '--image', `${dir}:docker.io/library/v:1`]);
    await sh(umoci, ['insert', '--rootless', '--image', `${dir}:docker.io/library/v:1`, file, '/g.txt']);
    const fresh = memoryImageStore();
    await importLayoutDir(fresh, dir);
    const loaded = await fresh.resolve('v:1');
    expect(loaded.manifest.layers).toHaveLength(1);
    expect(loaded.config.rootfs.diff_ids).toHaveLength(1);
  });
});

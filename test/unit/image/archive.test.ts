// docker save / docker load archives and OCI layout tars: round trips between stores, the old and
// new docker-save layouts, and malformed archives that must leave the store exactly as it was.
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { digestHex, digestOf } from '../../../src/content/digest.js';
import type { Digest } from '../../../src/content/digest.js';
import { isWasmboxError } from '../../../src/errors.js';
import type { ErrorCode } from '../../../src/errors.js';
import { exportImages, importArchive, tarEntries } from '../../../src/image/archive.js';
import type { ImageStore } from '../../../src/image/image-store.js';
import { MediaType } from '../../../src/image/media-types.js';
import { gzip } from '../../../src/layers/compression.js';
import { chunked, collect, makeTar, memoryImageStore, putTestImage } from '../../helpers/image-fixtures.js';
import type { TarFile } from '../../helpers/image-fixtures.js';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

async function exportBytes(store: ImageStore, names: string[]): Promise<Uint8Array> {
  return collect(exportImages(store, names));
}

async function tarFiles(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of tarEntries(chunked(bytes))) {
    const data = await collect(e.body);
    if (e.type === 'file') out.set(e.path, data);
  }
  return out;
}

async function snapshot(store: ImageStore) {
  return { list: await store.list(), blobs: (await store.content.list()).map((b) => b.digest).sort(), index: await store.files.read('index.json') };
}

async function expectLoadFails(archive: Uint8Array | TarFile[], code: ErrorCode, message?: RegExp | string): Promise<void> {
  const store = memoryImageStore();
  await putTestImage(store, { tags: ['existing:1'], layers: [{ e: 'existing' }] });
  const before = await snapshot(store);
  const bytes = archive instanceof Uint8Array ? archive : await makeTar(archive);
  let err: unknown;
  try {
    await importArchive(store, chunked(bytes, 777));
  } catch (e) {
    err = e;
  }
  expect(isWasmboxError(err), `expected WasmboxError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
  expect(await snapshot(store)).toEqual(before);
}

describe('exportImages', () => {
  it('writes a tar that is both an OCI layout and a docker save archive', async () => {
    const store = memoryImageStore();
    const a = await putTestImage(store, { tags: ['ruby:3', 'localhost:5000/x:1'], layers: [{ a: '1' }, { b: '2' }] });
    const b = await putTestImage(store, { tags: ['user/app'], layers: [{ c: '3' }], gzip: true });
    const files = await tarFiles(await exportBytes(store, ['ruby:3', 'localhost:5000/x:1', 'user/app']));
    expect(JSON.parse(new TextDecoder().decode(files.get('oci-layout')!))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(new TextDecoder().decode(files.get('index.json')!));
    expect(index.manifests.map((d: { annotations: Record<string, string> }) => d.annotations['io.containerd.image.name'])).toEqual([
      'docker.io/library/ruby:3',
      'localhost:5000/x:1',
      'docker.io/user/app:latest',
    ]);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!));
    expect(manifest).toEqual([
      { Config: `blobs/sha256/${digestHex(a.id)}`, RepoTags: ['ruby:3', 'localhost:5000/x:1'], Layers: a.manifest.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`) },
      { Config: `blobs/sha256/${digestHex(b.id)}`, RepoTags: ['user/app:latest'], Layers: [`blobs/sha256/${digestHex(b.manifest.layers[0]!.digest)}`] },
    ]);
    const repositories = JSON.parse(new TextDecoder().decode(files.get('repositories')!));
    expect(repositories.ruby).toEqual({ '3': digestHex(a.manifest.layers[1]!.digest) });
    for (const [path, data] of files) {
      if (path.startsWith('blobs/sha256/')) expect(digestOf(data)).toBe(`sha256:${path.slice(13)}`);
    }
    expect([...files.keys()].filter((p) => p.startsWith('blobs/'))).toHaveLength(3 + 2 + 2); // layers, configs, manifests
  });

  it('exports an image by id without tags', async () => {
    const store = memoryImageStore();
    const a = await putTestImage(store, { tags: ['ruby'] });
    const files = await tarFiles(await exportBytes(store, [a.id]));
    expect(JSON.parse(new TextDecoder().decode(files.get('manifest.json')!))[0].RepoTags).toBeNull();
  });

  it('stops cleanly when the consumer stops reading', async () => {
    const store = memoryImageStore();
    await putTestImage(store, { tags: ['big'], layers: [{ big: 'x'.repeat(2_000_000) }] });
    let chunks = 0;
    for await (const _ of exportImages(store, ['big'])) if (++chunks === 2) break;
    expect(chunks).toBe(2);
  });

  it('fails with IMAGE_NOT_FOUND for an unknown name', async () => {
    await expect(exportBytes(memoryImageStore(), ['nope'])).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });
});

describe('importArchive', () => {
  it('round-trips several images into a fresh store', async () => {
    const src = memoryImageStore();
    await putTestImage(src, { tags: ['ruby:3', 'ruby:latest'], layers: [{ a: '1' }, { b: '2' }] });
    await putTestImage(src, { tags: ['ghcr.io/o/app:v1'], layers: [{ c: '3' }], gzip: true });
    const archive = await exportBytes(src, ['ruby:3', 'ruby:latest', 'ghcr.io/o/app:v1']);
    const dst = memoryImageStore();
    const result = await importArchive(dst, chunked(archive, 1234));
    expect(result.images.map((i) => i.repoTags)).toEqual([['ruby:3'], ['ruby:latest'], ['ghcr.io/o/app:v1']]);
    expect(await dst.list()).toEqual(await src.list());
    expect((await dst.content.list()).sort((x, y) => x.digest.localeCompare(y.digest))).toEqual(
      (await src.content.list()).sort((x, y) => x.digest.localeCompare(y.digest)),
    );
    // Loading again is idempotent.
    await importArchive(dst, chunked(archive));
    expect(await dst.list()).toEqual(await src.list());
  });

  it('reads a gzip-compressed archive (docker save | gzip)', async () => {
    const src = memoryImageStore();
    const img = await putTestImage(src, { tags: ['zipped'] });
    const archive = await gzip(await exportBytes(src, ['zipped']));
    const dst = memoryImageStore();
    await importArchive(dst, chunked(archive));
    expect((await dst.resolve('zipped')).id).toBe(img.id);
  });

  it('reads a docker save archive with only manifest.json (no index.json)', async () => {
    const src = memoryImageStore();
    const img = await putTestImage(src, { tags: ['plain:1'], layers: [{ a: 'a' }, { b: 'b' }], gzip: true });
    const files = await tarFiles(await exportBytes(src, ['plain:1']));
    files.delete('index.json');
    files.delete('oci-layout');
    const dst = memoryImageStore();
    const result = await importArchive(dst, chunked(await makeTar([...files].map(([name, data]) => ({ name, data })))));
    expect(result.images).toEqual([{ id: img.id, manifestDigest: expect.any(String), repoTags: ['plain:1'] }]);
    const loaded = await dst.resolve('plain:1');
    expect(loaded.id).toBe(img.id);
    expect(loaded.manifest.layers.map((l) => [l.digest, l.mediaType])).toEqual(img.manifest.layers.map((l) => [l.digest, MediaType.OciLayerGzip]));
  });

  it('reads an old-style docker save (<id>/layer.tar, <id>.json, a symlinked layer)', async () => {
    const l1 = await makeTar([{ name: 'bin/hello.wasm', data: 'wasm' }]);
    const l2 = await makeTar([{ name: 'etc/motd', data: 'hi' }]);
    const config = enc({
      architecture: 'wasm',
      os: 'wasi',
      config: { Cmd: ['/bin/hello.wasm'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(l1), digestOf(l2), digestOf(l1)] },
    });
    const configHex = digestHex(digestOf(config));
    const archive: TarFile[] = [
      { name: 'aaa/', type: 'directory' },
      { name: 'aaa/VERSION', data: '1.0' },
      { name: 'aaa/json', data: '{}' },
      { name: 'aaa/layer.tar', data: l1 },
      { name: 'bbb/layer.tar', data: l2 },
      { name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' },
      { name: `${configHex}.json`, data: config },
      { name: 'manifest.json', data: JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['old:style'], Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'] }]) },
      { name: 'repositories', data: JSON.stringify({ old: { style: 'bbb' } }) },
    ];
    const store = memoryImageStore();
    const result = await importArchive(store, chunked(await makeTar(archive)));
    expect(result.images[0]!.id).toBe(`sha256:${configHex}`);
    const img = await store.resolve('old:style');
    expect(img.manifest.layers.map((l) => l.digest)).toEqual([digestOf(l1), digestOf(l2), digestOf(l1)]);
    expect(img.manifest.layers[0]!.mediaType).toBe(MediaType.OciLayer);
    expect(img.config.config?.Cmd).toEqual(['/bin/hello.wasm']);
  });

  it('reads an OCI layout tar without manifest.json, untagged entries as dangling images', async () => {
    const src = memoryImageStore();
    const a = await putTestImage(src, { tags: ['oci:1'] });
    const files = await tarFiles(await exportBytes(src, ['oci:1']));
    files.delete('manifest.json');
    files.delete('repositories');
    const index = JSON.parse(new TextDecoder().decode(files.get('index.json')!));
    index.manifests.push({ ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'latest' } });
    files.set('index.json', enc(index));
    const dst = memoryImageStore();
    const result = await importArchive(dst, chunked(await makeTar([...files].map(([name, data]) => ({ name, data })))));
    expect(result.images.map((i) => i.repoTags)).toEqual([['oci:1'], []]);
    expect((await dst.resolve('oci:1')).id).toBe(a.id);
  });

  describe('malformed archives fail clearly and leave the store unchanged', () => {
    async function goodFiles(): Promise<{ files: Map<string, Uint8Array>; archive: Uint8Array; layer: Digest }> {
      const src = memoryImageStore();
      const img = await putTestImage(src, { tags: ['new:1'], layers: [{ n: 'new layer' }, { m: 'more' }] });
      const archive = await exportBytes(src, ['new:1']);
      return { files: await tarFiles(archive), archive, layer: img.manifest.layers[1]!.digest };
    }
    const asTar = (files: Map<string, Uint8Array>) => [...files].map(([name, data]) => ({ name, data }));

    it('truncated tar', async () => {
      const { archive } = await goodFiles();
      await expectLoadFails(archive.subarray(0, Math.floor(archive.length / 2) + 100), 'INVALID_ARCHIVE', /truncated|not in the archive|missing|not a valid tar/);
      await expectLoadFails(archive.subarray(0, 700), 'INVALID_ARCHIVE');
    });

    it('not a tar at all', async () => {
      await expectLoadFails(enc('hello, this is not a tar archive'.repeat(40)), 'INVALID_ARCHIVE');
      await expectLoadFails(new Uint8Array(0), 'INVALID_ARCHIVE', /neither index.json/);
    });

    it('bad JSON in index.json / manifest.json / config', async () => {
      const { files } = await goodFiles();
      await expectLoadFails(asTar(new Map([...files, ['index.json', enc('{oops')]])), 'INVALID_MANIFEST', /index.json.*not valid JSON/);
      const dockerOnly = new Map(files);
      dockerOnly.delete('index.json');
      dockerOnly.delete('oci-layout');
      await expectLoadFails(asTar(new Map([...dockerOnly, ['manifest.json', enc('[{"Config": 3}]')]])), 'INVALID_MANIFEST', /manifest.json\[0\].Config/);
      await expectLoadFails(asTar(new Map([...dockerOnly, ['manifest.json', enc('nope')]])), 'INVALID_MANIFEST', /not valid JSON/);
    });

    it('missing blob', async () => {
      const { files, layer } = await goodFiles();
      const missing = new Map(files);
      missing.delete(`blobs/sha256/${digestHex(layer)}`);
      await expectLoadFails(asTar(missing), 'INVALID_ARCHIVE', new RegExp(`${layer}.*missing`));
      missing.delete('index.json');
      missing.delete('oci-layout');
      await expectLoadFails(asTar(missing), 'INVALID_ARCHIVE', /Layers\[1\].*not in the archive/);
    });

    it('blob whose content does not match its name', async () => {
      const { files, layer } = await goodFiles();
      const wrong = new Map(files);
      wrong.set(`blobs/sha256/${digestHex(layer)}`, enc('tampered'));
      await expectLoadFails(asTar(wrong), 'DIGEST_MISMATCH', `blobs/sha256/${digestHex(layer)}`);
    });

    it('unknown media type', async () => {
      const { files } = await goodFiles();
      const index = JSON.parse(new TextDecoder().decode(files.get('index.json')!));
      index.manifests[0].mediaType = 'application/x-unknown';
      await expectLoadFails(asTar(new Map([...files, ['index.json', enc(index)]])), 'UNSUPPORTED_MEDIA_TYPE', /application\/x-unknown/);
    });

    it('layer that does not match the config diff_ids', async () => {
      const other = await makeTar([{ name: 'x', data: 'other' }]);
      const config = enc({ architecture: 'wasm', os: 'wasi', rootfs: { type: 'layers', diff_ids: [digestOf('not this')] } });
      await expectLoadFails(
        [
          { name: 'l/layer.tar', data: other },
          { name: 'c.json', data: config },
          { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l/layer.tar'] }]) },
        ],
        'DIGEST_MISMATCH',
        /l\/layer.tar/,
      );
    });

    it('gzip layer that does not unpack to the config diff_ids', async () => {
      const layer = await gzip(await makeTar([{ name: 'x', data: 'other' }]));
      const config = enc({ architecture: 'wasm', os: 'wasi', rootfs: { type: 'layers', diff_ids: [digestOf('not this')] } });
      await expectLoadFails(
        [
          { name: 'l.tar.gz', data: layer },
          { name: 'c.json', data: config },
          { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l.tar.gz'] }]) },
        ],
        'DIGEST_MISMATCH',
        /l.tar.gz unpacks to/,
      );
    });

    it('a blob path that is not a digest', async () => {
      await expectLoadFails([{ name: 'blobs/sha256/xyz', data: 'x' }], 'INVALID_ARCHIVE', /blobs\/sha256\/xyz/);
    });
  });

  it('tarEntries yields entries from a tar-stream archive', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'a.txt' }, 'A');
    pack.finalize();
    const names: string[] = [];
    for await (const e of tarEntries(pack as AsyncIterable<Uint8Array>)) {
      names.push(e.path);
      await collect(e.body);
    }
    expect(names).toEqual(['a.txt']);
  });
});

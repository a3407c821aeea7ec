// pull() against an in-memory registry: platform selection in an index, the wasm artifact
// conversion, docker's progress events, and faults (wrong blob, truncated or dropped bodies,
// 500s): a pull retries or fails cleanly, never storing a bad blob or a tag without its image.
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/content/digest.js';
import { isWasmboxError } from '../../../src/errors.js';
import { createImageConfig } from '../../../src/image/config.js';
import { MediaType } from '../../../src/image/media-types.js';
import { RegistryClient } from '../../../src/image/registry/client.js';
import { pull, wasmModuleNames } from '../../../src/image/registry/pull.js';
import type { ProgressEvent } from '../../../src/image/registry/progress.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { FakeRegistry } from '../../helpers/fake-registry.js';
import { makeTar, memoryImageStore } from '../../helpers/image-fixtures.js';

const enc = new TextEncoder();

async function imageIn(reg: FakeRegistry, options: { os?: string; layers?: number; layerSize?: number } = {}) {
  const tars = [];
  for (let i = 0; i < (options.layers ?? 2); i++) {
    tars.push(await makeTar([{ name: `f${i}.txt`, data: `layer ${i} `.repeat(options.layerSize ?? 10) }]));
  }
  const layers = tars.map((t) => reg.addBlob(t, MediaType.OciLayer));
  const config = createImageConfig({ os: options.os ?? 'wasi', created: '2024-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) } });
  const configDesc = reg.addBlob(enc.encode(JSON.stringify(config)), MediaType.OciConfig);
  const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDesc, layers };
  return { manifest, layers, configDesc };
}

function setup() {
  const reg = new FakeRegistry();
  const client = new RegistryClient({ fetch: reg.fetch, sleep: async () => undefined });
  const store = memoryImageStore();
  const events: ProgressEvent[] = [];
  const opts = { client, onProgress: (e: ProgressEvent) => events.push(e), retryDelayMs: 1 };
  return { reg, client, store, events, opts };
}

describe('pull', () => {
  it('pulls a manifest, tags it, and reports progress like docker', async () => {
    const { reg, store, events, opts } = setup();
    const { manifest, layers } = await imageIn(reg);
    const d = reg.addManifest('team/app', 'v1', manifest, MediaType.OciManifest);
    const r = await pull(store, 'reg.test/team/app:v1', opts);
    expect(r.status).toBe('downloaded');
    expect(r.digest).toBe(d.digest);
    expect(r.image.repoTags).toEqual(['reg.test/team/app:v1']);
    expect(r.image.manifestDigest).toBe(d.digest);
    const id = layers[0]!.digest.slice(7, 19);
    const mine = events.filter((e) => e.id === id).map((e) => e.status);
    expect(mine[0]).toBe('Pulling fs layer');
    expect(mine).toContain('Downloading');
    expect(mine.slice(-3)).toEqual(['Verifying Checksum', 'Download complete', 'Pull complete']);
    expect(events[0]).toEqual({ id: 'v1', status: 'Pulling from team/app' });
    expect(events.at(-2)).toEqual({ status: `Digest: ${d.digest}` });
    expect(events.at(-1)).toEqual({ status: 'Status: Downloaded newer image for reg.test/team/app:v1' });
    const downloading = events.find((e) => e.status === 'Downloading' && e.id === id)!;
    expect(downloading.progressDetail!.total).toBe(layers[0]!.size);

    events.length = 0;
    const again = await pull(store, 'reg.test/team/app:v1', opts);
    expect(again.status).toBe('up-to-date');
    expect(events.filter((e) => e.id === id).map((e) => e.status)).toEqual(['Already exists']);
    expect(events.at(-1)!.status).toBe('Status: Image is up to date for reg.test/team/app:v1');
  });

  it('picks wasi/wasm (or wasip1/wasm) from an index and names the platforms when there is none', async () => {
    const { reg, store, opts } = setup();
    const wasm = await imageIn(reg);
    const linux = await imageIn(reg, { os: 'linux', layers: 1 });
    const wasmD = reg.addManifest('a', undefined, wasm.manifest, MediaType.OciManifest);
    const linuxD = reg.addManifest('a', undefined, linux.manifest, MediaType.OciManifest);
    const index = (entries: object[]) => ({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries });
    const idx = reg.addManifest('a', 'multi', index([{ ...linuxD, platform: { os: 'linux', architecture: 'amd64' } }, { ...wasmD, platform: { os: 'wasip1', architecture: 'wasm' } }]), MediaType.OciIndex);
    const r = await pull(store, 'reg.test/a:multi', opts);
    expect(r.digest).toBe(idx.digest);
    expect(r.image.manifestDigest).toBe(wasmD.digest);

    reg.addManifest('a', 'linux-only', index([
      { ...linuxD, platform: { os: 'linux', architecture: 'amd64' } },
      { ...linuxD, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]), MediaType.OciIndex);
    const e = await pull(store, 'reg.test/a:linux-only', opts).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'UNSUPPORTED_PLATFORM')).toBe(true);
    expect((e as Error).message).toContain('available: linux/amd64, linux/arm64/v8');
    expect((await store.list()).flatMap((s) => s.repoTags)).toEqual(['reg.test/a:multi']);
  });

  it('refuses a single-platform image built for another os, tagging nothing', async () => {
    const { reg, store, opts } = setup();
    const linux = await imageIn(reg, { os: 'linux' });
    reg.addManifest('l', 'x', linux.manifest, MediaType.OciManifest);
    const e = await pull(store, 'reg.test/l:x', opts).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'UNSUPPORTED_PLATFORM')).toBe(true);
    expect((e as Error).message).toMatch(/is for linux\/wasm, not wasi\/wasm/);
    expect(await store.list()).toEqual([]);
  });

  it('converts a CNCF wasm artifact into a runnable wasi/wasm image', async () => {
    const { reg, store, opts } = setup();
    const module = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const layer = { ...reg.addBlob(module, MediaType.WasmLayer), annotations: { 'org.opencontainers.image.title': 'hello.wasm' } };
    const config = reg.addBlob(enc.encode(JSON.stringify({ created: '2024-02-03T04:05:06Z', architecture: 'wasm', os: 'wasip1', layerDigests: [layer.digest] })), MediaType.WasmConfig);
    const d = reg.addManifest('w', 'v1', { schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: MediaType.WasmConfig, config, layers: [layer] }, MediaType.OciManifest);
    const r = await pull(store, 'reg.test/w:v1', opts);
    expect(r.converted).toBe(true);
    expect(r.digest).toBe(d.digest);
    expect(r.image.config.os).toBe('wasi');
    expect(r.image.config.architecture).toBe('wasm');
    expect(r.image.config.created).toBe('2024-02-03T04:05:06Z');
    expect(r.image.config.config?.Entrypoint).toEqual(['/hello.wasm']);
    expect(r.image.repoTags).toEqual(['reg.test/w:v1']);
    const tar = await store.content.get(r.image.manifest.layers[0]!.digest);
    const entries = readTar(tar).entries;
    expect(entries.map((e) => [e.path, e.mode & 0o777])).toEqual([['hello.wasm', 0o755]]);
    expect([...entries[0]!.data!]).toEqual([...module]);
    expect(r.image.config.rootfs.diff_ids).toEqual([digestOf(tar)]);
    // The raw module is not kept: the converted layer holds it.
    expect(await store.content.has(layer.digest)).toBe(false);
    expect((await pull(store, 'reg.test/w:v1', opts)).status).toBe('up-to-date');
  });

  it('names converted modules from their title, else app.wasm', () => {
    const l = (title?: string) => ({ mediaType: MediaType.WasmLayer, digest: digestOf('x'), size: 1, ...(title ? { annotations: { 'org.opencontainers.image.title': title } } : {}) });
    expect(wasmModuleNames([l()])).toEqual(['app.wasm']);
    expect(wasmModuleNames([l('a/b/tool.wasm'), l('../evil'), l('tool.wasm')])).toEqual(['tool.wasm', 'app-1.wasm', 'app-2-1.wasm']);
  });
});

describe('pull faults', () => {
  it('a wrong blob fails with DIGEST_MISMATCH and stores neither the blob nor a tag', async () => {
    const { reg, store, opts } = setup();
    const { manifest, layers } = await imageIn(reg);
    reg.addManifest('f', 'x', manifest, MediaType.OciManifest);
    reg.fault = (d) => (d === layers[1]!.digest ? 'wrong' : undefined);
    const e = await pull(store, 'reg.test/f:x', opts).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'DIGEST_MISMATCH')).toBe(true);
    expect(await store.content.has(layers[1]!.digest)).toBe(false);
    expect(await store.list()).toEqual([]);
    expect(reg.attempts(layers[1]!.digest)).toBe(1);
  });

  it('resumes a dropped or truncated download with Range', async () => {
    for (const fault of ['drop', 'truncate'] as const) {
      const { reg, store, opts } = setup();
      const { manifest, layers } = await imageIn(reg, { layerSize: 1000 });
      reg.addManifest('f', 'x', manifest, MediaType.OciManifest);
      reg.fault = (d, n) => (d === layers[0]!.digest && n === 0 ? fault : undefined);
      const r = await pull(store, 'reg.test/f:x', opts);
      expect(r.image.repoTags).toEqual(['reg.test/f:x']);
      const gets = reg.requests.filter((q) => q.method === 'GET' && q.path.endsWith(layers[0]!.digest));
      expect(gets).toHaveLength(2);
      expect(gets[1]!.range).toBe(`bytes=${Math.floor(layers[0]!.size / 2)}-`);
      expect(digestOf(await store.content.get(layers[0]!.digest))).toBe(layers[0]!.digest);
    }
  });

  it('restarts a broken download when the registry ignores Range', async () => {
    const { reg, store, opts } = setup();
    reg.rangeSupport = false;
    const { manifest, layers } = await imageIn(reg, { layerSize: 1000 });
    reg.addManifest('f', 'x', manifest, MediaType.OciManifest);
    reg.fault = (d, n) => (d === layers[0]!.digest && n === 0 ? 'drop' : undefined);
    await pull(store, 'reg.test/f:x', opts);
    expect(reg.attempts(layers[0]!.digest)).toBe(3);
    expect(digestOf(await store.content.get(layers[0]!.digest))).toBe(layers[0]!.digest);
  });

  it('retries a 500, and gives up cleanly when the blob never comes', async () => {
    const { reg, store, opts } = setup();
    const { manifest, layers } = await imageIn(reg);
    reg.addManifest('f', 'x', manifest, MediaType.OciManifest);
    reg.fault = (d, n) => (d === layers[0]!.digest && n < 2 ? 500 : undefined);
    await pull(store, 'reg.test/f:x', opts);
    expect(reg.attempts(layers[0]!.digest)).toBe(3);

    const bad = setup();
    const img = await imageIn(bad.reg);
    bad.reg.addManifest('f', 'x', img.manifest, MediaType.OciManifest);
    bad.reg.fault = (d) => (d === img.layers[0]!.digest ? 'drop' : undefined);
    const e = await pull(bad.store, 'reg.test/f:x', bad.opts).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'REGISTRY_ERROR')).toBe(true);
    expect((e as Error).message).toContain(img.layers[0]!.digest);
    expect(await bad.store.content.has(img.layers[0]!.digest)).toBe(false);
    expect(await bad.store.list()).toEqual([]);
  });

  it('stops on cancellation: CANCELLED, no partial blob, no tag', async () => {
    const { reg, store, client } = setup();
    const { manifest, layers } = await imageIn(reg, { layerSize: 1000 });
    reg.addManifest('f', 'x', manifest, MediaType.OciManifest);
    const ac = new AbortController();
    const e = await pull(store, 'reg.test/f:x', {
      client,
      signal: ac.signal,
      onProgress: (ev) => {
        if (ev.status === 'Downloading') ac.abort(new Error('user hit ^C'));
      },
    }).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'CANCELLED')).toBe(true);
    for (const l of layers) expect(await store.content.has(l.digest)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('a missing tag is IMAGE_NOT_FOUND with the registry\'s words', async () => {
    const { store, opts } = setup();
    const e = await pull(store, 'reg.test/none:x', opts).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'IMAGE_NOT_FOUND')).toBe(true);
    expect((e as Error).message).toBe('manifest for reg.test/none:x not found: manifest unknown: manifest unknown');
  });
});

// `pull`: fetches an image from a registry into the image store. Picks the wasi/wasm manifest of
// an index, downloads config and layers (3 at a time, resuming with Range or restarting a failed
// layer), verifies every blob before it is stored, and tags only once everything is in place.
//
// CNCF wasm artifacts (config `application/vnd.wasm.config.v0+json`, layers `application/wasm`)
// are converted into a runnable image: one uncompressed layer tar holding each module at
// `/<title>.wasm` (the layer's `org.opencontainers.image.title` when it is a plain `*.wasm` file
// name, else `/app.wasm`, `/app-1.wasm`…; mode 0755, owner 0:0, mtime = the artifact's
// `created`), and an OCI config with `os: wasi`, `architecture: wasm`, `Entrypoint:
// ["/<first module>"]` and the artifact's `created`. The converted manifest carries the
// annotation `io.wasmbox.converted-from: <repository>@<artifact digest>`; the raw module blobs
// are not kept.

import { WasmboxError } from '../../errors.js';
import { digestOf } from '../../content/digest.js';
import type { Digest } from '../../content/digest.js';
import { writeTar } from '../../layers/tar-writer.js';
import { createImageConfig, parseImageConfig } from '../config.js';
import type { ImageConfig } from '../config.js';
import type { ImageRecord, ImageStore } from '../image-store.js';
import { parseManifestOrIndex } from '../manifest.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../manifest.js';
import { MediaType, isIndexMediaType, isManifestMediaType } from '../media-types.js';
import { parseReference } from '../reference.js';
import type { ImageRef } from '../reference.js';
import { defaultSleep } from './client.js';
import type { RegistryClient } from './client.js';
import { runLimited, shortDigest } from './progress.js';
import type { ProgressListener } from './progress.js';

export const ANNOTATION_CONVERTED_FROM = 'io.wasmbox.converted-from';

export interface PullPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface PullOptions {
  client: RegistryClient;
  /** Default wasi/wasm (`wasip1` is accepted as the same os). */
  platform?: PullPlatform;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Blobs downloaded at once (default 3). */
  concurrency?: number;
  /** Resumes or restarts of one blob after its download broke (default 3). */
  blobRetries?: number;
  /** First delay before resuming a broken download; doubles each time (default 500 ms). */
  retryDelayMs?: number;
}

export interface PullResult {
  /** The reference that was pulled, normalised (`docker.io/library/x:latest`). */
  reference: ImageRef;
  /** The digest the registry serves for the reference (an index's digest when it names one). */
  digest: Digest;
  image: ImageRecord;
  /** `up-to-date` when the store already had this image under this name. */
  status: 'downloaded' | 'up-to-date';
  /** True when the registry held a CNCF wasm artifact that was converted. */
  converted: boolean;
}

/** Thrown inside a download when the registry ignored Range: the whole blob must be fetched again. */
class RestartDownload extends Error {}

const WASI_OSES = ['wasi', 'wasip1'];

function osMatches(wanted: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return WASI_OSES.includes(wanted) ? WASI_OSES.includes(actual) : wanted === actual;
}

function platformText(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (!p) return 'unknown';
  return [p.os ?? 'unknown', p.architecture ?? 'unknown', p.variant].filter(Boolean).join('/');
}

/** The index entry for a platform; UNSUPPORTED_PLATFORM naming what the index does offer. */
export function selectPullPlatform(index: ImageIndex, platform: PullPlatform, where: string): Descriptor {
  const candidates = index.manifests.filter((d) => isManifestMediaType(d.mediaType) || isIndexMediaType(d.mediaType));
  const hit = candidates.find(
    (d) =>
      osMatches(platform.os, d.platform?.os) &&
      d.platform?.architecture === platform.architecture &&
      (platform.variant === undefined || d.platform?.variant === platform.variant),
  );
  if (hit) return hit;
  const offered = [...new Set(candidates.map((d) => platformText(d.platform)))];
  throw new WasmboxError(
    'UNSUPPORTED_PLATFORM',
    `no matching manifest for ${platformText(platform)} in the manifest list entries of ${where} (available: ${offered.join(', ') || 'none'})`,
    { details: { platform: platformText(platform), available: offered } },
  );
}

function knownMediaType(t: string): string | undefined {
  return isManifestMediaType(t) || isIndexMediaType(t) ? t : undefined;
}

interface Ctx {
  store: ImageStore;
  client: RegistryClient;
  ref: ImageRef;
  options: PullOptions;
  emit: ProgressListener;
}

/**
 * Streams one blob from the registry into the content store, verified against its descriptor.
 * A broken download resumes from the last byte with Range, or starts over when the registry
 * ignores Range; a wrong blob (DIGEST_MISMATCH) fails at once and stores nothing.
 */
async function downloadBlob(ctx: Ctx, desc: Descriptor, onBytes?: (received: number) => void): Promise<void> {
  const { client, ref, options } = ctx;
  const retries = options.blobRetries ?? 3;
  const delay = options.retryDelayMs ?? 500;
  let failures = 0;
  const failed = async (e: unknown): Promise<void> => {
    if (options.signal?.aborted || (e instanceof WasmboxError && e.code !== 'REGISTRY_ERROR')) throw e;
    if (failures >= retries) {
      const why = e instanceof Error ? e.message : String(e);
      throw new WasmboxError('REGISTRY_ERROR', `downloading blob ${desc.digest} of ${ref.repository} failed ${failures + 1} times: ${why}`, { cause: e });
    }
    await defaultSleep(delay * 2 ** failures, options.signal);
    failures++;
  };
  async function* resumable(): AsyncIterable<Uint8Array> {
    let received = 0;
    for (;;) {
      let body: AsyncIterable<Uint8Array>;
      try {
        const r = await client.getBlob(ref, desc.digest, { signal: options.signal, offset: received });
        if (r.offset !== received) throw new RestartDownload(`the registry ignored Range for ${desc.digest}`);
        body = r.body;
      } catch (e) {
        if (e instanceof RestartDownload) throw e;
        await failed(e);
        continue;
      }
      try {
        for await (const chunk of body) {
          received += chunk.length;
          onBytes?.(received);
          yield chunk;
        }
      } catch (e) {
        await failed(e);
        continue;
      }
      // A body shorter than the descriptor is a dropped connection that ended cleanly: resume.
      if (received >= desc.size) return;
      await failed(new Error(`the registry sent ${received} of ${desc.size} bytes`));
    }
  }
  for (;;) {
    try {
      await ctx.store.content.put(resumable(), { expected: desc.digest, expectedSize: desc.size, signal: options.signal });
      return;
    } catch (e) {
      if (!(e instanceof RestartDownload)) throw e;
      await failed(e);
    }
  }
}

/** Downloads a small blob (a config) into memory, verified. */
async function fetchSmallBlob(ctx: Ctx, desc: Descriptor): Promise<Uint8Array> {
  if (await ctx.store.content.has(desc.digest)) return ctx.store.content.get(desc.digest);
  await downloadBlob(ctx, desc);
  return ctx.store.content.get(desc.digest);
}

/** Downloads layers with docker's per-layer progress events; returns the digests that were fetched. */
async function downloadLayers(ctx: Ctx, layers: Descriptor[]): Promise<Set<Digest>> {
  const { emit, store } = ctx;
  const unique = layers.filter((l, i) => layers.findIndex((o) => o.digest === l.digest) === i);
  const limit = ctx.options.concurrency ?? 3;
  const todo: Descriptor[] = [];
  for (const l of unique) {
    if (await store.content.has(l.digest)) emit({ id: shortDigest(l.digest), status: 'Already exists', progressDetail: {} });
    else {
      emit({ id: shortDigest(l.digest), status: 'Pulling fs layer', progressDetail: {} });
      todo.push(l);
    }
  }
  todo.forEach((l, i) => {
    if (i >= limit) emit({ id: shortDigest(l.digest), status: 'Waiting', progressDetail: {} });
  });
  await runLimited(todo, limit, async (l) => {
    const id = shortDigest(l.digest);
    await downloadBlob(ctx, l, (current) => emit({ id, status: 'Downloading', progressDetail: { current, total: l.size } }));
    emit({ id, status: 'Verifying Checksum', progressDetail: {} });
    emit({ id, status: 'Download complete', progressDetail: {} });
  });
  // Docker reports "Pull complete" in layer order once each layer is usable.
  for (const l of todo) emit({ id: shortDigest(l.digest), status: 'Pull complete', progressDetail: {} });
  return new Set(todo.map((l) => l.digest));
}

async function previousImage(store: ImageStore, ref: ImageRef): Promise<ImageRecord | undefined> {
  try {
    return await store.resolve(ref.toString());
  } catch {
    return undefined;
  }
}

function checkConfigPlatform(config: ImageConfig, platform: PullPlatform, ref: ImageRef): void {
  if (osMatches(platform.os, config.os) && config.architecture === platform.architecture) return;
  throw new WasmboxError(
    'UNSUPPORTED_PLATFORM',
    `image ${ref.familiar()} is for ${platformText(config)}, not ${platformText(platform)}: wasmbox runs WebAssembly (wasi/wasm) images only`,
    { details: { platform: platformText(config), wanted: platformText(platform) } },
  );
}

/** Pulls `reference` into `store`; see the module comment for the wasm artifact conversion. */
export async function pull(store: ImageStore, reference: string | ImageRef, options: PullOptions): Promise<PullResult> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const platform = options.platform ?? { os: 'wasi', architecture: 'wasm' };
  const emit: ProgressListener = options.onProgress ?? (() => undefined);
  const ctx: Ctx = { store, client: options.client, ref, options, emit };
  const target = ref.digest ?? ref.tag ?? 'latest';
  emit({ id: ref.digest ?? target, status: `Pulling from ${ref.path}` });

  const top = await options.client.getManifest(ref, target, { signal: options.signal });
  const where = `${ref.repository}@${top.digest}`;
  let parsed = parseManifestOrIndex(top.bytes, { digest: top.digest, mediaType: knownMediaType(top.mediaType), source: where });
  let manifestBytes = top.bytes;
  let manifestDigest = top.digest;
  let manifestMediaType = parsed.kind === 'manifest' ? (parsed.manifest.mediaType ?? MediaType.OciManifest) : '';
  for (let depth = 0; parsed.kind === 'index'; depth++) {
    if (depth > 2) throw new WasmboxError('INVALID_MANIFEST', `${where}: indexes nested too deep`);
    const child = selectPullPlatform(parsed.index, platform, ref.familiar());
    const got = await options.client.getManifest(ref, child.digest, { signal: options.signal });
    parsed = parseManifestOrIndex(got.bytes, { digest: got.digest, mediaType: child.mediaType, source: `${ref.repository}@${got.digest}` });
    manifestBytes = got.bytes;
    manifestDigest = got.digest;
    manifestMediaType = child.mediaType;
  }
  const manifest: ImageManifest = parsed.manifest;
  const refs = ref.digest === undefined ? [ref] : [];
  const before = ref.digest === undefined ? await previousImage(store, ref) : undefined;

  let image: ImageRecord;
  let converted = false;
  if (manifest.config.mediaType === MediaType.WasmConfig) {
    image = await convertWasmArtifact(ctx, manifest, top.digest, refs);
    converted = true;
  } else {
    const configBytes = await fetchSmallBlob(ctx, manifest.config);
    checkConfigPlatform(parseImageConfig(configBytes, { digest: manifest.config.digest, source: where }), platform, ref);
    await downloadLayers(ctx, manifest.layers);
    await store.content.put(manifestBytes, { expected: manifestDigest, expectedSize: manifestBytes.length, signal: options.signal });
    const descriptor: Descriptor = { mediaType: manifestMediaType, digest: manifestDigest, size: manifestBytes.length };
    await store.addImages([{ descriptor, refs }]);
    image = await store.resolve(manifestDigest);
  }
  const upToDate = before !== undefined && before.manifestDigest === image.manifestDigest;
  emit({ status: `Digest: ${top.digest}` });
  emit({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${ref.familiar()}` });
  return { reference: ref, digest: top.digest, image, status: upToDate ? 'up-to-date' : 'downloaded', converted };
}

const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.wasm$/;

/** Module file names inside the converted layer, one per `application/wasm` layer. */
export function wasmModuleNames(layers: Descriptor[]): string[] {
  const names: string[] = [];
  layers.forEach((l, i) => {
    const title = l.annotations?.['org.opencontainers.image.title']?.split('/').pop();
    let name = title !== undefined && MODULE_NAME.test(title) ? title : i === 0 ? 'app.wasm' : `app-${i}.wasm`;
    for (let n = 1; names.includes(name); n++) name = `app-${i}-${n}.wasm`;
    names.push(name);
  });
  return names;
}

async function convertWasmArtifact(ctx: Ctx, manifest: ImageManifest, digest: Digest, refs: ImageRef[]): Promise<ImageRecord> {
  const { store, ref } = ctx;
  const modules = manifest.layers.filter((l) => l.mediaType === MediaType.WasmLayer);
  if (modules.length === 0) {
    throw new WasmboxError('UNSUPPORTED_MEDIA_TYPE', `wasm artifact ${ref.repository}@${digest} has no application/wasm layer`);
  }
  const configBytes = await fetchSmallBlob(ctx, manifest.config);
  let created: string | undefined;
  try {
    const c = JSON.parse(new TextDecoder().decode(configBytes)) as { created?: unknown };
    if (typeof c.created === 'string' && !Number.isNaN(Date.parse(c.created))) created = c.created;
  } catch {
    // The wasm config is informational; a broken one does not stop the module from running.
  }
  created ??= manifest.annotations?.['org.opencontainers.image.created'];
  const preexisting = new Set<Digest>();
  for (const l of [manifest.config, ...modules]) if (await store.content.has(l.digest)) preexisting.add(l.digest);
  await downloadLayers(ctx, modules);
  const names = wasmModuleNames(modules);
  const mtimeMs = created !== undefined && !Number.isNaN(Date.parse(created)) ? Date.parse(created) : 0;
  const entries = await Promise.all(
    modules.map(async (l, i) => ({
      path: names[i]!,
      type: 'file' as const,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtimeMs,
      data: await store.content.get(l.digest),
    })),
  );
  const tar = writeTar(entries);
  const config = createImageConfig({
    ...(created !== undefined ? { created } : {}),
    config: { Entrypoint: [`/${names[0]!}`] },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history: [{ ...(created !== undefined ? { created } : {}), created_by: `wasmbox: converted from the wasm artifact ${digest}` }],
  });
  const image = await store.putImage({
    config,
    layers: [{ data: tar }],
    tags: refs,
    annotations: { [ANNOTATION_CONVERTED_FROM]: `${ref.repository}@${digest}` },
  });
  for (const d of [manifest.config.digest, ...modules.map((l) => l.digest)]) if (!preexisting.has(d)) await store.content.delete(d);
  return image;
}

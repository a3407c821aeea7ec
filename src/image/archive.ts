// Image archives: `docker save`/`docker load` tars and OCI layout tars (oci-archive). Export
// writes one tar that is both an OCI layout and a Docker 25+ save archive (manifest.json pointing
// at blobs/sha256/…). Import reads either (and old `<id>/layer.tar` saves), verifies every blob
// and tags only at the very end, so a bad archive leaves the store as it was.

import tar from 'tar-stream';
import { WasmboxError, isWasmboxError } from '../errors.js';
import { createSha256, digestHex } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import { detectCompression } from '../layers/compression.js';
import { parseImageConfig } from './config.js';
import { createManifest, encodeJson, parseIndex, parseJsonObject, parseManifestOrIndex, selectPlatformManifest } from './manifest.js';
import type { Descriptor, ImageManifest } from './manifest.js';
import { MediaType, isIndexMediaType, isManifestMediaType, ociLayerMediaType } from './media-types.js';
import { parseReference, tryParseReference } from './reference.js';
import type { ImageRef } from './reference.js';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, INDEX_FILE, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE, entryName } from './image-store.js';
import type { ImageStore } from './image-store.js';

/** One file of an archive or layout directory, as import reads it. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  /** Target of a symlink or hard link. */
  linkname?: string;
  size: number;
  /** The file's bytes; import always consumes it before asking for the next entry. */
  body: AsyncIterable<Uint8Array>;
}

/** One file export writes; `read` streams it (a blob) or it is small metadata in `data`. */
export interface ExportFile {
  path: string;
  type: 'file' | 'directory';
  size: number;
  data?: Uint8Array;
  read?: () => AsyncIterable<Uint8Array>;
}

export interface LoadedImage {
  id: Digest;
  manifestDigest: Digest;
  /** Familiar names the archive tagged the image with. */
  repoTags: string[];
}

export interface LoadResult {
  images: LoadedImage[];
}

/** Metadata files (JSON) are read into memory; anything larger than this is not metadata. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const BLOB_PATH_RE = /^blobs\/sha256\/([a-f0-9]{64})$/;

function invalidArchive(message: string, details: Record<string, unknown> = {}, cause?: unknown): WasmboxError {
  return new WasmboxError('INVALID_ARCHIVE', message, { details, cause });
}

function blobPath(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

// ---------------------------------------------------------------------------------------------
// Export

interface ExportImage {
  refs: ImageRef[];
  manifestDigest: Digest;
  descriptor: Descriptor;
  manifest: ImageManifest;
}

/**
 * The files of an archive holding the given images: OCI layout (oci-layout, index.json, blobs) plus
 * Docker's manifest.json and repositories. A name exports that tag; an id exports the image untagged.
 */
export async function planExport(store: ImageStore, names: string[]): Promise<ExportFile[]> {
  const images = new Map<Digest, ExportImage>();
  for (const name of names) {
    const record = await store.resolve(name);
    const isId = /^(?:sha256:)?[a-f0-9]{1,64}$/.test(name) && !record.repoTags.some((t) => tryParseReference(name)?.familiar() === t);
    const ref = isId ? undefined : parseReference(name);
    let image = images.get(record.manifestDigest);
    if (!image) {
      image = { refs: [], manifestDigest: record.manifestDigest, descriptor: record.descriptor, manifest: record.manifest };
      images.set(record.manifestDigest, image);
    }
    if (ref && ref.digest === undefined && !image.refs.some((r) => r.equals(ref))) image.refs.push(ref);
  }

  const files: ExportFile[] = [
    { path: 'blobs/', type: 'directory', size: 0 },
    { path: 'blobs/sha256/', type: 'directory', size: 0 },
  ];
  const seen = new Set<Digest>();
  const addBlob = async (digest: Digest) => {
    if (seen.has(digest)) return;
    seen.add(digest);
    const size = await store.content.size(digest);
    files.push({ path: blobPath(digest), type: 'file', size, read: () => store.content.read(digest) });
  };
  const index: Descriptor[] = [];
  const dockerManifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images.values()) {
    for (const l of image.manifest.layers) await addBlob(l.digest);
    await addBlob(image.manifest.config.digest);
    await addBlob(image.manifestDigest);
    const base = { mediaType: image.descriptor.mediaType, digest: image.manifestDigest, size: image.descriptor.size };
    if (image.refs.length === 0) index.push(base);
    for (const ref of image.refs) {
      index.push({ ...base, annotations: { [ANNOTATION_CONTAINERD_NAME]: ref.toString(), [ANNOTATION_REF_NAME]: ref.toString() } });
      const top = image.manifest.layers.at(-1);
      if (top && ref.tag !== undefined) (repositories[ref.familiarRepository] ??= {})[ref.tag] = digestHex(top.digest);
    }
    dockerManifest.push({
      Config: blobPath(image.manifest.config.digest),
      RepoTags: image.refs.length === 0 ? null : image.refs.map((r) => r.familiar()),
      Layers: image.manifest.layers.map((l) => blobPath(l.digest)),
    });
  }
  const small = (path: string, data: Uint8Array): ExportFile => ({ path, type: 'file', size: data.length, data });
  files.push(small(OCI_LAYOUT_FILE, new TextEncoder().encode(OCI_LAYOUT_CONTENT)));
  files.push(small(INDEX_FILE, encodeJson({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: index })));
  files.push(small('manifest.json', encodeJson(dockerManifest)));
  if (Object.keys(repositories).length > 0) files.push(small('repositories', encodeJson(repositories)));
  return files;
}

/** Streams a tar of the images (`docker save`), readable by `docker load`, skopeo and umoci. */
export async function* exportImages(store: ImageStore, names: string[]): AsyncIterable<Uint8Array> {
  const files = await planExport(store, names);
  const pack = tar.pack();
  let finished = false;
  const writer = (async () => {
    try {
      for (const f of files) await packFile(pack, f);
      pack.finalize();
    } catch (e) {
      pack.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  try {
    for await (const chunk of pack) yield chunk as Uint8Array;
    finished = true;
  } finally {
    if (!finished) pack.destroy();
    await writer;
  }
}

async function packFile(pack: tar.Pack, f: ExportFile): Promise<void> {
  const mtime = new Date(0);
  if (f.type === 'directory') {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: f.path, type: 'directory', mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve()));
    });
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ name: f.path, type: 'file', size: f.size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
    const write = async () => {
      for await (const chunk of toAsync(f.data ? [f.data] : f.read!())) {
        if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
      }
      sink.end(() => undefined);
    };
    write().catch(reject);
  });
}

async function* toAsync(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* source;
}

// ---------------------------------------------------------------------------------------------
// Import

/** Decompresses a gzip'ed stream (`docker save | gzip`), passes anything else through. */
async function* gunzipIfNeeded(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  if (detectCompression(first.value) !== 'gzip') {
    yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  const pump = (async () => {
    try {
      await writer.write(first.value as Uint8Array<ArrayBuffer>);
      for (;;) {
        const n = await it.next();
        if (n.done) break;
        await writer.write(n.value as Uint8Array<ArrayBuffer>);
      }
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => undefined);
    }
  })();
  const reader = ds.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value as Uint8Array;
    }
  } catch (e) {
    throw invalidArchive(`archive is not valid gzip: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  }
  await pump;
}

/** The entries of a tar stream; truncation or garbage is INVALID_ARCHIVE. */
export async function* tarEntries(source: AsyncIterable<Uint8Array>): AsyncIterable<ArchiveEntry> {
  const extract = tar.extract();
  const feed = (async () => {
    try {
      for await (const chunk of gunzipIfNeeded(source)) {
        if (extract.destroyed) return;
        if (!extract.write(chunk)) {
          // 'close' too: a destroyed extract never drains, and must not leave this loop waiting.
          await new Promise<void>((resolve) => {
            const done = () => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
            if (extract.destroyed) done();
          });
        }
        if (extract.destroyed) return;
      }
      extract.end(() => undefined);
    } catch (e) {
      extract.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  let finished = false;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' || h.type === 'symlink' || h.type === 'link' ? h.type : 'other';
      const e: ArchiveEntry = { path: h.name, type, size: h.size ?? 0, body: entry as AsyncIterable<Uint8Array> };
      if (h.linkname) e.linkname = h.linkname;
      yield e;
    }
    finished = true;
  } catch (e) {
    if (isWasmboxError(e)) throw e;
    throw invalidArchive(`archive is not a valid tar (truncated or corrupt): ${e instanceof Error ? e.message : String(e)}`, {}, e);
  } finally {
    if (!finished) extract.destroy();
    await feed;
  }
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) void _;
}

async function readAll(body: AsyncIterable<Uint8Array>, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of body) {
    total += c.length;
    if (total > MAX_METADATA_BYTES) throw invalidArchive(`archive file ${path} is too large for metadata (over ${MAX_METADATA_BYTES} bytes)`, { path });
    chunks.push(c);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function isMetadataPath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.endsWith('.json') || base === 'json' || base === 'VERSION' || base === OCI_LAYOUT_FILE || base === 'repositories';
}

export interface ImportOptions {
  /** Names the archive in error messages (a file name). */
  source?: string;
}

/** State of one import: what the archive held, and which blobs it added (to undo on failure). */
class ImportSession {
  readonly blobs = new Map<string, { digest: Digest; size: number }>();
  readonly metadata = new Map<string, Uint8Array>();
  readonly links = new Map<string, string>();
  /** Blobs this import added to the content store; removed again if the import fails. */
  readonly added = new Set<Digest>();

  constructor(
    readonly store: ImageStore,
    readonly where: string,
  ) {}

  async putBlob(data: AsyncIterable<Uint8Array> | Uint8Array, path: string, expected?: Digest, expectedSize?: number) {
    const existed = expected !== undefined && (await this.store.content.has(expected));
    try {
      const info = await this.store.content.put(data, { ...(expected ? { expected } : {}), ...(expectedSize !== undefined ? { expectedSize } : {}) });
      if (!existed) this.added.add(info.digest);
      return info;
    } catch (e) {
      if (isWasmboxError(e) && e.code !== 'DIGEST_MISMATCH') throw e;
      const err = isWasmboxError(e) ? e : undefined;
      throw new WasmboxError(err?.code ?? 'INVALID_ARCHIVE', `${this.where}: ${path}: ${err?.message ?? String(e)}`, {
        cause: e,
        details: { path, ...(err?.details ?? {}) },
      });
    }
  }

  async consume(entry: ArchiveEntry): Promise<void> {
    const path = normalizePath(entry.path);
    if (entry.type === 'symlink' || entry.type === 'link') {
      const target = entry.type === 'symlink' && !entry.linkname!.startsWith('/') ? `${path.slice(0, path.lastIndexOf('/') + 1)}${entry.linkname}` : entry.linkname!;
      this.links.set(path, normalizePath(target));
      return drain(entry.body);
    }
    if (entry.type !== 'file' || path === '') return drain(entry.body);
    const blob = BLOB_PATH_RE.exec(path);
    if (blob) {
      const info = await this.putBlob(entry.body, path, `sha256:${blob[1]}` as Digest, entry.size);
      this.blobs.set(path, info);
    } else if (path.startsWith('blobs/')) {
      throw invalidArchive(`${this.where}: ${path} is not a valid blob name (expected blobs/sha256/<64 hex digits>)`, { path });
    } else if (isMetadataPath(path)) {
      this.metadata.set(path, await readAll(entry.body, path));
    } else {
      this.blobs.set(path, await this.putBlob(entry.body, path, undefined, entry.size));
    }
  }

  /** Follows links (old `docker save` links duplicate layer.tar files). */
  resolvePath(path: string): string {
    let p = normalizePath(path);
    for (let i = 0; i < 16 && this.links.has(p); i++) p = this.links.get(p)!;
    return p;
  }

  /** A blob digest the archive holds at `path`, or (blobs/sha256 names) one already in the store. */
  async blobAt(path: string, what: string): Promise<{ digest: Digest; size: number }> {
    const p = this.resolvePath(path);
    const hit = this.blobs.get(p);
    if (hit) return hit;
    const m = BLOB_PATH_RE.exec(p);
    if (m) {
      const digest = `sha256:${m[1]}` as Digest;
      if (await this.store.content.has(digest)) return { digest, size: await this.store.content.size(digest) };
    }
    throw invalidArchive(`${this.where}: ${what} "${path}" is not in the archive`, { path });
  }

  async bytesAt(path: string, what: string): Promise<Uint8Array> {
    const p = this.resolvePath(path);
    const meta = this.metadata.get(p);
    if (meta) return meta;
    const { digest } = await this.blobAt(path, what);
    return this.store.content.get(digest);
  }

  async requireBlob(d: Descriptor, what: string): Promise<void> {
    if (!(await this.store.content.has(d.digest))) {
      throw invalidArchive(`${this.where}: ${what} ${d.digest} is missing (no ${blobPath(d.digest)} in the archive)`, { digest: d.digest });
    }
    const size = await this.store.content.size(d.digest);
    if (size !== d.size) {
      throw new WasmboxError('DIGEST_MISMATCH', `${this.where}: ${what} ${d.digest} is ${size} bytes but its descriptor says ${d.size}`, {
        details: { digest: d.digest },
      });
    }
  }

  /** Checks an image manifest and everything it references; returns the manifest descriptor to store. */
  async checkImage(descriptor: Descriptor, what: string, depth = 0): Promise<{ descriptor: Descriptor; id: Digest }> {
    if (!isManifestMediaType(descriptor.mediaType) && !isIndexMediaType(descriptor.mediaType)) {
      throw new WasmboxError('UNSUPPORTED_MEDIA_TYPE', `${this.where}: ${what} has media type "${descriptor.mediaType}", not an image manifest or index`, {
        details: { mediaType: descriptor.mediaType },
      });
    }
    await this.requireBlob(descriptor, what);
    const bytes = await this.store.content.get(descriptor.digest);
    const doc = parseManifestOrIndex(bytes, { digest: descriptor.digest, mediaType: descriptor.mediaType, source: this.where });
    if (doc.kind === 'index') {
      const child = selectPlatformManifest(doc.index);
      if (!child || depth > 2) {
        throw new WasmboxError('UNSUPPORTED_PLATFORM', `${this.where}: index ${descriptor.digest} has no single manifest for wasi/wasm`, {
          details: { digest: descriptor.digest },
        });
      }
      return this.checkImage(child, `${what} → ${child.digest}`, depth + 1);
    }
    const m = doc.manifest;
    await this.requireBlob(m.config, `config of ${what}`);
    for (const [i, l] of m.layers.entries()) await this.requireBlob(l, `layers[${i}] of ${what}`);
    if (m.config.mediaType !== MediaType.WasmConfig) {
      const config = parseImageConfig(await this.store.content.get(m.config.digest), { digest: m.config.digest, source: this.where });
      if (config.rootfs.diff_ids.length !== m.layers.length) {
        throw new WasmboxError(
          'INVALID_MANIFEST',
          `${this.where}: manifest ${descriptor.digest} has ${m.layers.length} layers but its config lists ${config.rootfs.diff_ids.length} diff_ids`,
        );
      }
    }
    return { descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size }, id: m.config.digest };
  }

  async fromOciLayout(): Promise<{ descriptor: Descriptor; id: Digest; refs: ImageRef[] }[]> {
    const layout = this.metadata.get(OCI_LAYOUT_FILE);
    if (layout) {
      const doc = parseJsonObject(layout, `${this.where}: oci-layout`);
      if (typeof doc.imageLayoutVersion !== 'string' || !doc.imageLayoutVersion.startsWith('1.')) {
        throw invalidArchive(`${this.where}: oci-layout has unsupported imageLayoutVersion ${JSON.stringify(doc.imageLayoutVersion)}`);
      }
    }
    const index = parseIndex(this.metadata.get(INDEX_FILE)!, { source: `${this.where}: index.json` });
    const out: { descriptor: Descriptor; id: Digest; refs: ImageRef[] }[] = [];
    for (const [i, d] of index.manifests.entries()) {
      const checked = await this.checkImage(d, `index.json manifests[${i}]`);
      const name = entryName(d);
      out.push({ ...checked, refs: name ? [parseReference(name)] : [] });
    }
    return out;
  }

  async fromDockerSave(): Promise<{ descriptor: Descriptor; id: Digest; refs: ImageRef[] }[]> {
    const where = `${this.where}: manifest.json`;
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(this.metadata.get('manifest.json')!));
    } catch (e) {
      throw new WasmboxError('INVALID_MANIFEST', `${where}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    if (!Array.isArray(doc)) throw new WasmboxError('INVALID_MANIFEST', `${where}: expected a JSON array of images`);
    const out: { descriptor: Descriptor; id: Digest; refs: ImageRef[] }[] = [];
    for (const [i, item] of doc.entries()) {
      const at = `${where}[${i}]`;
      if (item === null || typeof item !== 'object') throw new WasmboxError('INVALID_MANIFEST', `${at}: expected an object`);
      const { Config, RepoTags, Layers } = item as Record<string, unknown>;
      if (typeof Config !== 'string') throw new WasmboxError('INVALID_MANIFEST', `${at}.Config must be a path string`);
      if (!Array.isArray(Layers) || Layers.some((l) => typeof l !== 'string')) throw new WasmboxError('INVALID_MANIFEST', `${at}.Layers must be an array of paths`);
      if (RepoTags !== undefined && RepoTags !== null && (!Array.isArray(RepoTags) || RepoTags.some((t) => typeof t !== 'string'))) {
        throw new WasmboxError('INVALID_MANIFEST', `${at}.RepoTags must be an array of strings`);
      }
      const configBytes = await this.bytesAt(Config, `${at}.Config`);
      const config = parseImageConfig(configBytes, { source: `${this.where}: ${Config}` });
      if (config.rootfs.diff_ids.length !== Layers.length) {
        throw new WasmboxError('INVALID_MANIFEST', `${at}: ${Layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff_ids`);
      }
      const layers: Descriptor[] = [];
      for (const [j, path] of (Layers as string[]).entries()) {
        const blob = await this.blobAt(path, `${at}.Layers[${j}]`);
        const compression = detectCompression(await this.head(blob.digest));
        const diffId = config.rootfs.diff_ids[j]!;
        // docker save archives do not say what a layer is, so check it against the config (zstd
        // cannot be decoded here; the layer store checks it when it unpacks the layer).
        const actual = compression === 'none' ? blob.digest : compression === 'gzip' ? await this.gunzippedDigest(blob.digest, path) : diffId;
        if (actual !== diffId) {
          throw new WasmboxError('DIGEST_MISMATCH', `${this.where}: layer ${path} unpacks to ${actual} but the config's diff_ids[${j}] is ${diffId}`, {
            details: { path, expected: diffId, actual },
          });
        }
        layers.push({ mediaType: ociLayerMediaType(compression), digest: blob.digest, size: blob.size });
      }
      const configInfo = await this.putBlob(configBytes, Config);
      const manifestBytes = encodeJson(createManifest({ mediaType: MediaType.OciConfig, digest: configInfo.digest, size: configInfo.size }, layers));
      const manifestInfo = await this.putBlob(manifestBytes, `${at} (manifest)`);
      const refs = ((RepoTags as string[] | null | undefined) ?? []).map((t) => parseReference(t));
      out.push({ descriptor: { mediaType: MediaType.OciManifest, digest: manifestInfo.digest, size: manifestInfo.size }, id: configInfo.digest, refs });
    }
    return out;
  }

  /** Digest of a gzip blob's uncompressed content, streamed (layers can be large). */
  async gunzippedDigest(digest: Digest, path: string): Promise<Digest> {
    const hasher = createSha256();
    try {
      for await (const chunk of gunzipIfNeeded(this.store.content.read(digest))) hasher.update(chunk);
    } catch (e) {
      throw new WasmboxError('INVALID_GZIP', `${this.where}: layer ${path} is not valid gzip: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        details: { path },
      });
    }
    return `sha256:${hasher.hex()}`;
  }

  async head(digest: Digest): Promise<Uint8Array> {
    for await (const chunk of this.store.content.read(digest)) return chunk.subarray(0, 4);
    return new Uint8Array(0);
  }
}

/**
 * Loads images from archive entries (a tar, or a layout directory walked by the Node adapter).
 * Tags are written in one step at the end; on any failure, blobs this import added are removed.
 */
export async function importEntries(store: ImageStore, entries: AsyncIterable<ArchiveEntry>, options: ImportOptions = {}): Promise<LoadResult> {
  const session = new ImportSession(store, options.source ?? 'archive');
  try {
    for await (const entry of entries) await session.consume(entry);
    const hasIndex = session.metadata.has(INDEX_FILE);
    const hasDocker = session.metadata.has('manifest.json');
    if (!hasIndex && !hasDocker) {
      throw invalidArchive(`${session.where}: neither index.json (OCI layout) nor manifest.json (docker save) found; is it an image archive?`);
    }
    const images = hasIndex && (session.metadata.has(OCI_LAYOUT_FILE) || !hasDocker) ? await session.fromOciLayout() : await session.fromDockerSave();
    await store.addImages(images.map((i) => ({ descriptor: i.descriptor, refs: i.refs })));
    return {
      images: images.map((i) => ({ id: i.id, manifestDigest: i.descriptor.digest, repoTags: i.refs.map((r) => r.familiar()) })),
    };
  } catch (e) {
    await rollback(store, session.added);
    if (isWasmboxError(e)) throw e;
    throw invalidArchive(`${session.where}: ${e instanceof Error ? e.message : String(e)}`, {}, e);
  }
}

/** Removes blobs a failed import added, unless an image in the store needs them by now. */
async function rollback(store: ImageStore, added: Set<Digest>): Promise<void> {
  if (added.size === 0) return;
  const keep = await store.reachableBlobs().catch(() => undefined);
  if (!keep) return;
  for (const d of added) {
    if (!keep.has(d)) await store.content.delete(d).catch(() => false);
  }
}

/** `docker load`: reads a docker-save or OCI layout tar (optionally gzip'ed) into the store. */
export async function importArchive(store: ImageStore, source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<LoadResult> {
  return importEntries(store, tarEntries(source), options);
}

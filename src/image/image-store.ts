// The image store: an OCI image layout (oci-layout, index.json, blobs/sha256/…) over a content
// store and two small metadata files, so skopeo and umoci read it as is. index.json has one
// descriptor per tag, plus one without a name for each untagged (dangling) image.
//
// Annotations: each tagged descriptor carries the full reference (`docker.io/library/ruby:latest`)
// in both `org.opencontainers.image.ref.name` (what `skopeo … oci:<dir>:<ref>` and `umoci ls`
// match; a bare tag would be ambiguous across repositories in one layout) and
// `io.containerd.image.name` (what containerd and Docker 25+ read on import).
//
// Crash safety: blobs are written (and verified) first, index.json last and atomically, so a tag
// never points at a missing blob; deletions rewrite index.json before removing blobs.

import { WasmboxError } from '../errors.js';
import { digestOf } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import type { BlobSource, ContentStore } from '../content/types.js';
import { detectCompression } from '../layers/compression.js';
import { parseImageConfig } from './config.js';
import type { ImageConfig } from './config.js';
import { createManifest, encodeJson, parseIndex, parseManifestOrIndex, selectPlatformManifest } from './manifest.js';
import type { Descriptor, ImageIndex, ImageManifest } from './manifest.js';
import { MediaType, isIndexMediaType, isManifestMediaType, ociLayerMediaType } from './media-types.js';
import { parseReference, tryParseReference } from './reference.js';
import type { ImageRef } from './reference.js';

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
export const OCI_LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

/** The layout's two metadata files; `write` must replace the file atomically (temp + rename). */
export interface MetadataFiles {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, data: Uint8Array): Promise<void>;
}

export class MemoryMetadataFiles implements MetadataFiles {
  readonly #files = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    const f = this.#files.get(name);
    return f === undefined ? undefined : f.slice();
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    this.#files.set(name, data.slice());
  }
}

/** One image as `docker images` shows it. */
export interface ImageSummary {
  /** The config digest, as Docker's image id. */
  id: Digest;
  manifestDigest: Digest;
  /** Familiar names: `ruby:latest`, `localhost:5000/x:1`. Empty for a dangling image. */
  repoTags: string[];
  /** `repo@manifestDigest` for each repository the image is tagged in. */
  repoDigests: string[];
  /** RFC 3339 time from the config, if any. */
  created: string | undefined;
  /** Sum of the layer blob sizes. */
  size: number;
  labels: Record<string, string>;
}

/** An image resolved from a name or id. */
export interface ImageRecord {
  id: Digest;
  manifestDigest: Digest;
  /** The descriptor of the image manifest (after picking a platform if the tag names an index). */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}

export interface LayerInput {
  /** The blob; written to the content store (verified against `digest` when both are given). */
  data?: BlobSource;
  /** A blob already in the content store, or the expected digest of `data`. */
  digest?: Digest;
  /** Defaults to the OCI tar media type with the compression sniffed from the blob. */
  mediaType?: string;
  annotations?: Record<string, string>;
}

export interface PutImageInput {
  /** An image config object (serialised compactly) or its exact JSON bytes. */
  config: ImageConfig | Uint8Array;
  layers: LayerInput[];
  /** References to point at the image; none leaves it dangling. */
  tags?: (string | ImageRef)[];
  /** Manifest annotations. */
  annotations?: Record<string, string>;
}

export type ImageDeleteResponseItem = { Untagged: string } | { Deleted: string };

export interface RemoveOptions {
  /** Remove even when the image is tagged in several repositories. */
  force?: boolean;
}

export interface PruneResult {
  deleted: Digest[];
  spaceReclaimed: number;
}

/** An image manifest to add to index.json; its blobs must already be in the content store. */
export interface ImageEntryInput {
  descriptor: Descriptor;
  refs: ImageRef[];
}

interface Entry {
  /** The descriptor as it stands in index.json. */
  descriptor: Descriptor;
  /** Full reference string, if tagged. */
  name: string | undefined;
}

interface Loaded {
  manifestDigest: Digest;
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  id: Digest;
}

interface Snapshot {
  index: ImageIndex;
  entries: Entry[];
  /** Index entry digest → the image it stands for; absent when its blobs are missing. */
  images: Map<Digest, Loaded>;
}

export interface ImageStoreOptions {
  content: ContentStore;
  files: MetadataFiles;
}

function notFound(nameOrId: string): WasmboxError {
  return new WasmboxError('IMAGE_NOT_FOUND', `No such image: ${nameOrId}`, { details: { image: nameOrId } });
}

/** The full reference an index.json descriptor names, if any. A bare tag (`latest`) names no repository. */
export function entryName(descriptor: Descriptor): string | undefined {
  const a = descriptor.annotations ?? {};
  const candidates = [a[ANNOTATION_CONTAINERD_NAME], a[ANNOTATION_REF_NAME]];
  for (const c of candidates) {
    if (c === undefined || (!c.includes('/') && !c.includes(':'))) continue;
    const ref = tryParseReference(c);
    if (ref) return ref.toString();
  }
  return undefined;
}

function namedDescriptor(descriptor: Descriptor, ref: ImageRef | undefined): Descriptor {
  const d: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.platform) d.platform = descriptor.platform;
  if (ref) d.annotations = { [ANNOTATION_CONTAINERD_NAME]: ref.toString(), [ANNOTATION_REF_NAME]: ref.toString() };
  return d;
}

function shortId(id: Digest): string {
  return id.slice('sha256:'.length, 'sha256:'.length + 12);
}

export class ImageStore {
  readonly content: ContentStore;
  readonly files: MetadataFiles;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #documents = new Map<Digest, { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex }>();
  readonly #configs = new Map<Digest, ImageConfig>();
  #layoutWritten = false;

  constructor(options: ImageStoreOptions) {
    this.content = options.content;
    this.files = options.files;
  }

  /** Runs mutations one at a time, so two writers never lose each other's index.json changes. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A blob from the content store, checked against its digest (disks and copies corrupt data). */
  async #verifiedBlob(digest: Digest, what: string): Promise<Uint8Array> {
    const bytes = await this.content.get(digest);
    const actual = digestOf(bytes);
    if (actual !== digest) {
      throw new WasmboxError('DIGEST_MISMATCH', `${what} ${digest} in the image store is corrupt: its content hashes to ${actual}`, {
        details: { expected: digest, actual },
      });
    }
    return bytes;
  }

  async #document(descriptor: Descriptor) {
    const cached = this.#documents.get(descriptor.digest);
    if (cached) return cached;
    const bytes = await this.#verifiedBlob(descriptor.digest, 'manifest');
    const parsed = parseManifestOrIndex(bytes, { digest: descriptor.digest, mediaType: descriptor.mediaType });
    this.#documents.set(descriptor.digest, parsed);
    return parsed;
  }

  async #config(digest: Digest): Promise<ImageConfig> {
    const cached = this.#configs.get(digest);
    if (cached) return cached;
    const config = parseImageConfig(await this.#verifiedBlob(digest, 'image config'), { digest });
    this.#configs.set(digest, config);
    return config;
  }

  /** The image a top-level descriptor stands for, descending into an index for wasi/wasm. */
  async #load(descriptor: Descriptor, depth = 0): Promise<Loaded | undefined> {
    if (!(await this.content.has(descriptor.digest))) return undefined;
    const doc = await this.#document(descriptor);
    if (doc.kind === 'index') {
      const child = selectPlatformManifest(doc.index);
      if (!child || depth > 2) return undefined;
      return this.#load(child, depth + 1);
    }
    const configDigest = doc.manifest.config.digest;
    if (doc.manifest.config.mediaType === MediaType.WasmConfig || !(await this.content.has(configDigest))) return undefined;
    const config = await this.#config(configDigest);
    return { manifestDigest: descriptor.digest, descriptor, manifest: doc.manifest, config, id: configDigest };
  }

  async #readIndex(): Promise<ImageIndex> {
    const bytes = await this.files.read(INDEX_FILE);
    if (bytes === undefined) return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
    return parseIndex(bytes, { source: INDEX_FILE });
  }

  async #writeIndex(index: ImageIndex): Promise<void> {
    if (!this.#layoutWritten) {
      if ((await this.files.read(OCI_LAYOUT_FILE)) === undefined) {
        await this.files.write(OCI_LAYOUT_FILE, new TextEncoder().encode(OCI_LAYOUT_CONTENT));
      }
      this.#layoutWritten = true;
    }
    const out: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: index.manifests };
    if (index.annotations) out.annotations = index.annotations;
    await this.files.write(INDEX_FILE, encodeJson(out));
  }

  async #snapshot(): Promise<Snapshot> {
    const index = await this.#readIndex();
    const entries = index.manifests.map((descriptor) => ({ descriptor, name: entryName(descriptor) }));
    const images = new Map<Digest, Loaded>();
    for (const e of entries) {
      if (images.has(e.descriptor.digest)) continue;
      const loaded = await this.#load(e.descriptor).catch((err: unknown) => {
        // A broken entry must not hide every other image; it stays in index.json untouched.
        if (err instanceof WasmboxError && (err.code === 'BLOB_NOT_FOUND' || err.code === 'UNSUPPORTED_MEDIA_TYPE')) return undefined;
        throw err;
      });
      if (loaded) images.set(e.descriptor.digest, loaded);
    }
    return { index, entries, images };
  }

  #record(snap: Snapshot, id: Digest): ImageRecord {
    const digests = [...snap.images.entries()].filter(([, l]) => l.id === id);
    const first = digests[0]![1];
    const names = snap.entries.filter((e) => e.name !== undefined && snap.images.get(e.descriptor.digest)?.id === id);
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const e of names) {
      const ref = parseReference(e.name!);
      const familiar = ref.familiar();
      if (!repoTags.includes(familiar)) repoTags.push(familiar);
      const loaded = snap.images.get(e.descriptor.digest)!;
      const repoDigest = `${ref.familiarRepository}@${loaded.manifestDigest}`;
      if (!repoDigests.includes(repoDigest)) repoDigests.push(repoDigest);
    }
    return {
      id,
      manifestDigest: first.manifestDigest,
      descriptor: first.descriptor,
      manifest: first.manifest,
      config: first.config,
      repoTags,
      repoDigests,
      size: first.manifest.layers.reduce((n, l) => n + l.size, 0),
    };
  }

  /** Every image (tagged and dangling), newest first, one entry per image id. */
  async list(): Promise<ImageSummary[]> {
    const snap = await this.#snapshot();
    const ids = [...new Set([...snap.images.values()].map((l) => l.id))];
    const out = ids.map((id) => {
      const r = this.#record(snap, id);
      return {
        id,
        manifestDigest: r.manifestDigest,
        repoTags: r.repoTags,
        repoDigests: r.repoDigests,
        created: r.config.created,
        size: r.size,
        labels: { ...(r.config.config?.Labels ?? {}) },
      };
    });
    return out.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  }

  /** The image id (config digest) a name or id stands for, or undefined. */
  #find(snap: Snapshot, nameOrId: string): Digest | undefined {
    const loaded = [...snap.images.values()];
    const full = /^(?:sha256:)?([a-f0-9]{64})$/.exec(nameOrId);
    if (full) {
      const d = `sha256:${full[1]}` as Digest;
      return (loaded.find((l) => l.id === d) ?? loaded.find((l) => l.manifestDigest === d))?.id;
    }
    const ref = tryParseReference(nameOrId);
    if (ref?.digest !== undefined) {
      const d = ref.digest;
      const hit = loaded.find((l) => l.manifestDigest === d) ?? loaded.find((l) => l.id === d);
      if (hit) return hit.id;
    } else if (ref) {
      const name = ref.toString();
      const entry = snap.entries.find((e) => e.name === name && snap.images.has(e.descriptor.digest));
      if (entry) return snap.images.get(entry.descriptor.digest)!.id;
    }
    // Docker falls back to a unique prefix of the image id.
    const prefix = /^(?:sha256:)?([a-f0-9]{1,63})$/.exec(nameOrId);
    if (prefix) {
      const ids = [...new Set(loaded.map((l) => l.id))].filter((id) => id.startsWith(`sha256:${prefix[1]}`));
      if (ids.length === 1) return ids[0];
      if (ids.length > 1) {
        throw new WasmboxError('IMAGE_NOT_FOUND', `No such image: ${nameOrId} (the id prefix is ambiguous: ${ids.length} images match)`, {
          details: { image: nameOrId },
        });
      }
    }
    return undefined;
  }

  /**
   * Resolves `ruby`, `ruby:3`, `docker.io/library/ruby:3`, `name@sha256:…`, a full or unique-prefix
   * image id (with or without `sha256:`). IMAGE_NOT_FOUND ("No such image: x") otherwise.
   */
  async resolve(nameOrId: string): Promise<ImageRecord> {
    const snap = await this.#snapshot();
    const id = this.#find(snap, nameOrId);
    if (id === undefined) throw notFound(nameOrId);
    return this.#record(snap, id);
  }

  /** True when resolve would find the image. */
  async has(nameOrId: string): Promise<boolean> {
    const snap = await this.#snapshot();
    return this.#find(snap, nameOrId) !== undefined;
  }

  /** Writes layers, config and an OCI manifest, then tags the image. */
  async putImage(input: PutImageInput): Promise<ImageRecord> {
    const refs = (input.tags ?? []).map((t) => (typeof t === 'string' ? parseReference(t) : t));
    for (const r of refs) {
      if (r.digest !== undefined) throw new WasmboxError('INVALID_REFERENCE', `cannot tag an image with a digest reference: ${r.familiar()}`);
    }
    const configBytes = input.config instanceof Uint8Array ? input.config : encodeJson(input.config);
    const config = parseImageConfig(configBytes, { source: 'putImage' });
    if (config.rootfs.diff_ids.length !== input.layers.length) {
      throw new WasmboxError(
        'INVALID_ARGUMENT',
        `image config lists ${config.rootfs.diff_ids.length} diff_ids but ${input.layers.length} layers were given`,
      );
    }
    const layers: Descriptor[] = [];
    for (const [i, layer] of input.layers.entries()) layers.push(await this.#putLayer(layer, i));
    const configInfo = await this.content.put(configBytes);
    const manifest = createManifest({ mediaType: MediaType.OciConfig, digest: configInfo.digest, size: configInfo.size }, layers, input.annotations);
    const manifestBytes = encodeJson(manifest);
    const manifestInfo = await this.content.put(manifestBytes);
    const descriptor: Descriptor = { mediaType: MediaType.OciManifest, digest: manifestInfo.digest, size: manifestInfo.size };
    await this.addImages([{ descriptor, refs }]);
    return this.resolve(configInfo.digest);
  }

  async #putLayer(layer: LayerInput, i: number): Promise<Descriptor> {
    let digest: Digest;
    let size: number;
    if (layer.data !== undefined) {
      const info = await this.content.put(layer.data, layer.digest ? { expected: layer.digest } : {});
      ({ digest, size } = info);
    } else if (layer.digest !== undefined) {
      digest = layer.digest;
      size = await this.content.size(digest);
    } else {
      throw new WasmboxError('INVALID_ARGUMENT', `layers[${i}] needs data or the digest of a stored blob`);
    }
    let mediaType = layer.mediaType;
    if (mediaType === undefined) {
      const head = layer.data instanceof Uint8Array ? layer.data : await this.content.get(digest);
      mediaType = ociLayerMediaType(detectCompression(head.subarray(0, 4)));
    }
    const d: Descriptor = { mediaType, digest, size };
    if (layer.annotations) d.annotations = layer.annotations;
    return d;
  }

  /**
   * Adds image manifests (whose blobs are already stored) to index.json in one atomic write.
   * Fails with BLOB_NOT_FOUND, leaving index.json unchanged, if any referenced blob is missing.
   */
  async addImages(items: ImageEntryInput[]): Promise<void> {
    for (const item of items) await this.#checkComplete(item.descriptor);
    await this.#exclusive(async () => {
      const index = await this.#readIndex();
      let manifests = index.manifests;
      for (const { descriptor, refs } of items) manifests = await this.#applyRefs(manifests, descriptor, refs);
      await this.#writeIndex({ ...index, manifests });
    });
  }

  /** Every blob a manifest (or index) needs is present; throws BLOB_NOT_FOUND naming it otherwise. */
  async #checkComplete(descriptor: Descriptor): Promise<void> {
    const missing = async (d: Descriptor, what: string) => {
      if (!(await this.content.has(d.digest))) {
        throw new WasmboxError('BLOB_NOT_FOUND', `${what} ${d.digest} of image ${descriptor.digest} is not in the content store`, {
          details: { digest: d.digest },
        });
      }
    };
    await missing(descriptor, 'manifest');
    const doc = await this.#document(descriptor);
    if (doc.kind === 'index') {
      const child = selectPlatformManifest(doc.index);
      if (!child) throw new WasmboxError('UNSUPPORTED_PLATFORM', `index ${descriptor.digest} has no manifest for wasi/wasm`);
      return this.#checkComplete(child);
    }
    await missing(doc.manifest.config, 'config');
    for (const l of doc.manifest.layers) await missing(l, 'layer');
  }

  /**
   * Points `refs` at `descriptor` in a list of index.json descriptors. A tag moved away from an
   * image that keeps no other entry leaves that image dangling (an unnamed entry), as Docker does.
   */
  async #applyRefs(manifests: Descriptor[], descriptor: Descriptor, refs: ImageRef[]): Promise<Descriptor[]> {
    const names = new Set(refs.map((r) => r.toString()));
    const moved = manifests.filter((d) => {
      const n = entryName(d);
      return n !== undefined && names.has(n);
    });
    let out = manifests.filter((d) => !moved.includes(d));
    for (const d of moved) {
      if (d.digest !== descriptor.digest && !out.some((o) => o.digest === d.digest)) out.push(namedDescriptor(d, undefined));
    }
    if (refs.length > 0) {
      out = out.filter((d) => !(d.digest === descriptor.digest && entryName(d) === undefined && d.annotations === undefined));
      for (const r of refs) out.push(namedDescriptor(descriptor, r));
    } else if (!out.some((d) => d.digest === descriptor.digest)) {
      out.push(namedDescriptor(descriptor, undefined));
    }
    return out;
  }

  /** Adds a reference to an image: `docker tag source target`. */
  async tag(source: string, target: string | ImageRef): Promise<void> {
    const ref = typeof target === 'string' ? parseReference(target) : target;
    if (ref.digest !== undefined) throw new WasmboxError('INVALID_REFERENCE', `refusing to create a tag with a digest reference: ${target}`);
    const record = await this.resolve(source);
    await this.#exclusive(async () => {
      const index = await this.#readIndex();
      const manifests = await this.#applyRefs(index.manifests, record.descriptor, [ref]);
      await this.#writeIndex({ ...index, manifests });
    });
  }

  /** Removes one tag; the image stays (dangling if it was its last tag). IMAGE_NOT_FOUND if no such tag. */
  async untag(reference: string | ImageRef): Promise<void> {
    const ref = typeof reference === 'string' ? parseReference(reference) : reference;
    const name = ref.toString();
    await this.#exclusive(async () => {
      const index = await this.#readIndex();
      const hit = index.manifests.find((d) => entryName(d) === name);
      if (!hit) throw notFound(ref.familiar());
      const manifests = index.manifests.filter((d) => d !== hit);
      if (!manifests.some((d) => d.digest === hit.digest)) manifests.push(namedDescriptor(hit, undefined));
      await this.#writeIndex({ ...index, manifests });
    });
  }

  /**
   * `docker rmi`: by tag, untags and deletes the image once no tag is left; by id, untags every
   * tag and deletes (CONFLICT if the id is tagged in several repositories, unless `force`).
   */
  async remove(nameOrId: string, options: RemoveOptions = {}): Promise<ImageDeleteResponseItem[]> {
    return this.#exclusive(async () => {
      const snap = await this.#snapshot();
      const out: ImageDeleteResponseItem[] = [];
      const ref = /^(?:sha256:)?[a-f0-9]{64}$/.test(nameOrId) ? undefined : tryParseReference(nameOrId);
      const byName = ref && ref.digest === undefined ? snap.entries.find((e) => e.name === ref.toString()) : undefined;
      let manifests = snap.index.manifests;
      const gone: Descriptor[] = [];
      let id: Digest;
      if (byName && snap.images.has(byName.descriptor.digest)) {
        id = snap.images.get(byName.descriptor.digest)!.id;
        manifests = manifests.filter((d) => d !== byName.descriptor);
        gone.push(byName.descriptor);
        out.push({ Untagged: ref!.familiar() });
        const stillTagged = manifests.some((d) => entryName(d) !== undefined && snap.images.get(d.digest)?.id === id);
        if (stillTagged) {
          await this.#writeIndex({ ...snap.index, manifests });
          return out;
        }
      } else {
        const found = this.#find(snap, nameOrId);
        if (found === undefined) throw notFound(nameOrId);
        id = found;
        const named = snap.entries.filter((e) => e.name !== undefined && snap.images.get(e.descriptor.digest)?.id === id);
        const repos = new Set(named.map((e) => parseReference(e.name!).repository));
        if (repos.size > 1 && !options.force) {
          throw new WasmboxError(
            'CONFLICT',
            `conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`,
            { details: { id } },
          );
        }
        for (const e of named) out.push({ Untagged: parseReference(e.name!).familiar() });
      }
      gone.push(...manifests.filter((d) => snap.images.get(d.digest)?.id === id));
      manifests = manifests.filter((d) => !gone.includes(d));
      await this.#writeIndex({ ...snap.index, manifests });
      // Blobs go only after index.json no longer names them, and only if no other image needs them.
      const keep = await this.#reachable(manifests);
      const candidates = new Set<Digest>();
      for (const d of gone) {
        candidates.add(d.digest);
        const l = snap.images.get(d.digest);
        if (l) {
          candidates.add(l.manifestDigest);
          candidates.add(l.manifest.config.digest);
          for (const layer of l.manifest.layers) candidates.add(layer.digest);
        }
      }
      for (const c of candidates) if (!keep.has(c)) await this.content.delete(c);
      out.push({ Deleted: id });
      return out;
    });
  }

  /** Every blob that the given index.json descriptors reach (manifests, indexes, configs, layers). */
  async #reachable(manifests: Descriptor[]): Promise<Set<Digest>> {
    const seen = new Set<Digest>();
    const visit = async (d: Descriptor): Promise<void> => {
      if (seen.has(d.digest)) return;
      seen.add(d.digest);
      if (!isManifestMediaType(d.mediaType) && !isIndexMediaType(d.mediaType)) return;
      if (!(await this.content.has(d.digest))) return;
      const doc = await this.#document(d);
      if (doc.kind === 'index') {
        for (const child of doc.index.manifests) await visit(child);
      } else {
        seen.add(doc.manifest.config.digest);
        for (const l of doc.manifest.layers) seen.add(l.digest);
        if (doc.manifest.subject) seen.add(doc.manifest.subject.digest);
      }
    };
    for (const d of manifests) await visit(d);
    return seen;
  }

  /**
   * Deletes every blob of the content store that index.json does not reach (plus `keep`).
   * Only safe when nothing else keeps its own blobs in the same content store.
   */
  async prune(options: { keep?: Iterable<Digest> } = {}): Promise<PruneResult> {
    return this.#exclusive(async () => {
      const index = await this.#readIndex();
      const keep = await this.#reachable(index.manifests);
      for (const k of options.keep ?? []) keep.add(k);
      const deleted: Digest[] = [];
      let spaceReclaimed = 0;
      for (const blob of await this.content.list()) {
        if (keep.has(blob.digest)) continue;
        if (await this.content.delete(blob.digest)) {
          deleted.push(blob.digest);
          spaceReclaimed += blob.size;
        }
      }
      return { deleted, spaceReclaimed };
    });
  }

  /** Removes dangling (untagged) images: `docker image prune`. */
  async pruneDangling(): Promise<{ items: ImageDeleteResponseItem[]; spaceReclaimed: number }> {
    const dangling = (await this.list()).filter((s) => s.repoTags.length === 0);
    const items: ImageDeleteResponseItem[] = [];
    let spaceReclaimed = 0;
    for (const s of dangling) {
      items.push(...(await this.remove(s.id)));
      spaceReclaimed += s.size;
    }
    return { items, spaceReclaimed };
  }

  /** Every blob the images of index.json need. */
  async reachableBlobs(): Promise<Set<Digest>> {
    return this.#reachable((await this.#readIndex()).manifests);
  }

  /** The raw index.json descriptors (for export and debugging). */
  async indexDescriptors(): Promise<Descriptor[]> {
    return (await this.#readIndex()).manifests;
  }
}

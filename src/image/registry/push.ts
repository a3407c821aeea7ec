// `push`: sends an image of the store to a registry the way `docker push` does: layers (3 at a
// time; skipped when the repository has them, mounted from another repository of the same
// registry when one of our tags says it holds them, else uploaded), the config, then the
// manifest by tag, with its exact stored bytes so the digest is the same on both sides.

import { WasmboxError } from '../../errors.js';
import type { Digest } from '../../content/digest.js';
import type { ImageStore } from '../image-store.js';
import type { Descriptor } from '../manifest.js';
import { MediaType } from '../media-types.js';
import { DEFAULT_TAG, parseReference, tryParseReference } from '../reference.js';
import type { ImageRef } from '../reference.js';
import type { RegistryClient } from './client.js';
import { runLimited, shortDigest } from './progress.js';
import type { ProgressListener } from './progress.js';

export interface PushOptions {
  client: RegistryClient;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Blobs uploaded at once (default 5, as dockerd's max-concurrent-uploads). */
  concurrency?: number;
  /** Blobs up to this size go in one PUT, larger ones in PATCH chunks of this size (default 8 MiB). */
  chunkSize?: number;
  /**
   * Repositories (paths) on the same registry to try a cross-repository mount from. Default:
   * those that other tags of the store on the same registry name for an image holding the blob.
   */
  mountFrom?: readonly string[];
}

export interface PushResult {
  reference: ImageRef;
  tag: string;
  digest: Digest;
  /** Size of the manifest in bytes (what docker prints as `size:`). */
  size: number;
}

/** Repository paths on `domain` (other than `ref`'s) whose stored images hold each blob. */
async function knownSources(store: ImageStore, ref: ImageRef): Promise<Map<Digest, string[]>> {
  const out = new Map<Digest, string[]>();
  for (const summary of await store.list()) {
    for (const name of summary.repoTags) {
      const other = tryParseReference(name);
      if (!other || other.domain !== ref.domain || other.path === ref.path) continue;
      const record = await store.resolve(other.toString()).catch(() => undefined);
      if (!record) continue;
      for (const d of [record.manifest.config, ...record.manifest.layers]) {
        const list = out.get(d.digest) ?? [];
        if (!list.includes(other.path)) list.push(other.path);
        out.set(d.digest, list);
      }
    }
  }
  return out;
}

/** Pushes the image tagged `reference` (a tag; `:latest` by default) to its registry. */
export async function push(store: ImageStore, reference: string | ImageRef, options: PushOptions): Promise<PushResult> {
  const parsed = typeof reference === 'string' ? parseReference(reference) : reference;
  if (parsed.digest !== undefined) {
    throw new WasmboxError('INVALID_REFERENCE', `cannot push a digest reference (${parsed.familiar()}): push a tag`);
  }
  const ref = parsed.tag === undefined ? parsed.withTag(DEFAULT_TAG) : parsed;
  const tag = ref.tag!;
  const emit: ProgressListener = options.onProgress ?? (() => undefined);
  const { client, signal } = options;
  const record = await store.resolve(ref.toString()).catch((e: unknown) => {
    if (e instanceof WasmboxError && e.code === 'IMAGE_NOT_FOUND') {
      throw new WasmboxError('IMAGE_NOT_FOUND', `An image does not exist locally with the tag: ${ref.familiarRepository}`, { cause: e });
    }
    throw e;
  });
  emit({ status: `The push refers to repository [${ref.repository}]` });

  const manifestBytes = await store.content.get(record.manifestDigest);
  const mediaType = record.descriptor.mediaType || record.manifest.mediaType || MediaType.OciManifest;
  const sources = options.mountFrom ? undefined : await knownSources(store, ref);
  const mountFrom = (d: Digest): readonly string[] => options.mountFrom ?? sources?.get(d) ?? [];
  const pushOne = (d: Descriptor, onProgress?: (sent: number) => void) =>
    client.pushBlob(ref, d, () => store.content.read(d.digest), { signal, chunkSize: options.chunkSize, mountFrom: mountFrom(d.digest), onProgress });

  // Docker lists the top layer first.
  const layers = [...record.manifest.layers].reverse().filter((l, i, all) => all.findIndex((o) => o.digest === l.digest) === i);
  const limit = options.concurrency ?? 5;
  for (const l of layers) emit({ id: shortDigest(l.digest), status: 'Preparing', progressDetail: {} });
  layers.forEach((l, i) => {
    if (i >= limit) emit({ id: shortDigest(l.digest), status: 'Waiting', progressDetail: {} });
  });
  await runLimited(layers, limit, async (l) => {
    const id = shortDigest(l.digest);
    const r = await pushOne(l, (current) => emit({ id, status: 'Pushing', progressDetail: { current, total: l.size } }));
    if (r.status === 'exists') emit({ id, status: 'Layer already exists', progressDetail: {} });
    else if (r.status === 'mounted') emit({ id, status: `Mounted from ${r.from}`, progressDetail: {} });
    else emit({ id, status: 'Pushed', progressDetail: {} });
  });
  await pushOne(record.manifest.config);
  const digest = await client.putManifest(ref, tag, manifestBytes, mediaType, { signal });
  emit({ status: `${tag}: digest: ${digest} size: ${manifestBytes.length}` });
  return { reference: ref, tag, digest, size: manifestBytes.length };
}

// The layer store, after containerd's snapshotter: `view` gives the merged read-only tree of
// a stack of layer blobs (parsed once, merged once per chain id, shared by every container
// of an image), `prepare` a writable copy-on-write tree over it, and `commit` turns a
// writable tree's changes into a new layer blob in the content store.

import { WasmboxError } from '../errors.js';
import { digestOf } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import type { ContentStore } from '../content/types.js';
import { applyLayer, emptyRoot } from '../vfs/merge.js';
import { TreeFs } from '../vfs/tree-fs.js';
import type { TreeFsOptions } from '../vfs/tree-fs.js';
import type { DirNode } from '../vfs/node.js';
import { chainIdsOf } from './chain-id.js';
import { gzip } from './compression.js';
import { diffEntries } from './diff.js';
import { writeTar } from './tar-writer.js';
import { layerTreeFromTar, parseLayerBlob } from './layer-tree.js';
import type { ParsedLayer } from './layer-tree.js';

export const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface LayerView {
  /** Chain id of the whole stack; undefined for an empty stack (`FROM scratch`). */
  chainId: Digest | undefined;
  /** DiffID of each layer, bottom first (what an image config's rootfs.diff_ids lists). */
  diffIds: Digest[];
  /** The merged tree: immutable, shared; never write to it. */
  root: DirNode;
}

export interface CommitOptions {
  /** 'gzip' (default, as docker pushes) or 'none'. */
  compression?: 'gzip' | 'none';
  /** Clamp mtimes to at most this (ms since the epoch) for reproducible layers. */
  mtimeMs?: number;
}

export interface CommittedLayer {
  /** Digest of the blob as stored (compressed when gzip). */
  digest: Digest;
  /** Digest of the uncompressed tar. */
  diffId: Digest;
  /** Size of the stored blob in bytes. */
  size: number;
  mediaType: typeof MEDIA_TYPE_LAYER_TAR | typeof MEDIA_TYPE_LAYER_GZIP;
  /** True when the writable tree had no changes (a builder may skip such a layer, as docker's empty_layer). */
  empty: boolean;
}

export interface LayerStoreOptions {
  /** Options for every writable tree made by prepare(). */
  treeFs?: TreeFsOptions;
}

interface Active {
  fs: TreeFs;
  parentChain: Digest[];
}

export class LayerStore {
  readonly content: ContentStore;
  readonly #options: LayerStoreOptions;
  /** Parsed layers by blob digest (promises, so concurrent views parse a blob once). */
  readonly #layers = new Map<Digest, Promise<ParsedLayer>>();
  /** Merged trees by chain id. */
  readonly #merged = new Map<Digest, DirNode>();
  readonly #active = new Map<string, Active>();
  #scratch: DirNode | undefined;

  constructor(content: ContentStore, options: LayerStoreOptions = {}) {
    this.content = content;
    this.#options = options;
  }

  /** The parsed layer of one blob (gzip or plain tar), cached by blob digest. */
  layer(digest: Digest): Promise<ParsedLayer> {
    let p = this.#layers.get(digest);
    if (!p) {
      p = (async () => {
        let blob: Uint8Array;
        try {
          blob = await this.content.get(digest);
        } catch (e) {
          throw new WasmboxError('LAYER_NOT_FOUND', `layer ${digest} is not in the content store`, { cause: e, details: { digest } });
        }
        return parseLayerBlob(blob, { source: digest });
      })();
      this.#layers.set(digest, p);
      // A failed parse must not stick: the blob may be fetched again.
      p.catch(() => this.#layers.delete(digest));
    }
    return p;
  }

  /** The merged read-only tree of a stack of layer blobs (bottom first). */
  async view(chain: readonly Digest[]): Promise<LayerView> {
    const layers = await Promise.all(chain.map((d) => this.layer(d)));
    const diffIds = layers.map((l) => l.diffId);
    const chainIds = chainIdsOf(diffIds);
    // Reuse the longest merged prefix: images built on a common base share its tree.
    let i = chainIds.length;
    while (i > 0 && !this.#merged.has(chainIds[i - 1]!)) i--;
    let root = i === 0 ? this.#emptyRoot() : this.#merged.get(chainIds[i - 1]!)!;
    for (; i < chainIds.length; i++) {
      root = applyLayer(root, layers[i]!.tree);
      this.#merged.set(chainIds[i]!, root);
    }
    return { chainId: chainIds[chainIds.length - 1], diffIds, root };
  }

  /** A writable copy-on-write tree over the merged `parentChain`, registered under `key`. */
  async prepare(key: string, parentChain: readonly Digest[]): Promise<TreeFs> {
    if (this.#active.has(key)) throw new WasmboxError('CONFLICT', `a writable layer "${key}" already exists`, { details: { key } });
    const { root } = await this.view(parentChain);
    // A concurrent prepare of the same key may have won while we awaited.
    if (this.#active.has(key)) throw new WasmboxError('CONFLICT', `a writable layer "${key}" already exists`, { details: { key } });
    const fs = new TreeFs(root, this.#options.treeFs);
    this.#active.set(key, { fs, parentChain: [...parentChain] });
    return fs;
  }

  /** The writable tree registered under `key`, if any. */
  active(key: string): TreeFs | undefined {
    return this.#active.get(key)?.fs;
  }

  /**
   * Writes the changes of the writable tree `key` as a new layer blob. The tree stays
   * usable (docker commit does not stop a container); remove() it when done.
   */
  async commit(key: string, options: CommitOptions = {}): Promise<CommittedLayer> {
    const active = this.#active.get(key);
    if (!active) throw new WasmboxError('NOT_FOUND', `no writable layer "${key}" to commit`, { details: { key } });
    const { fs } = active;
    const entries = diffEntries(fs.rootNode, fs.lower, options.mtimeMs === undefined ? {} : { mtimeMs: options.mtimeMs });
    const tar = writeTar(entries);
    const diffId = digestOf(tar);
    const gzipped = (options.compression ?? 'gzip') === 'gzip';
    const blob = gzipped ? await gzip(tar) : tar;
    const { digest, size } = await this.content.put(blob);
    // Warm the cache with the tree we already have the tar for: the next view needs no gunzip.
    if (!this.#layers.has(digest)) {
      this.#layers.set(digest, Promise.resolve({ tree: layerTreeFromTar(tar, { source: digest }), diffId, tar }));
    }
    return { digest, diffId, size, mediaType: gzipped ? MEDIA_TYPE_LAYER_GZIP : MEDIA_TYPE_LAYER_TAR, empty: entries.length === 0 };
  }

  /** Forgets the writable tree `key`; true if there was one. */
  remove(key: string): boolean {
    return this.#active.delete(key);
  }

  /** Drops cached parsed layers and merged trees (active writable trees keep theirs). */
  clearCache(): void {
    this.#layers.clear();
    this.#merged.clear();
  }

  #emptyRoot(): DirNode {
    this.#scratch ??= emptyRoot();
    return this.#scratch;
  }
}

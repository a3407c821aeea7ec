// The build cache index of the classic builder: (parent image id, step key) → the image the
// step made. The images themselves are blobs in the content store (config + layers, no
// index.json entry), so `cachedBlobs` lists what an image-store prune must keep.

import type { Digest } from '../content/digest.js';

export interface CachedLayer {
  digest: Digest;
  size: number;
  mediaType: string;
}

export interface CachedStep {
  /** The config digest of the image after the step (Docker's image id). */
  imageId: Digest;
  /** Every layer blob of that image, bottom first. */
  layers: CachedLayer[];
}

export interface BuildCacheStore {
  get(parent: string, key: string): Promise<CachedStep | undefined>;
  set(parent: string, key: string, step: CachedStep): Promise<void>;
  /** Every cached step (for prune protection and `builder prune`). */
  entries(): Promise<CachedStep[]>;
  /** Forgets everything (`docker builder prune -a`). */
  clear(): Promise<void>;
}

/** Serialisable form: `${parent} ${key}` → step. */
export type BuildCacheData = Record<string, CachedStep>;

export function cacheEntryKey(parent: string, key: string): string {
  return `${parent} ${key}`;
}

export class MemoryBuildCache implements BuildCacheStore {
  protected data: Map<string, CachedStep>;

  constructor(initial: BuildCacheData = {}) {
    this.data = new Map(Object.entries(initial));
  }

  async get(parent: string, key: string): Promise<CachedStep | undefined> {
    return this.data.get(cacheEntryKey(parent, key));
  }

  async set(parent: string, key: string, step: CachedStep): Promise<void> {
    this.data.set(cacheEntryKey(parent, key), step);
  }

  async entries(): Promise<CachedStep[]> {
    return [...this.data.values()];
  }

  async clear(): Promise<void> {
    this.data.clear();
  }

  toJSON(): BuildCacheData {
    return Object.fromEntries(this.data);
  }
}

/** The blobs cached build steps need: pass them as `keep` to ImageStore.prune. */
export async function cachedBlobs(cache: BuildCacheStore): Promise<Set<Digest>> {
  const keep = new Set<Digest>();
  for (const step of await cache.entries()) {
    keep.add(step.imageId);
    for (const l of step.layers) keep.add(l.digest);
  }
  return keep;
}

// The build cache index on disk: one JSON file under the wasmbox root, read once, rewritten
// whole on every change through a temp file and a rename, so a crash leaves the old or the
// new index, never half of one.

import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MemoryBuildCache, cacheEntryKey } from '../../build/cache.js';
import type { BuildCacheData, BuildCacheStore, CachedStep } from '../../build/cache.js';
import { writeFileAtomic } from './atomic-file.js';

export class NodeFileBuildCache implements BuildCacheStore {
  readonly path: string;
  #loaded: Promise<MemoryBuildCache> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = resolve(path);
  }

  #load(): Promise<MemoryBuildCache> {
    this.#loaded ??= (async () => {
      try {
        const data = JSON.parse(await readFile(this.path, 'utf8')) as BuildCacheData;
        return new MemoryBuildCache(data && typeof data === 'object' ? data : {});
      } catch {
        // Missing or unreadable: the cache is only an optimisation, start empty.
        return new MemoryBuildCache();
      }
    })();
    return this.#loaded;
  }

  async #save(): Promise<void> {
    const mem = await this.#load();
    const run = this.#queue.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, JSON.stringify(mem.toJSON()));
    });
    this.#queue = run.catch(() => undefined);
    await run;
  }

  async get(parent: string, key: string): Promise<CachedStep | undefined> {
    return (await this.#load()).get(parent, key);
  }

  async set(parent: string, key: string, step: CachedStep): Promise<void> {
    const mem = await this.#load();
    const old = await mem.get(parent, key);
    await mem.set(parent, key, step);
    if (old?.imageId !== step.imageId) await this.#save();
  }

  async entries(): Promise<CachedStep[]> {
    return (await this.#load()).entries();
  }

  async clear(): Promise<void> {
    await (await this.#load()).clear();
    await this.#save();
  }

  /** For tests: the key the JSON file uses. */
  static entryKey(parent: string, key: string): string {
    return cacheEntryKey(parent, key);
  }
}

/** The build cache file of a wasmbox root. */
export function buildCachePath(root: string): string {
  return join(resolve(root), 'build-cache.json');
}

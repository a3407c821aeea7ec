// The engine's build service: the Dockerfile builder over the engine's image store, layer
// store, build cache and RUN executor, so `POST /build`, `wasmbox build` and tests share one
// way to build. Base images named like a built-in image (toolbox...) are assembled on first use.

import type { BuildOptions, BuildResult } from '../build/builder.js';
import { build } from '../build/builder.js';
import { cachedBlobs } from '../build/cache.js';
import type { BuildCacheStore } from '../build/cache.js';
import type { RunStep } from '../build/run-step.js';
import type { Digest } from '../content/digest.js';
import { ensureImage } from '../image/builtin.js';
import type { ProgramLoader } from '../image/builtin.js';
import type { ImageRecord, ImageStore } from '../image/image-store.js';
import { parseReference } from '../image/reference.js';
import type { LayerStore } from '../layers/layer-store.js';
import type { EventService } from './events.js';

export interface BuildServiceOptions {
  images: ImageStore;
  layers: LayerStore;
  cache: BuildCacheStore;
  runStep: RunStep;
  events: EventService;
  /** Loads the built-in images' programs; without it, a base image must already be in the store. */
  loadProgram?: ProgramLoader;
}

/** What a caller chooses about one build; the service supplies the stores and the runner. */
export type EngineBuildOptions = Omit<BuildOptions, 'images' | 'layers' | 'cache' | 'runStep' | 'resolveImage'>;

export interface BuildPruneResult {
  /** Digests of the cached images and layers that were deleted. */
  cachesDeleted: Digest[];
  spaceReclaimed: number;
}

export class BuildService {
  readonly layers: LayerStore;
  readonly cache: BuildCacheStore;
  readonly runStep: RunStep;
  readonly #images: ImageStore;
  readonly #events: EventService;
  readonly #loadProgram: ProgramLoader | undefined;

  constructor(options: BuildServiceOptions) {
    this.#images = options.images;
    this.layers = options.layers;
    this.cache = options.cache;
    this.runStep = options.runStep;
    this.#events = options.events;
    this.#loadProgram = options.loadProgram;
  }

  /** A base image by name; built-in names are assembled when the store lacks them. */
  resolveImage(reference: string): Promise<ImageRecord> {
    const loadProgram = this.#loadProgram;
    return loadProgram ? ensureImage(this.#images, reference, { loadProgram }) : this.#images.resolve(reference);
  }

  /** Builds and tags; publishes an image `tag` event per tag, as Docker's classic builder does. */
  async build(options: EngineBuildOptions): Promise<BuildResult> {
    const result = await build({
      ...options,
      images: this.#images,
      layers: this.layers,
      cache: this.cache,
      runStep: this.runStep,
      resolveImage: (reference) => this.resolveImage(reference),
    });
    const labels = options.labels ?? {};
    for (const t of result.tags) {
      this.#events.publish('image', 'tag', { id: result.imageId, attributes: { name: parseReference(t).familiar(), ...labels } });
    }
    return result;
  }

  /**
   * `docker builder prune`: forgets every cached step and deletes the blobs only the cache
   * held (a blob an image still uses stays).
   */
  async prune(): Promise<BuildPruneResult> {
    const cached = await cachedBlobs(this.cache);
    await this.cache.clear();
    if (cached.size === 0) return { cachesDeleted: [], spaceReclaimed: 0 };
    const keep = new Set<Digest>();
    for (const blob of await this.#images.content.list()) if (!cached.has(blob.digest)) keep.add(blob.digest);
    const { deleted, spaceReclaimed } = await this.#images.prune({ keep });
    return { cachesDeleted: deleted, spaceReclaimed };
  }
}

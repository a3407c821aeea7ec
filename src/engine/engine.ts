// The engine: the daemon's services (images, volumes, containers, events, system; networks
// join later) wired together over injected stores and a clock, so the same engine runs over an
// on-disk root on Node and over memory in a browser or a test.

import type { BuildCacheStore } from '../build/cache.js';
import { MemoryBuildCache } from '../build/cache.js';
import { inlineRunStep } from '../build/inline-run-step.js';
import type { RunStep } from '../build/run-step.js';
import type { ProgramLoader } from '../image/builtin.js';
import type { ImageStore } from '../image/image-store.js';
import { LayerStore } from '../layers/layer-store.js';
import type { ModuleCache } from '../runner/module-cache.js';
import type { ProcessMode } from '../runner/process.js';
import type { WorkerFactory } from '../runner/worker/protocol.js';
import { BuildService } from './builds.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { ContainerService } from './containers.js';
import type { MountFactory } from './containers.js';
import type { ContainerPersistence } from './containers/persistence.js';
import { EventService } from './events.js';
import { ImageService } from './images.js';
import type { ImageRegistry } from './images.js';
import { RegistryService } from './registry.js';
import type { RegistryServiceOptions } from './registry.js';
import { SystemService, UNKNOWN_HOST } from './system.js';
import type { HostInfo } from './system.js';
import { UsageTracker } from './usage.js';
import { VolumeService } from './volumes.js';
import type { VolumeBackend } from './volumes.js';

export interface EngineOptions {
  images: ImageStore;
  volumes: VolumeBackend;
  clock?: Clock;
  host?: Partial<HostInfo>;
  /** wasmbox's version (package.json), for `docker version` and `docker info`. */
  version?: string;
  /** Where the engine keeps state (display only). */
  root?: string;
  /** Stable engine id; random when absent. */
  id?: string;
  /** How the engine reaches registries (fetch, insecure registries). */
  registry?: RegistryServiceOptions;
  /** Replaces registry access for pull/push (tests). */
  puller?: ImageRegistry;
  /** Random bytes (crypto.getRandomValues by default); injected for reproducible tests. */
  random?: (n: number) => Uint8Array;
  /** Parsed layers and merged trees over the image store's content (default: a new one). */
  layers?: LayerStore;
  /** The build cache index (default: memory, i.e. forgotten on restart). */
  buildCache?: BuildCacheStore;
  /** Executes RUN in builds (default: inline on this thread, not interruptible). */
  runStep?: RunStep;
  /** Loads the built-in images' programs (toolbox...), so builds and runs can assemble them. */
  loadProgram?: ProgramLoader;
  /** Runs process workers (Node: worker_threads); default: the platform's (setDefaultWorkerFactory). */
  workerFactory?: WorkerFactory;
  /** Host directories for bind mounts and volumes; without it volumes live in memory and binds are refused. */
  mountFactory?: MountFactory;
  /** Where containers are kept across restarts; default: memory. */
  persistence?: ContainerPersistence;
  /** 'worker' (killable; the default when workers exist) or 'inline' (fastest; tests). */
  processMode?: ProcessMode;
  moduleCache?: ModuleCache;
}

function randomId(random: (n: number) => Uint8Array): string {
  const hex = [...random(16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Engine {
  readonly clock: Clock;
  readonly events: EventService;
  readonly usage: UsageTracker;
  readonly images: ImageService;
  /** Pull, push, login and search against registries. */
  readonly registry: RegistryService;
  readonly volumes: VolumeService;
  readonly system: SystemService;
  readonly layers: LayerStore;
  readonly builds: BuildService;
  readonly containers: ContainerService;
  readonly #closers: (() => Promise<void> | void)[] = [];

  constructor(options: EngineOptions) {
    const random = options.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
    this.clock = options.clock ?? systemClock;
    this.events = new EventService({ clock: this.clock });
    this.usage = new UsageTracker();
    this.registry = new RegistryService(options.images, options.registry);
    this.images = new ImageService({ store: options.images, events: this.events, usage: this.usage, clock: this.clock, registry: options.puller ?? this.registry });
    this.volumes = new VolumeService({ backend: options.volumes, events: this.events, usage: this.usage, clock: this.clock, random });
    this.layers = options.layers ?? new LayerStore(options.images.content);
    this.builds = new BuildService({
      images: options.images,
      layers: this.layers,
      cache: options.buildCache ?? new MemoryBuildCache(),
      runStep: options.runStep ?? inlineRunStep(),
      events: this.events,
      ...(options.loadProgram ? { loadProgram: options.loadProgram } : {}),
    });
    this.system = new SystemService({
      images: this.images,
      volumes: this.volumes,
      events: this.events,
      host: { ...UNKNOWN_HOST, ...options.host },
      version: options.version ?? '0.0.0',
      root: options.root ?? '',
      id: options.id ?? randomId(random),
    });
    this.containers = new ContainerService({
      images: options.images,
      layers: this.layers,
      volumes: this.volumes,
      events: this.events,
      usage: this.usage,
      system: this.system,
      clock: this.clock,
      random,
      ...(options.loadProgram ? { loadProgram: options.loadProgram } : {}),
      ...(options.persistence ? { persistence: options.persistence } : {}),
      ...(options.mountFactory ? { mountFactory: options.mountFactory } : {}),
      ...(options.workerFactory ? { workerFactory: options.workerFactory } : {}),
      ...(options.processMode ? { processMode: options.processMode } : {}),
      ...(options.moduleCache ? { moduleCache: options.moduleCache } : {}),
    });
    this.onClose(() => this.containers.close());
  }

  /** Registers cleanup for close() (services added later: running containers, listeners). */
  onClose(fn: () => Promise<void> | void): void {
    this.#closers.push(fn);
  }

  /** Ends event subscriptions and runs registered cleanups, last registered first. */
  async close(): Promise<void> {
    this.events.close();
    for (const fn of this.#closers.splice(0).reverse()) await fn();
  }
}

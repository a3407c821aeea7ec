// The engine: the daemon's services (images, volumes, events, system; containers and networks
// join later) wired together over injected stores and a clock, so the same engine runs over an
// on-disk root on Node and over memory in a browser or a test.

import type { ImageStore } from '../image/image-store.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { EventService } from './events.js';
import { ImageService } from './images.js';
import type { ImagePuller } from './images.js';
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
  puller?: ImagePuller;
  /** Random bytes (crypto.getRandomValues by default); injected for reproducible tests. */
  random?: (n: number) => Uint8Array;
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
  readonly volumes: VolumeService;
  readonly system: SystemService;
  readonly #closers: (() => Promise<void> | void)[] = [];

  constructor(options: EngineOptions) {
    const random = options.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
    this.clock = options.clock ?? systemClock;
    this.events = new EventService({ clock: this.clock });
    this.usage = new UsageTracker();
    this.images = new ImageService({ store: options.images, events: this.events, usage: this.usage, clock: this.clock, ...(options.puller ? { puller: options.puller } : {}) });
    this.volumes = new VolumeService({ backend: options.volumes, events: this.events, usage: this.usage, clock: this.clock, random });
    this.system = new SystemService({
      images: this.images,
      volumes: this.volumes,
      events: this.events,
      host: { ...UNKNOWN_HOST, ...options.host },
      version: options.version ?? '0.0.0',
      root: options.root ?? '',
      id: options.id ?? randomId(random),
    });
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

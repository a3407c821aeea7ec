// What `docker info`, `docker version` and `docker system df` report: facts about the host
// (injected by the platform: CPUs, memory, kernel, host name) and counts from the services.

import type { ImageService } from './images.js';
import type { Volume, VolumeService } from './volumes.js';
import type { EventService } from './events.js';
import type { ImageSummary } from '../image/image-store.js';

/** Facts about the machine the engine runs on; the platform fills them in. */
export interface HostInfo {
  /** Host name (`docker info` Name). */
  name: string;
  /** The host's OS, for display: `linux`, `darwin`, `win32`, `browser`. */
  os: string;
  /** CPU architecture of the host: `x64`, `arm64`... */
  arch: string;
  kernelVersion: string;
  ncpu: number;
  /** Bytes of memory. */
  memTotal: number;
  /** Runtime of the engine itself: `node 20.20.0`, a browser's user agent. */
  runtime: string;
}

export const UNKNOWN_HOST: HostInfo = { name: 'wasmbox', os: 'unknown', arch: 'unknown', kernelVersion: '', ncpu: 1, memTotal: 0, runtime: 'unknown' };

/** Counts of containers by state; the container service provides it once it exists. */
export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

export interface SystemServiceOptions {
  images: ImageService;
  volumes: VolumeService;
  events: EventService;
  host: HostInfo;
  /** wasmbox's own version. */
  version: string;
  /** Where state lives (a directory on Node); `docker info` DockerRootDir. */
  root: string;
  /** A stable id for this engine (`docker info` ID). */
  id: string;
  containers?: () => ContainerCounts;
}

export interface DiskUsage {
  layersSize: number;
  images: (ImageSummary & { sharedSize: number; containers: number })[];
  volumes: (Volume & { size: number; refCount: number })[];
}

export class SystemService {
  readonly host: HostInfo;
  readonly version: string;
  readonly root: string;
  readonly id: string;
  readonly #o: SystemServiceOptions;
  #containers: () => ContainerCounts;

  constructor(options: SystemServiceOptions) {
    this.#o = options;
    this.host = options.host;
    this.version = options.version;
    this.root = options.root;
    this.id = options.id;
    this.#containers = options.containers ?? (() => ({ total: 0, running: 0, paused: 0, stopped: 0 }));
  }

  /** Lets the container service, created after this one, report its counts. */
  setContainerCounts(fn: () => ContainerCounts): void {
    this.#containers = fn;
  }

  containerCounts(): ContainerCounts {
    return this.#containers();
  }

  async imageCount(): Promise<number> {
    return (await this.#o.images.store.list()).length;
  }

  eventListeners(): number {
    return this.#o.events.listeners;
  }

  /** `docker system df`: images with shared sizes and users, volumes with sizes and users. */
  async diskUsage(options: { images?: boolean; volumes?: boolean } = {}): Promise<DiskUsage> {
    const wantImages = options.images ?? true;
    const wantVolumes = options.volumes ?? true;
    const out: DiskUsage = { layersSize: 0, images: [], volumes: [] };
    if (wantImages) {
      const sizes = await this.#o.images.sharedSizes();
      out.layersSize = await this.#layersSize();
      for (const i of await this.#o.images.store.list()) {
        out.images.push({ ...i, sharedSize: sizes.get(i.id)?.shared ?? 0, containers: this.#o.images.users(i.id).length });
      }
    }
    if (wantVolumes) {
      for (const v of await this.#o.volumes.list()) {
        const size = await this.#o.volumes.backend.usage(v.name).catch(() => -1);
        out.volumes.push({ ...v, size, refCount: this.#o.volumes.users(v.name).length });
      }
    }
    return out;
  }

  /** Bytes of distinct layer blobs in the image store. */
  async #layersSize(): Promise<number> {
    const seen = new Map<string, number>();
    for (const i of await this.#o.images.store.list()) {
      const r = await this.#o.images.store.resolve(i.id);
      for (const l of r.manifest.layers) seen.set(l.digest, l.size);
    }
    return [...seen.values()].reduce((n, s) => n + s, 0);
  }
}

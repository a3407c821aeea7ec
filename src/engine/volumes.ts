// Named volumes (`docker volume create/ls/inspect/rm/prune`), driver "local" only. Where a
// volume's metadata and files live is the injected VolumeBackend's business: a host directory
// per volume on Node (platform/node), memory in tests and in the browser.

import { WasmboxError } from '../errors.js';
import type { Clock } from './clock.js';
import { rfc3339, systemClock } from './clock.js';
import type { EventService } from './events.js';
import { boolFilter, checkFilterKeys, matchLabels } from './filters.js';
import type { Filters } from './filters.js';
import type { UsageTracker } from './usage.js';

/** A volume's persistent metadata. */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  /** RFC 3339. */
  createdAt: string;
}

/** A volume as the Engine API shows it. */
export interface Volume extends VolumeRecord {
  mountpoint: string;
}

/** Storage for volumes; `create` writes metadata atomically (no half-made volume after a crash). */
export interface VolumeBackend {
  list(): Promise<VolumeRecord[]>;
  get(name: string): Promise<VolumeRecord | undefined>;
  /** Creates the volume's (empty) data and its metadata; EEXIST if it exists. */
  create(record: VolumeRecord): Promise<void>;
  /** Removes the volume and all its data; ENOENT if it does not exist. */
  remove(name: string): Promise<void>;
  /** Where the data lives (a host path on Node; a virtual path elsewhere). */
  mountpoint(name: string): string;
  /** Bytes the volume's files take. */
  usage(name: string): Promise<number>;
}

/** Docker's rule for local volume names. */
const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Docker marks volumes created without a name; `volume prune` removes only those unless `all`. */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';
export const VOLUME_LIST_FILTERS = ['name', 'driver', 'label', 'dangling'] as const;
export const VOLUME_PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

export interface CreateVolumeOptions {
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface VolumeServiceOptions {
  backend: VolumeBackend;
  events: EventService;
  usage: UsageTracker;
  clock?: Clock;
  /** Random bytes for generated names (crypto.getRandomValues by default). */
  random?: (n: number) => Uint8Array;
}

function noSuchVolume(op: string, name: string): WasmboxError {
  return new WasmboxError('NOT_FOUND', `${op} ${name}: no such volume`, { details: { volume: name } });
}

export class VolumeService {
  readonly backend: VolumeBackend;
  readonly #events: EventService;
  readonly #usage: UsageTracker;
  readonly #clock: Clock;
  readonly #random: (n: number) => Uint8Array;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: VolumeServiceOptions) {
    this.backend = options.backend;
    this.#events = options.events;
    this.#usage = options.usage;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
  }

  /** Create and remove one at a time, so two `create x` calls agree on one volume. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #volume(record: VolumeRecord): Volume {
    return { ...record, mountpoint: this.backend.mountpoint(record.name) };
  }

  /** `docker volume create`: returns the existing volume when the name is taken by a local one, as Docker does. */
  async create(options: CreateVolumeOptions = {}): Promise<Volume> {
    const driver = options.driver === undefined || options.driver === '' ? 'local' : options.driver;
    if (driver !== 'local') {
      throw new WasmboxError('NOT_FOUND', `error looking up volume plugin ${driver}: plugin "${driver}" not found (wasmbox has only the "local" driver)`, {
        details: { driver },
      });
    }
    const opts = options.driverOpts ?? {};
    const optKeys = Object.keys(opts);
    if (optKeys.length > 0) {
      throw new WasmboxError('NOT_IMPLEMENTED', `local volume driver options are not supported (got ${optKeys.join(', ')}): wasmbox cannot mount devices`, {
        details: { options: opts },
      });
    }
    const labels = { ...(options.labels ?? {}) };
    let name = options.name ?? '';
    if (name === '') {
      name = [...this.#random(32)].map((b) => b.toString(16).padStart(2, '0')).join('');
      labels[ANONYMOUS_VOLUME_LABEL] = '';
    } else if (!VOLUME_NAME_RE.test(name)) {
      throw new WasmboxError(
        'INVALID_ARGUMENT',
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
        { details: { volume: name } },
      );
    }
    return this.#exclusive(async () => {
      const existing = await this.backend.get(name);
      if (existing) return this.#volume(existing);
      const record: VolumeRecord = { name, driver: 'local', labels, options: {}, createdAt: rfc3339(this.#clock.now()) };
      await this.backend.create(record);
      this.#events.publish('volume', 'create', { id: name, attributes: { driver: 'local' } });
      return this.#volume(record);
    });
  }

  /** `docker volume inspect`: NOT_FOUND "get x: no such volume". */
  async inspect(name: string): Promise<Volume> {
    const record = await this.backend.get(name);
    if (!record) throw noSuchVolume('get', name);
    return this.#volume(record);
  }

  /** Containers that use the volume. */
  users(name: string): string[] {
    return this.#usage.users('volume', name);
  }

  /** `docker volume ls`, with filters name (substring), driver, label, dangling. */
  async list(filters: Filters = {}): Promise<Volume[]> {
    checkFilterKeys(filters, VOLUME_LIST_FILTERS);
    const dangling = boolFilter(filters, 'dangling');
    const records = await this.backend.list();
    return records
      .filter((v) => !filters.name?.length || filters.name.some((n) => v.name.includes(n)))
      .filter((v) => !filters.driver?.length || filters.driver.includes(v.driver))
      .filter((v) => matchLabels(v.labels, filters.label))
      .filter((v) => dangling === undefined || (this.users(v.name).length === 0) === dangling)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((v) => this.#volume(v));
  }

  /** `docker volume rm`: CONFLICT while a container uses it; with `force`, a missing volume is no error. */
  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    await this.#exclusive(async () => {
      const record = await this.backend.get(name);
      if (!record) {
        if (options.force) return;
        throw noSuchVolume('get', name);
      }
      const users = this.users(name);
      if (users.length > 0) {
        throw new WasmboxError('CONFLICT', `remove ${name}: volume is in use - [${users.join(', ')}]`, { details: { volume: name, containers: users } });
      }
      await this.backend.remove(name);
      this.#events.publish('volume', 'destroy', { id: name, attributes: { driver: 'local' } });
    });
  }

  /**
   * `docker volume prune`: unused anonymous volumes, or every unused volume with `all=true`
   * (API 1.42+). Returns the names removed and the bytes they took.
   */
  async prune(filters: Filters = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    checkFilterKeys(filters, VOLUME_PRUNE_FILTERS);
    const all = boolFilter(filters, 'all') ?? false;
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const v of await this.backend.list()) {
      if (!all && !Object.hasOwn(v.labels, ANONYMOUS_VOLUME_LABEL)) continue;
      if (!matchLabels(v.labels, filters.label)) continue;
      if (filters['label!']?.length && !matchLabels(v.labels, filters['label!'], { invert: true })) continue;
      if (this.users(v.name).length > 0) continue;
      const size = await this.backend.usage(v.name).catch(() => 0);
      try {
        await this.remove(v.name);
      } catch (e) {
        // A container may have taken it since the listing; it is simply not pruned.
        if (e instanceof WasmboxError && (e.code === 'CONFLICT' || e.code === 'NOT_FOUND')) continue;
        throw e;
      }
      deleted.push(v.name);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }
}

/** Volumes in memory (tests, the browser): metadata only; data lives wherever the runner mounts it. */
export class MemoryVolumeBackend implements VolumeBackend {
  readonly #volumes = new Map<string, VolumeRecord>();
  readonly #root: string;

  constructor(options: { root?: string } = {}) {
    this.#root = options.root ?? '/var/lib/wasmbox/volumes';
  }

  async list(): Promise<VolumeRecord[]> {
    return [...this.#volumes.values()].map((v) => structuredClone(v));
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    const v = this.#volumes.get(name);
    return v && structuredClone(v);
  }

  async create(record: VolumeRecord): Promise<void> {
    if (this.#volumes.has(record.name)) throw new WasmboxError('EEXIST', `volume ${record.name} already exists`, { details: { volume: record.name } });
    this.#volumes.set(record.name, structuredClone(record));
  }

  async remove(name: string): Promise<void> {
    if (!this.#volumes.delete(name)) throw noSuchVolume('remove', name);
  }

  mountpoint(name: string): string {
    return `${this.#root}/${name}/_data`;
  }

  async usage(): Promise<number> {
    return 0;
  }
}

// What the container service keeps across engine restarts, and where: each container's
// record (config.v2.json on Node), its top layer as a diff tar, and its output log (Docker's
// json-file lines). The store is injected: memory here (tests, browser), a directory per
// container on Node (platform/node/container-store.ts).

import type { Digest } from '../../content/digest.js';
import type { ContainerInspect, ContainerState, HostConfig, OutputFrame } from '../container-types.js';

/** A mount as resolved at create time (what inspect's Mounts shows, plus what the engine needs to remount). */
export interface ResolvedMount {
  Type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (volumes only). */
  Name?: string;
  /** Host path (bind), the volume's mountpoint, or '' (tmpfs). */
  Source: string;
  Destination: string;
  RW: boolean;
  Mode: string;
  /** tmpfs size limit in bytes. */
  sizeBytes?: number;
  /** An anonymous volume (removed with the container by `rm -v` or AutoRemove). */
  anonymous?: boolean;
}

export interface ContainerStateRecord {
  status: ContainerState;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  /** ms since the epoch; 0 = never. */
  startedAt: number;
  finishedAt: number;
}

/** One container's persistent record (config.v2.json). */
export interface ContainerRecord {
  id: string;
  /** Without the leading '/'. */
  name: string;
  /** ms since the epoch. */
  created: number;
  config: ContainerInspect['Config'];
  hostConfig: HostConfig;
  /** The image's id (config digest); '' for a container made from a bare module. */
  imageId: string;
  /** The image's layer blobs, bottom first. */
  layers: Digest[];
  /** argv[0] and the rest, as inspect's Path and Args. */
  path: string;
  args: string[];
  mounts: ResolvedMount[];
  state: ContainerStateRecord;
  restartCount: number;
  /** Stopped by the user: `unless-stopped` does not bring it back, a restart policy does not fire. */
  manuallyStopped: boolean;
}

export interface StoredContainer {
  record: ContainerRecord;
  /** The top layer's changes on the image, as a layer tar (whiteouts included). */
  top?: Uint8Array;
  /** The output log, oldest first. */
  logs?: OutputFrame[];
}

export interface ContainerPersistence {
  /** Every container stored, in any order. */
  load(): Promise<StoredContainer[]>;
  /** Writes the record atomically (no half-written record after a crash). */
  save(record: ContainerRecord): Promise<void>;
  /** Replaces the stored top layer. */
  saveTop(id: string, tar: Uint8Array): Promise<void>;
  /** Appends one output frame to the log; must not block the caller (buffered, written in order). */
  appendLog(id: string, frame: OutputFrame): void;
  /** Forgets the container and everything stored for it. */
  remove(id: string): Promise<void>;
  /** Waits for pending writes (engine close). */
  flush?(): Promise<void>;
}

/** Keeps everything in memory; reopening an engine over the same instance is a daemon restart. */
export class MemoryContainerPersistence implements ContainerPersistence {
  readonly #records = new Map<string, ContainerRecord>();
  readonly #tops = new Map<string, Uint8Array>();
  readonly #logs = new Map<string, OutputFrame[]>();

  async load(): Promise<StoredContainer[]> {
    return [...this.#records.values()].map((r) => ({
      record: structuredClone(r),
      ...(this.#tops.has(r.id) ? { top: this.#tops.get(r.id)! } : {}),
      logs: [...(this.#logs.get(r.id) ?? [])],
    }));
  }

  async save(record: ContainerRecord): Promise<void> {
    this.#records.set(record.id, structuredClone(record));
  }

  async saveTop(id: string, tar: Uint8Array): Promise<void> {
    this.#tops.set(id, tar);
  }

  appendLog(id: string, frame: OutputFrame): void {
    let log = this.#logs.get(id);
    if (!log) this.#logs.set(id, (log = []));
    log.push(frame);
  }

  async remove(id: string): Promise<void> {
    this.#records.delete(id);
    this.#tops.delete(id);
    this.#logs.delete(id);
  }
}

// The engine side of a container's file-system replication. The hub owns the container's
// real namespace (`hub.fs`, a RecordingNamespace over its TreeFs top layer and mounts); each
// worker process gets a snapshot to build a replica from, sends its changes back as a change
// log (asynchronously), and receives everyone else's changes (the engine's own, inline
// processes', other workers') in its inbox.
//
// Consistency model, as NFS's close-to-open: a change is visible to the process that made it
// at once, to the engine when its batch arrives (at the latest when the process exits), and
// to another running process at its next file-system call after the hub forwarded it. Each
// replica applies its own changes first and others' in arrival order, so truly concurrent
// changes to the same file (two processes writing it at once) may leave replicas differing
// until the next change of that file; the engine's copy is the one that is kept (commit,
// diff, later processes).

import { WasmboxError } from '../../errors.js';
import type { DirNode } from '../../vfs/node.js';
import { emptyRoot } from '../../vfs/merge.js';
import type { MountOptions } from '../../vfs/namespace.js';
import { TreeFs } from '../../vfs/tree-fs.js';
import type { FsBackend } from '../../vfs/types.js';
import { diffEntries } from '../../layers/diff.js';
import { writeTar } from '../../layers/tar-writer.js';
import { SharedRing } from '../shared-ring.js';
import { ChangeQueue, encodeChanges } from './change-log.js';
import type { FsChange } from './change-log.js';
import type { MountReplicaSpec, ReplicaInit } from './protocol.js';
import { RecordingNamespace } from './recording-namespace.js';

export interface LowerLayers {
  chainId?: string;
  /** The image's layers as uncompressed tars, bottom first: must merge to the top layer's `lower`. */
  tars: readonly Uint8Array[];
}

export interface ContainerFsHubOptions {
  /** The container's writable top layer. */
  top: TreeFs;
  /**
   * The tars `top.lower` was merged from. Without them a replica's snapshot holds the whole
   * tree (correct, but a copy of every file per process).
   */
  lower?: LowerLayers;
  readOnly?: boolean;
  /**
   * The container's root file system when it is not `top` (`--rootfs`: a host directory,
   * shared, never replicated); `top` then stays empty and `describeMount` must describe it.
   */
  root?: FsBackend<unknown>;
  /** Tells how a worker reaches a mount that is not an in-memory tree (a host directory); undefined: it cannot. */
  describeMount?: (backend: FsBackend<unknown>) => { type: 'host'; hostPath: string } | undefined;
  /** Size of each replica's inbox ring; default 1 MiB. */
  inboxBytes?: number;
}

/** One replica (one worker process) attached to a hub. */
export interface ReplicaLink {
  readonly init: ReplicaInit;
  /** Changes the replica made, in order: applied to the container and forwarded to the other replicas. */
  receive(changes: readonly FsChange[]): void;
  /** Stops forwarding to this replica (its process ended). */
  close(): void;
  /** Changes that did not apply on the container (a conflict with a concurrent change). */
  readonly conflicts: number;
}

interface Subscriber {
  ring: SharedRing | undefined;
  pending: Uint8Array[];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Retry delay while the inbox stays full (doubles up to 50 ms: the process may compute for long). */
  delay: number;
  closed: boolean;
}

const sabCache = new WeakMap<Uint8Array, SharedArrayBuffer>();

/** A layer tar in shared memory, once per tar (every container and process of an image shares it). */
function sharedCopy(tar: Uint8Array): SharedArrayBuffer | Uint8Array {
  if (typeof SharedArrayBuffer === 'undefined') return tar;
  if (tar.buffer instanceof SharedArrayBuffer) return tar.byteOffset === 0 && tar.byteLength === tar.buffer.byteLength ? tar.buffer : tar;
  let sab = sabCache.get(tar);
  if (sab === undefined) {
    sab = new SharedArrayBuffer(tar.byteLength);
    new Uint8Array(sab).set(tar);
    sabCache.set(tar, sab);
  }
  return sab;
}

export class ContainerFsHub {
  /** The container's file system as the engine and inline processes must use it. */
  readonly fs: RecordingNamespace;
  readonly top: TreeFs;
  readonly #options: ContainerFsHubOptions;
  readonly #subscribers = new Set<Subscriber>();
  /** Local changes (engine, inline processes) not yet forwarded: sent in a microtask, in one frame. */
  readonly #local = new ChangeQueue();
  #flushScheduled = false;

  constructor(options: ContainerFsHubOptions) {
    this.#options = options;
    this.top = options.top;
    this.fs = new RecordingNamespace(options.root ?? options.top, {
      readOnly: options.readOnly ?? false,
      record: (c) => this.#recordLocal(c),
    });
    if (options.root !== undefined) this.fs.unreplicated('/');
  }

  /** Mounts on the container's namespace, marking host directories as shared (not replicated). */
  mount(path: string, backend: FsBackend<unknown>, options: MountOptions = {}): void {
    this.fs.mount(path, backend, options);
    if (!(backend instanceof TreeFs)) this.fs.unreplicated(path);
  }

  /** Number of replicas attached. */
  get replicas(): number {
    return this.#subscribers.size;
  }

  /**
   * Snapshots the container for a new replica and starts forwarding changes to it. Without
   * shared memory the replica gets no inbox: it sees the container as of the snapshot, plus
   * its own changes.
   */
  openReplica(options: { sharedMemory?: boolean } = {}): ReplicaLink {
    const shared = options.sharedMemory ?? typeof SharedArrayBuffer !== 'undefined';
    // Changes made before the snapshot are in it: forward them to the others first.
    this.#flushLocal();
    const lower = this.#options.lower;
    const lowerRoot: DirNode = lower === undefined ? emptyRoot() : this.top.lower;
    const mounts: MountReplicaSpec[] = this.fs.listMounts().map((m) => {
      if (m.backend instanceof TreeFs) {
        return { path: m.path, readOnly: m.readOnly, type: 'tree', snapshot: writeTar(diffEntries(m.backend.rootNode, emptyRoot())) };
      }
      const described = this.#options.describeMount?.(m.backend);
      if (described === undefined) {
        throw new WasmboxError('NOT_IMPLEMENTED', `the mount at ${m.path} cannot be reached from a worker process; run the process inline`, {
          details: { path: m.path },
        });
      }
      this.fs.unreplicated(m.path);
      return { path: m.path, readOnly: m.readOnly, type: 'host', hostPath: described.hostPath };
    });
    const ring = shared ? new SharedRing(this.#options.inboxBytes ?? 1 << 20) : undefined;
    let root: MountReplicaSpec | undefined;
    if (this.#options.root !== undefined) {
      const described = this.#options.describeMount?.(this.#options.root);
      if (described === undefined) {
        throw new WasmboxError('NOT_IMPLEMENTED', "the container's root file system cannot be reached from a worker process; run the process inline");
      }
      root = { path: '/', readOnly: this.#options.readOnly ?? false, type: 'host', hostPath: described.hostPath };
    }
    const init: ReplicaInit = {
      lower: { ...(lower?.chainId === undefined ? {} : { chainId: lower.chainId }), layers: (lower?.tars ?? []).map((t) => (shared ? sharedCopy(t) : t)) },
      top: writeTar(diffEntries(this.top.rootNode, lowerRoot)),
      readOnly: this.#options.readOnly ?? false,
      ...(root === undefined ? {} : { root }),
      mounts,
      ...(ring === undefined ? {} : { inbox: ring.buffer }),
    };
    const sub: Subscriber = { ring, pending: [], timer: undefined, delay: 1, closed: false };
    this.#subscribers.add(sub);
    let conflicts = 0;
    return {
      init,
      receive: (changes) => {
        if (changes.length === 0) return;
        this.#flushLocal();
        conflicts += this.fs.applyRemote(changes);
        this.#broadcast(changes, sub);
      },
      close: () => {
        sub.closed = true;
        if (sub.timer !== undefined) clearTimeout(sub.timer);
        this.#subscribers.delete(sub);
      },
      get conflicts() {
        return conflicts;
      },
    };
  }

  /** Forwards queued local changes now (normally done in a microtask). */
  flush(): void {
    this.#flushLocal();
  }

  #recordLocal(c: FsChange): void {
    if (this.#subscribers.size === 0) return;
    this.#local.push(c);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flushLocal());
    }
  }

  #flushLocal(): void {
    this.#flushScheduled = false;
    if (this.#local.length === 0) return;
    this.#broadcast(this.#local.take(), undefined);
  }

  #broadcast(changes: readonly FsChange[], except: Subscriber | undefined): void {
    let frame: Uint8Array | undefined;
    for (const sub of this.#subscribers) {
      if (sub === except || sub.ring === undefined) continue;
      if (frame === undefined) {
        const body = encodeChanges(changes);
        frame = new Uint8Array(4 + body.length);
        new DataView(frame.buffer).setUint32(0, body.length, true);
        frame.set(body, 4);
      }
      sub.pending.push(frame);
      this.#pump(sub);
    }
  }

  /** Writes what fits into the replica's inbox; retries shortly while it is full (the process is busy computing). */
  #pump(sub: Subscriber): void {
    if (sub.closed || sub.ring === undefined) return;
    let progressed = false;
    while (sub.pending.length > 0) {
      const head = sub.pending[0]!;
      const n = sub.ring.write(head);
      if (n > 0) progressed = true;
      if (n === head.length) sub.pending.shift();
      else {
        if (n > 0) sub.pending[0] = head.subarray(n);
        break;
      }
    }
    sub.delay = progressed ? 1 : Math.min(sub.delay * 2, 50);
    if (sub.pending.length > 0 && sub.timer === undefined) {
      sub.timer = setTimeout(() => {
        sub.timer = undefined;
        this.#pump(sub);
      }, sub.delay);
    }
  }
}

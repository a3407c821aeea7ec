// The worker side of replication: builds the process's own Namespace from a ReplicaInit
// (layers parsed and merged here, once per chain id per worker), records the process's
// changes in a queue the worker sends in batches, and applies other processes' changes from
// the inbox at the start of each file-system call (one shared-memory read when there is none).

import type { DirNode, LayerDir } from '../../vfs/node.js';
import { applyLayer, emptyRoot, mergeLayers } from '../../vfs/merge.js';
import { TreeFs } from '../../vfs/tree-fs.js';
import type { FsBackend } from '../../vfs/types.js';
import { layerTreeFromTar } from '../../layers/layer-tree.js';
import { SharedRing } from '../shared-ring.js';
import { ChangeQueue, decodeChanges } from './change-log.js';
import type { FsChange } from './change-log.js';
import type { MountReplicaSpec, ReplicaInit } from './protocol.js';
import { RecordingNamespace } from './recording-namespace.js';

export interface ReplicaOptions {
  /** Opens a host-directory mount inside the worker (the Node platform's HostDirBackend). */
  openHostMount?: (spec: MountReplicaSpec) => FsBackend<unknown>;
  /** Called after a change was queued (the worker decides when to send the batch). */
  onChange?: (queue: ChangeQueue) => void;
  /**
   * Called at the start of every file-system call: a process that wrote once and then only
   * reads (polls for another process's file) still gets its batch sent after a while.
   */
  onCall?: (queue: ChangeQueue) => void;
}

/** Merged lower trees of this thread, by chain id. */
const mergedByChain = new Map<string, DirNode>();

function layerTree(tar: SharedArrayBuffer | Uint8Array): LayerDir {
  const bytes = tar instanceof Uint8Array ? tar : new Uint8Array(tar);
  try {
    return layerTreeFromTar(bytes);
  } catch (e) {
    // Browsers' TextDecoder refuses views of shared memory: parse a private copy there.
    if (e instanceof TypeError && bytes.buffer instanceof SharedArrayBuffer) return layerTreeFromTar(bytes.slice());
    throw e;
  }
}

export class FsReplica {
  readonly fs: RecordingNamespace;
  /** Changes this process made that were not sent yet. */
  readonly queue = new ChangeQueue();
  readonly #inbox: SharedRing | undefined;
  #partial = new Uint8Array(0);
  /** Others' changes that did not apply here (conflicts). */
  conflicts = 0;

  constructor(init: ReplicaInit, options: ReplicaOptions = {}) {
    let lower: DirNode | undefined = init.lower.chainId === undefined ? undefined : mergedByChain.get(init.lower.chainId);
    if (lower === undefined) {
      lower = init.lower.layers.length === 0 ? emptyRoot() : mergeLayers(init.lower.layers.map(layerTree));
      if (init.lower.chainId !== undefined) mergedByChain.set(init.lower.chainId, lower);
    }
    const root = init.top.length === 0 ? lower : applyLayer(lower, layerTree(init.top));
    this.#inbox = init.inbox === undefined ? undefined : new SharedRing(init.inbox);
    const onChange = options.onChange;
    let rootBackend: FsBackend<unknown> = new TreeFs(root);
    if (init.root !== undefined) {
      if (options.openHostMount === undefined) throw new Error("this platform cannot open the host directory that is the container's root");
      rootBackend = options.openHostMount(init.root);
    }
    this.fs = new RecordingNamespace(rootBackend, {
      readOnly: init.readOnly,
      record: (c) => {
        this.queue.push(c);
        onChange?.(this.queue);
      },
      beforeCall:
        this.#inbox === undefined && options.onCall === undefined
          ? undefined
          : () => {
              this.sync();
              options.onCall?.(this.queue);
            },
    });
    if (init.root !== undefined) this.fs.unreplicated('/');
    for (const m of init.mounts) {
      if (m.type === 'tree') {
        const tree = m.snapshot === undefined || m.snapshot.length === 0 ? emptyRoot() : applyLayer(emptyRoot(), layerTree(m.snapshot));
        this.fs.mount(m.path, new TreeFs(tree), { readOnly: m.readOnly });
      } else {
        if (options.openHostMount === undefined) throw new Error(`this platform cannot open the host directory mounted at ${m.path}`);
        this.fs.mount(m.path, options.openHostMount(m), { readOnly: m.readOnly });
        this.fs.unreplicated(m.path);
      }
    }
  }

  /** Applies the changes waiting in the inbox; cheap when there are none. */
  sync(): void {
    const inbox = this.#inbox;
    if (inbox === undefined || inbox.available() === 0) return;
    const got = inbox.tryRead(inbox.available());
    if (got === null || got.length === 0) return;
    let buf: Uint8Array;
    if (this.#partial.length === 0) buf = got;
    else {
      buf = new Uint8Array(this.#partial.length + got.length);
      buf.set(this.#partial);
      buf.set(got, this.#partial.length);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    const changes: FsChange[] = [];
    while (buf.length - o >= 4) {
      const len = view.getUint32(o, true);
      if (buf.length - o - 4 < len) break;
      for (const c of decodeChanges(buf.subarray(o + 4, o + 4 + len))) changes.push(c);
      o += 4 + len;
    }
    this.#partial = buf.slice(o);
    if (changes.length > 0) this.conflicts += this.fs.applyRemote(changes);
  }

  /** Takes the queued changes to send. */
  takeChanges(): FsChange[] {
    return this.queue.take();
  }
}

// What a worker needs to build its own replica of a container's file system, as plain
// structured-cloneable data: the image's layer tars (shared, never copied per process where
// SharedArrayBuffer exists), a tar snapshot of the top layer, the mounts, and the inbox
// through which other processes' changes arrive.

export interface MountReplicaSpec {
  path: string;
  readOnly: boolean;
  /**
   * `tree`: an in-memory tree (tmpfs, memory volume), replicated from `snapshot` and kept in
   * step through the change log. `host`: a host directory the worker opens itself.
   */
  type: 'tree' | 'host';
  snapshot?: Uint8Array;
  hostPath?: string;
}

export interface ReplicaInit {
  lower: {
    /** Caches the merged tree in a worker that serves several processes. */
    chainId?: string;
    /** Uncompressed layer tars, bottom first. */
    layers: Array<SharedArrayBuffer | Uint8Array>;
  };
  /** Tar of the top layer's changes on `lower` at the time of the snapshot. */
  top: Uint8Array;
  readOnly: boolean;
  /**
   * The container's root is a host directory (`--rootfs`): the worker opens it itself (path
   * '/', type 'host') and `lower`/`top` are empty.
   */
  root?: MountReplicaSpec;
  mounts: MountReplicaSpec[];
  /** A SharedRing of change frames ([u32 length][encodeChanges]); absent without SharedArrayBuffer. */
  inbox?: SharedArrayBuffer;
}

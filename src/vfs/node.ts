// The in-memory file tree every wasmbox file system is made of: read-only layer trees,
// merged lower trees and writable top layers all share these node shapes. A node that
// belongs to no writable layer (owner === null) is immutable and may be shared by any number
// of trees; a writable layer copies a node (and its parent directories) before changing it.

export type NodeKind = 'file' | 'dir' | 'symlink';

/** Identifies one writable layer; nodes it owns may be changed in place. */
export interface Owner {
  readonly id: number;
}

let nextOwnerId = 1;
export function newOwner(): Owner {
  return { id: nextOwnerId++ };
}

let nextIno = 1;
export function newIno(): number {
  return nextIno++;
}

interface NodeBase {
  /** Inode number: shared by hard links (which are the same node object). */
  ino: number;
  /** Permission bits only (0o7777); the type is `kind`. */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  atimeMs: number;
  ctimeMs: number;
  /** The writable layer that may change this node in place, or null when immutable. */
  owner: Owner | null;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  /** Contents are data[0, size). data may be larger (spare capacity for appends) or a view into a layer blob. */
  data: Uint8Array;
  size: number;
  /** Number of directory entries naming this node (hard links). */
  nlink: number;
  /** True when `data` may be shared (a view into a layer blob or another node's bytes): copy before writing. */
  sharedData?: boolean;
}

export interface DirNode extends NodeBase {
  kind: 'dir';
  entries: Map<string, Node>;
  /**
   * In a writable layer: the lower directory this one was copied from. A directory with no
   * origin that replaces a lower directory at the same path hides it whole (opaque).
   */
  origin?: DirNode | undefined;
}

export interface SymlinkNode extends NodeBase {
  kind: 'symlink';
  target: string;
}

export type Node = FileNode | DirNode | SymlinkNode;

/** In a layer tree (one tar), `.wh.<name>`: the name is deleted from the layers below. */
export interface WhiteoutEntry {
  kind: 'whiteout';
}

/**
 * One layer as its tar describes it: like a Node tree, but directories may be marked
 * opaque (`.wh..wh..opq`) and may hold whiteouts.
 */
export interface LayerDir extends NodeBase {
  kind: 'dir';
  entries: Map<string, LayerEntry>;
  opaque: boolean;
  /** False for a directory the tar never listed itself (only implied by a path below it). */
  explicit: boolean;
}

/** A hard link whose target is not in this layer: resolved against the layers below at merge time. */
export interface LowerHardLink {
  kind: 'lowerlink';
  /** Absolute path of the target in the container, e.g. `/usr/bin/x`. */
  target: string;
}

export type LayerEntry = FileNode | SymlinkNode | LayerDir | WhiteoutEntry | LowerHardLink;

export const EMPTY = new Uint8Array(0);

export interface NodeInit {
  mode?: number;
  uid?: number;
  gid?: number;
  mtimeMs?: number;
  owner?: Owner | null;
}

// Object literals with every field in one order (no spread): V8 keeps one hidden class per
// node kind, and spreading a base object measured ~10x slower per node on Node 20.

export function newDir(init: NodeInit = {}): DirNode {
  const t = init.mtimeMs ?? 0;
  return {
    kind: 'dir',
    ino: newIno(),
    mode: init.mode ?? 0o755,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    mtimeMs: t,
    atimeMs: t,
    ctimeMs: t,
    owner: init.owner ?? null,
    entries: new Map(),
    origin: undefined,
  };
}

export function newFile(data: Uint8Array = EMPTY, init: NodeInit = {}): FileNode {
  const t = init.mtimeMs ?? 0;
  return {
    kind: 'file',
    ino: newIno(),
    mode: init.mode ?? 0o644,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    mtimeMs: t,
    atimeMs: t,
    ctimeMs: t,
    owner: init.owner ?? null,
    data,
    size: data.length,
    nlink: 1,
    sharedData: false,
  };
}

export function newSymlink(target: string, init: NodeInit = {}): SymlinkNode {
  const t = init.mtimeMs ?? 0;
  return {
    kind: 'symlink',
    ino: newIno(),
    mode: init.mode ?? 0o777,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    mtimeMs: t,
    atimeMs: t,
    ctimeMs: t,
    owner: init.owner ?? null,
    target,
  };
}

export function newLayerDir(init: NodeInit = {}, explicit = true): LayerDir {
  const t = init.mtimeMs ?? 0;
  return {
    kind: 'dir',
    ino: newIno(),
    mode: init.mode ?? 0o755,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    mtimeMs: t,
    atimeMs: t,
    ctimeMs: t,
    owner: init.owner ?? null,
    entries: new Map(),
    opaque: false,
    explicit,
  };
}

/** A copy of a directory owned by `owner`, remembering where it came from (see DirNode.origin). */
export function cloneDir(d: DirNode, owner: Owner | null, origin: DirNode | undefined = d): DirNode {
  return {
    kind: 'dir',
    ino: d.ino,
    mode: d.mode,
    uid: d.uid,
    gid: d.gid,
    mtimeMs: d.mtimeMs,
    atimeMs: d.atimeMs,
    ctimeMs: d.ctimeMs,
    owner,
    entries: new Map(d.entries),
    origin,
  };
}

/** A copy of a file whose bytes stay shared until the first write. */
export function cloneFile(f: FileNode, owner: Owner | null, ino = f.ino): FileNode {
  return {
    kind: 'file',
    ino,
    mode: f.mode,
    uid: f.uid,
    gid: f.gid,
    mtimeMs: f.mtimeMs,
    atimeMs: f.atimeMs,
    ctimeMs: f.ctimeMs,
    owner,
    data: f.data,
    size: f.size,
    nlink: 1,
    sharedData: true,
  };
}

export function cloneSymlink(l: SymlinkNode, owner: Owner | null): SymlinkNode {
  return {
    kind: 'symlink',
    ino: l.ino,
    mode: l.mode,
    uid: l.uid,
    gid: l.gid,
    mtimeMs: l.mtimeMs,
    atimeMs: l.atimeMs,
    ctimeMs: l.ctimeMs,
    owner,
    target: l.target,
  };
}

/** The bytes of a file (a view, not a copy). */
export function fileBytes(f: FileNode): Uint8Array {
  return f.data.length === f.size ? f.data : f.data.subarray(0, f.size);
}

// A writable copy-on-write tree: a container's top layer over its image's merged lower
// tree, and also tmpfs and in-memory volumes (a tree over an empty root). Forking is O(1):
// the tree starts as the lower root itself; a change copies the touched node and its
// ancestor directories (owned by this tree), so lookups cost the same as in a plain tree
// and the diff against the lower tree is an identity comparison (see layers/diff.ts).

import { WasmboxError, fsError } from '../errors.js';
import {
  EMPTY,
  type DirNode,
  type FileNode,
  type Node,
  type Owner,
  cloneDir,
  cloneFile,
  cloneSymlink,
  fileBytes,
  newDir,
  newFile,
  newIno,
  newOwner,
  newSymlink,
} from './node.js';
import type { DirEntry, FileHandle, FsBackend, OpenOptions, SetAttrs, Stat } from './types.js';

let nextDev = 1;
export function newDev(): number {
  return nextDev++;
}

export interface TreeFsOptions {
  /** The clock for timestamps (ms since the epoch). */
  now?: () => number;
  /** Largest total file size this tree may hold (bytes): ENOSPC past it. */
  maxBytes?: number;
}

export class TreeFs implements FsBackend<Node> {
  readonly dev = newDev();
  readonly owner: Owner = newOwner();
  /** The immutable tree this one was forked from (the image's merged layers). */
  readonly lower: DirNode;
  private top: DirNode;
  private readonly now: () => number;

  constructor(lower: DirNode = newDir(), options: TreeFsOptions = {}) {
    this.lower = lower;
    this.top = lower;
    this.now = options.now ?? Date.now;
  }

  /** The current root of the tree (the lower root itself until something changes). */
  get rootNode(): DirNode {
    return this.top;
  }

  /** True once anything was changed. */
  get changed(): boolean {
    return this.top !== this.lower;
  }

  root(): Node {
    return this.top;
  }

  lookup(dir: Node, name: string): Node | undefined {
    if (dir.kind !== 'dir') throw new WasmboxError('ENOTDIR', `not a directory: ${name}`);
    return dir.entries.get(name);
  }

  kind(h: Node) {
    return h.kind;
  }

  readlink(h: Node): string {
    if (h.kind !== 'symlink') throw new WasmboxError('EINVAL', 'not a symbolic link');
    return h.target;
  }

  stat(h: Node): Stat {
    return nodeStat(h, this.dev);
  }

  readdir(dir: Node): DirEntry[] {
    if (dir.kind !== 'dir') throw new WasmboxError('ENOTDIR', 'not a directory');
    const out: DirEntry[] = [];
    for (const [name, n] of dir.entries) out.push({ name, kind: n.kind, ino: n.ino });
    return out;
  }

  open(dir: string[], name: string, h: Node | undefined, o: OpenOptions): FileHandle {
    if (h === undefined) {
      if (!o.create) throw fsError('ENOENT', 'open', name);
      const parent = this.own(dir);
      const t = this.now();
      const f = newFile(EMPTY, { mode: (o.mode ?? 0o644) & 0o7777, mtimeMs: t, owner: this.owner });
      parent.entries.set(name, f);
      parent.mtimeMs = parent.ctimeMs = t;
      return new TreeFileHandle(f, this.dev, this.now);
    }
    if (h.kind === 'dir') {
      if (o.write || o.truncate) throw fsError('EISDIR', 'open', name);
      throw fsError('EISDIR', 'open', name);
    }
    if (h.kind !== 'file') throw fsError('ELOOP', 'open', name);
    let f = h;
    if (o.write || o.truncate) {
      f = this.ownEntry(dir, name) as FileNode;
      if (o.truncate && f.size !== 0) {
        f.data = EMPTY;
        f.size = 0;
        f.sharedData = false;
        f.mtimeMs = f.ctimeMs = this.now();
      }
    }
    return new TreeFileHandle(f, this.dev, this.now);
  }

  mkdir(dir: string[], name: string, mode: number): void {
    const parent = this.own(dir);
    if (parent.entries.has(name)) throw fsError('EEXIST', 'mkdir', name);
    const t = this.now();
    parent.entries.set(name, newDir({ mode: mode & 0o7777, mtimeMs: t, owner: this.owner }));
    parent.mtimeMs = parent.ctimeMs = t;
  }

  symlink(dir: string[], name: string, target: string): void {
    const parent = this.own(dir);
    if (parent.entries.has(name)) throw fsError('EEXIST', 'symlink', name);
    const t = this.now();
    parent.entries.set(name, newSymlink(target, { mtimeMs: t, owner: this.owner }));
    parent.mtimeMs = parent.ctimeMs = t;
  }

  link(targetDir: string[], targetName: string, dir: string[], name: string): void {
    // The kernel's order of checks: missing source, then existing name, then a directory source.
    if (this.own(targetDir).entries.get(targetName) === undefined) throw fsError('ENOENT', 'link', targetName);
    const parent = this.own(dir);
    if (parent.entries.has(name)) throw fsError('EEXIST', 'link', name);
    const target = this.ownEntry(targetDir, targetName);
    if (target.kind === 'dir') throw fsError('EPERM', 'link', targetName);
    parent.entries.set(name, target);
    if (target.kind === 'file') target.nlink++;
    const t = this.now();
    target.ctimeMs = t;
    parent.mtimeMs = parent.ctimeMs = t;
  }

  unlink(dir: string[], name: string): void {
    const parent = this.own(dir);
    const n = parent.entries.get(name);
    if (n === undefined) throw fsError('ENOENT', 'unlink', name);
    if (n.kind === 'dir') throw fsError('EISDIR', 'unlink', name);
    parent.entries.delete(name);
    if (n.kind === 'file' && n.owner === this.owner && n.nlink > 0) n.nlink--;
    parent.mtimeMs = parent.ctimeMs = this.now();
  }

  rmdir(dir: string[], name: string): void {
    const parent = this.own(dir);
    const n = parent.entries.get(name);
    if (n === undefined) throw fsError('ENOENT', 'rmdir', name);
    if (n.kind !== 'dir') throw fsError('ENOTDIR', 'rmdir', name);
    if (n.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', name);
    parent.entries.delete(name);
    parent.mtimeMs = parent.ctimeMs = this.now();
  }

  rename(fromDir: string[], fromName: string, toDir: string[], toName: string): void {
    const from = this.own(fromDir);
    const node = from.entries.get(fromName);
    if (node === undefined) throw fsError('ENOENT', 'rename', fromName);
    const to = this.own(toDir);
    const existing = to.entries.get(toName);
    if (existing === node) return;
    if (existing !== undefined) {
      if (node.kind === 'dir') {
        if (existing.kind !== 'dir') throw fsError('ENOTDIR', 'rename', toName);
        if (existing.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', toName);
      } else if (existing.kind === 'dir') {
        throw fsError('EISDIR', 'rename', toName);
      }
      if (existing.kind === 'file' && existing.owner === this.owner && existing.nlink > 0) existing.nlink--;
    }
    // `from` may have been replaced while owning `to` only if it was not owned; own() made it owned.
    const fromNow = this.own(fromDir);
    fromNow.entries.delete(fromName);
    to.entries.set(toName, node);
    const t = this.now();
    fromNow.mtimeMs = fromNow.ctimeMs = t;
    to.mtimeMs = to.ctimeMs = t;
  }

  setAttrs(dir: string[], name: string, attrs: SetAttrs): void {
    applyAttrs(this.ownEntry(dir, name), attrs, this.now());
  }

  setRootAttrs(attrs: SetAttrs): void {
    applyAttrs(this.own([]), attrs, this.now());
  }

  /** The directory at `path` (components from this tree's root), copied up into this tree if needed. */
  private own(path: string[]): DirNode {
    if (this.top.owner !== this.owner) this.top = cloneDir(this.top, this.owner);
    let dir = this.top;
    for (const name of path) {
      const child = dir.entries.get(name);
      if (child === undefined) throw fsError('ENOENT', 'lookup', name);
      if (child.kind !== 'dir') throw fsError('ENOTDIR', 'lookup', name);
      if (child.owner === this.owner) {
        dir = child;
      } else {
        const copy = cloneDir(child, this.owner);
        dir.entries.set(name, copy);
        dir = copy;
      }
    }
    return dir;
  }

  /** The entry `name` in directory `path`, copied up (with its ancestors) if needed. */
  private ownEntry(path: string[], name: string): Node {
    const parent = this.own(path);
    const n = parent.entries.get(name);
    if (n === undefined) throw fsError('ENOENT', 'lookup', name);
    if (n.owner === this.owner) return n;
    const copy = n.kind === 'dir' ? cloneDir(n, this.owner) : cloneLeaf(n, this.owner);
    parent.entries.set(name, copy);
    return copy;
  }

  /**
   * Freezes the tree: every node it owns becomes immutable, so the tree can serve as the
   * lower tree of new forks (a commit). The TreeFs must not be written afterwards.
   */
  freeze(): DirNode {
    const owner = this.owner;
    const visit = (n: Node): void => {
      if (n.owner !== owner) return;
      n.owner = null;
      if (n.kind === 'dir') {
        n.origin = undefined;
        for (const c of n.entries.values()) visit(c);
      }
    };
    visit(this.top);
    return this.top;
  }
}

function cloneLeaf(n: Node, owner: Owner): Node {
  if (n.kind === 'file') {
    // A lower file hard-linked elsewhere stays there; the copy is a file of its own.
    return cloneFile(n, owner, n.nlink > 1 ? newIno() : n.ino);
  }
  if (n.kind === 'symlink') return cloneSymlink(n, owner);
  return cloneDir(n, owner);
}

function applyAttrs(n: Node, a: SetAttrs, now: number): void {
  if (a.mode !== undefined) n.mode = a.mode & 0o7777;
  if (a.uid !== undefined) n.uid = a.uid;
  if (a.gid !== undefined) n.gid = a.gid;
  if (a.atimeMs !== undefined) n.atimeMs = a.atimeMs;
  if (a.mtimeMs !== undefined) n.mtimeMs = a.mtimeMs;
  n.ctimeMs = now;
}

export function nodeStat(n: Node, dev: number): Stat {
  return {
    kind: n.kind,
    dev,
    ino: n.ino,
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    size: n.kind === 'file' ? n.size : n.kind === 'symlink' ? byteLength(n.target) : 4096,
    nlink: n.kind === 'file' ? n.nlink : n.kind === 'dir' ? 2 : 1,
    atimeMs: n.atimeMs,
    mtimeMs: n.mtimeMs,
    ctimeMs: n.ctimeMs,
  };
}

function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** An open file of a TreeFs: grows its buffer geometrically, so appends cost O(bytes written). */
export class TreeFileHandle implements FileHandle {
  constructor(
    readonly node: FileNode,
    private readonly dev: number,
    private readonly now: () => number,
  ) {}

  read(into: Uint8Array, position: number): number {
    const f = this.node;
    if (position >= f.size) return 0;
    const n = Math.min(into.length, f.size - position);
    into.set(f.data.subarray(position, position + n));
    return n;
  }

  write(data: Uint8Array, position: number): number {
    const f = this.node;
    const end = position + data.length;
    this.reserve(end);
    if (position > f.size) f.data.fill(0, f.size, position);
    f.data.set(data, position);
    if (end > f.size) f.size = end;
    f.mtimeMs = f.ctimeMs = this.now();
    return data.length;
  }

  append(data: Uint8Array): number {
    this.write(data, this.node.size);
    return this.node.size;
  }

  size(): number {
    return this.node.size;
  }

  truncate(size: number): void {
    const f = this.node;
    if (size < 0) throw new WasmboxError('EINVAL', 'negative size');
    if (size > f.size) {
      this.reserve(size);
      f.data.fill(0, f.size, size);
    } else if (f.sharedData) {
      f.data = f.data.subarray(0, size);
    }
    f.size = size;
    f.mtimeMs = f.ctimeMs = this.now();
  }

  stat(): Stat {
    return nodeStat(this.node, this.dev);
  }

  setAttrs(attrs: SetAttrs): void {
    applyAttrs(this.node, attrs, this.now());
  }

  close(): void {}

  /** Makes data private to this node (copy-on-write of shared blob views) with room for `size` bytes. */
  private reserve(size: number): void {
    const f = this.node;
    if (!f.sharedData && f.data.length >= size) return;
    const cap = f.data.length >= size && !f.sharedData ? f.data.length : Math.max(size, f.size * 2, 64);
    const data = new Uint8Array(cap);
    data.set(fileBytes(f));
    f.data = data;
    f.sharedData = false;
  }
}

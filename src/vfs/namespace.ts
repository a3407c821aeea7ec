// A container's file system namespace: a root file system plus a mount table (volumes,
// bind mounts, tmpfs), and the one path resolver every file operation goes through. The
// resolver is the security boundary: `..` at `/` stays at `/`, symlinks (absolute or
// relative, chained) are resolved inside the namespace, never on the host, and a chain of
// more than 40 links fails with ELOOP.

import { WasmboxError, fsError } from '../errors.js';
import type { NodeKind } from './node.js';
import { normalizeAbsolute, splitPath } from './path.js';
import type { DirEntry, FileHandle, FsBackend, OpenOptions, SetAttrs, Stat } from './types.js';

const MAX_SYMLINKS = 40;

export interface MountOptions {
  readOnly?: boolean;
}

export interface Mount {
  /** Canonical absolute path of the mount point. */
  readonly path: string;
  readonly backend: FsBackend<unknown>;
  readonly readOnly: boolean;
}

interface Step {
  name: string;
  mount: Mount;
  h: unknown;
  /** Canonical path; only kept when there are mounts besides `/`. */
  path: string;
}

interface Walk {
  /** Resolved chain from `/`: the final node when found, else its parent directory. */
  steps: Step[];
  /** The last component when it does not exist (or when asked to stop before it). */
  missing?: string;
}

export interface NamespaceOptions {
  /** Root file system read-only (`--read-only`). */
  readOnly?: boolean;
}

export class Namespace {
  private readonly mounts = new Map<string, Mount>();
  private readonly rootMount: Mount;

  constructor(root: FsBackend<unknown>, options: NamespaceOptions = {}) {
    this.rootMount = { path: '/', backend: root, readOnly: options.readOnly ?? false };
    this.mounts.set('/', this.rootMount);
  }

  get root(): FsBackend<unknown> {
    return this.rootMount.backend;
  }

  /** Mounts `backend` at `path` (created in the view even if the directory does not exist below). */
  mount(path: string, backend: FsBackend<unknown>, options: MountOptions = {}): Mount {
    const p = normalizeAbsolute(path);
    if (p === '/') throw new WasmboxError('EBUSY', 'cannot mount over the root of a container');
    const m: Mount = { path: p, backend, readOnly: options.readOnly ?? false };
    this.mounts.set(p, m);
    return m;
  }

  unmount(path: string): boolean {
    const p = normalizeAbsolute(path);
    return p !== '/' && this.mounts.delete(p);
  }

  listMounts(): Mount[] {
    return [...this.mounts.values()].filter((m) => m !== this.rootMount);
  }

  // ---- resolution ----

  private walk(path: string, follow: boolean, stopBeforeLast: boolean): Walk {
    const tracking = this.mounts.size > 1;
    const rootStep: Step = { name: '', mount: this.rootMount, h: this.rootMount.backend.root(), path: '' };
    const steps: Step[] = [rootStep];
    let queue = splitPath(path);
    let links = 0;
    let i = 0;
    while (i < queue.length) {
      const c = queue[i]!;
      const isLast = i === queue.length - 1;
      if (c === '..') {
        // `file/..` is ENOTDIR, as on the kernel: `..` is physical, only a directory has one.
        const top = steps[steps.length - 1]!;
        if (top.mount.backend.kind(top.h) !== 'dir') throw fsError('ENOTDIR', 'resolve', path);
        if (steps.length > 1) steps.pop();
        i++;
        continue;
      }
      if (isLast && stopBeforeLast) return { steps, missing: c };
      const cur = steps[steps.length - 1]!;
      const backend = cur.mount.backend;
      if (backend.kind(cur.h) !== 'dir') throw fsError('ENOTDIR', 'resolve', path);
      const childPath = tracking ? `${cur.path}/${c}` : '';
      const m = tracking ? this.mounts.get(childPath) : undefined;
      if (m !== undefined) {
        steps.push({ name: c, mount: m, h: m.backend.root(), path: childPath });
        i++;
        continue;
      }
      const h = backend.lookup(cur.h, c);
      if (h === undefined) {
        if (isLast) return { steps, missing: c };
        throw fsError('ENOENT', 'resolve', path);
      }
      if ((!isLast || follow) && backend.kind(h) === 'symlink') {
        if (++links > MAX_SYMLINKS) throw fsError('ELOOP', 'resolve', path);
        const target = backend.readlink(h);
        if (target === '') throw fsError('ENOENT', 'resolve', path);
        if (target.startsWith('/')) steps.length = 1;
        queue = [...splitPath(target), ...queue.slice(i + 1)];
        // A trailing slash or `.` at the end of the target must still resolve as a directory.
        i = 0;
        continue;
      }
      steps.push({ name: c, mount: cur.mount, h, path: childPath });
      i++;
    }
    return { steps };
  }

  /** The node at `path`; ENOENT when it does not exist. */
  private find(path: string, follow: boolean): Step {
    // A trailing slash makes even lstat/readlink follow a symlink in the last component (POSIX).
    const w = this.walk(path, follow || path.endsWith('/'), false);
    if (w.missing !== undefined) throw fsError('ENOENT', 'stat', path);
    const last = w.steps[w.steps.length - 1]!;
    if (path.endsWith('/') && last.mount.backend.kind(last.h) !== 'dir') throw fsError('ENOTDIR', 'stat', path);
    return last;
  }

  /** The parent directory of the last component, as (mount, dir components inside that mount). */
  private parentOf(steps: Step[], op: string, path: string): { mount: Mount; dir: string[] } {
    const last = steps[steps.length - 1]!;
    if (last.mount.backend.kind(last.h) !== 'dir') throw fsError('ENOTDIR', op, path);
    const mount = last.mount;
    let k = steps.length - 1;
    while (k > 0 && !(steps[k]!.mount !== steps[k - 1]!.mount)) k--;
    // steps[k] is the mount root of `mount` (or `/`).
    const dir: string[] = [];
    for (let j = k + 1; j < steps.length; j++) dir.push(steps[j]!.name);
    return { mount, dir };
  }

  /** Parent and name for an operation on the last component itself (unlink, rmdir, rename…). */
  private entryOf(path: string, op: string): { mount: Mount; dir: string[]; name: string; steps: Step[] } {
    // A trailing slash names a directory: `unlink("file/")` is ENOTDIR, not an unlink of the file.
    if (path.endsWith('/')) {
      try {
        this.find(path, true);
      } catch (e) {
        if (!(e instanceof WasmboxError && e.code === 'ENOENT')) throw e;
      }
    }
    const w = this.walk(path, false, true);
    const name = w.missing;
    if (name === undefined) throw fsError('EBUSY', op, path); // the root itself
    if (name === '..') throw fsError('EINVAL', op, path);
    const { mount, dir } = this.parentOf(w.steps, op, path);
    const parent = w.steps[w.steps.length - 1]!;
    const childPath = `${parent.path}/${name}`;
    if (this.mounts.size > 1 && this.mounts.has(childPath)) throw fsError('EBUSY', op, path);
    return { mount, dir, name, steps: w.steps };
  }

  private writable(m: Mount, op: string, path: string): void {
    if (m.readOnly) throw fsError('EROFS', op, path);
  }

  // ---- queries ----

  stat(path: string): Stat {
    const s = this.find(path, true);
    return s.mount.backend.stat(s.h);
  }

  lstat(path: string): Stat {
    const s = this.find(path, false);
    return s.mount.backend.stat(s.h);
  }

  exists(path: string): boolean {
    try {
      this.find(path, true);
      return true;
    } catch (e) {
      if (e instanceof WasmboxError && (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'ELOOP')) return false;
      throw e;
    }
  }

  kindOf(path: string, options: { follow?: boolean } = {}): NodeKind | undefined {
    try {
      const s = this.find(path, options.follow ?? true);
      return s.mount.backend.kind(s.h);
    } catch (e) {
      if (e instanceof WasmboxError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return undefined;
      throw e;
    }
  }

  readdir(path: string): DirEntry[] {
    const s = this.find(path, true);
    const b = s.mount.backend;
    if (b.kind(s.h) !== 'dir') throw fsError('ENOTDIR', 'readdir', path);
    const entries = b.readdir(s.h);
    if (this.mounts.size > 1) {
      // Mount points show up in their parent even when the directory below does not exist.
      const prefix = s.path + '/';
      for (const m of this.mounts.values()) {
        if (m === this.rootMount || !m.path.startsWith(prefix)) continue;
        const name = m.path.slice(prefix.length);
        if (name.includes('/')) continue;
        const root = m.backend.root();
        const i = entries.findIndex((e) => e.name === name);
        const entry = { name, kind: 'dir' as const, ino: m.backend.stat(root).ino };
        if (i >= 0) entries[i] = entry;
        else entries.push(entry);
      }
    }
    return entries;
  }

  readlink(path: string): string {
    const s = this.find(path, false);
    if (s.mount.backend.kind(s.h) !== 'symlink') throw fsError('EINVAL', 'readlink', path);
    return s.mount.backend.readlink(s.h);
  }

  /** The canonical absolute path of `path` inside the namespace (all symlinks resolved). */
  realpath(path: string): string {
    const w = this.walk(path, true, false);
    if (w.missing !== undefined) throw fsError('ENOENT', 'realpath', path);
    return '/' + w.steps.slice(1).map((s) => s.name).join('/');
  }

  // ---- files ----

  open(path: string, o: OpenOptions = {}): FileHandle {
    // O_CREAT|O_EXCL never follows a symlink in the last component (EEXIST even when dangling).
    const w = this.walk(path, !o.noFollow && !(o.create && o.exclusive), false);
    const op = 'open';
    if (w.missing !== undefined) {
      if (!o.create) throw fsError('ENOENT', op, path);
      if (o.directory || path.endsWith('/')) throw fsError('EISDIR', op, path);
      const { mount, dir } = this.parentOf(w.steps, op, path);
      this.writable(mount, op, path);
      return mount.backend.open(dir, w.missing, undefined, o);
    }
    const last = w.steps[w.steps.length - 1]!;
    const b = last.mount.backend;
    const kind = b.kind(last.h);
    if (o.create && o.exclusive) throw fsError('EEXIST', op, path);
    if (kind === 'symlink') throw fsError('ELOOP', op, path);
    if (kind === 'dir') throw fsError('EISDIR', op, path);
    if (o.directory || path.endsWith('/')) throw fsError('ENOTDIR', op, path);
    if (o.write || o.truncate) this.writable(last.mount, op, path);
    const { dir } = this.parentOf(w.steps.slice(0, -1), op, path);
    return b.open(dir, last.name, last.h, o);
  }

  readFile(path: string): Uint8Array {
    const f = this.open(path, { read: true });
    try {
      const out = new Uint8Array(f.size());
      f.read(out, 0);
      return out;
    } finally {
      f.close();
    }
  }

  writeFile(path: string, data: Uint8Array | string, options: { mode?: number } = {}): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const f = this.open(path, { write: true, create: true, truncate: true, mode: options.mode ?? 0o644 });
    try {
      f.write(bytes, 0);
    } finally {
      f.close();
    }
  }

  truncate(path: string, size: number): void {
    const f = this.open(path, { write: true });
    try {
      f.truncate(size);
    } finally {
      f.close();
    }
  }

  // ---- changes ----

  mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): void {
    const mode = options.mode ?? 0o755;
    if (options.recursive) {
      let p = '';
      for (const c of splitPath(normalizeAbsolute(path))) {
        p += '/' + c;
        const k = this.kindOf(p);
        if (k === 'dir') continue;
        if (k !== undefined) throw fsError('EEXIST', 'mkdir', p);
        this.mkdir(p, { mode });
      }
      return;
    }
    const w = this.walk(path, false, true);
    const name = w.missing;
    if (name === undefined || name === '..') throw fsError('EEXIST', 'mkdir', path);
    const { mount, dir } = this.parentOf(w.steps, 'mkdir', path);
    this.writable(mount, 'mkdir', path);
    mount.backend.mkdir(dir, name, mode);
  }

  rmdir(path: string): void {
    const e = this.entryOf(path, 'rmdir');
    this.writable(e.mount, 'rmdir', path);
    e.mount.backend.rmdir(e.dir, e.name);
  }

  unlink(path: string): void {
    const e = this.entryOf(path, 'unlink');
    this.writable(e.mount, 'unlink', path);
    e.mount.backend.unlink(e.dir, e.name);
  }

  symlink(target: string, path: string): void {
    const e = this.entryOf(path, 'symlink');
    this.writable(e.mount, 'symlink', path);
    e.mount.backend.symlink(e.dir, e.name, target);
  }

  link(existing: string, path: string): void {
    const from = this.entryOf(existing, 'link');
    // As the kernel: a missing source is ENOENT before anything about the new path.
    const fromParent = from.steps[from.steps.length - 1]!;
    if (from.mount.backend.lookup(fromParent.h, from.name) === undefined) throw fsError('ENOENT', 'link', existing);
    const to = this.entryOf(path, 'link');
    if (from.mount !== to.mount) throw fsError('EXDEV', 'link', path);
    this.writable(to.mount, 'link', path);
    to.mount.backend.link(from.dir, from.name, to.dir, to.name);
  }

  rename(from: string, to: string): void {
    const a = this.entryOf(from, 'rename');
    const b = this.entryOf(to, 'rename');
    if (a.mount !== b.mount) throw fsError('EXDEV', 'rename', to);
    this.writable(a.mount, 'rename', to);
    // Moving a directory into itself would cut it loose from the tree.
    const aPath = [...a.dir, a.name];
    const bPath = [...b.dir, b.name];
    if (bPath.length > aPath.length && aPath.every((c, i) => bPath[i] === c)) {
      const parent = a.mount.backend.lookup(walkTo(a.mount.backend, a.dir), a.name);
      if (parent !== undefined && a.mount.backend.kind(parent) === 'dir') throw fsError('EINVAL', 'rename', to);
    }
    // Onto one of its own ancestors: the kernel says ENOTEMPTY before any check of kinds.
    if (aPath.length > bPath.length && bPath.every((c, i) => aPath[i] === c)) {
      if (a.mount.backend.lookup(walkTo(a.mount.backend, a.dir), a.name) !== undefined) throw fsError('ENOTEMPTY', 'rename', to);
    }
    a.mount.backend.rename(a.dir, a.name, b.dir, b.name);
  }

  chmod(path: string, mode: number): void {
    this.setAttrs(path, { mode }, true);
  }

  chown(path: string, uid: number, gid: number, options: { follow?: boolean } = {}): void {
    this.setAttrs(path, { uid, gid }, options.follow ?? true);
  }

  utimes(path: string, atimeMs: number | undefined, mtimeMs: number | undefined, options: { follow?: boolean } = {}): void {
    this.setAttrs(path, { atimeMs, mtimeMs }, options.follow ?? true);
  }

  setAttrs(path: string, attrs: SetAttrs, follow: boolean): void {
    const w = this.walk(path, follow, false);
    if (w.missing !== undefined) throw fsError('ENOENT', 'setattr', path);
    const last = w.steps[w.steps.length - 1]!;
    this.writable(last.mount, 'setattr', path);
    if (w.steps.length === 1 || w.steps[w.steps.length - 2]!.mount !== last.mount) {
      // The root of a mount (or of the container).
      const b = last.mount.backend;
      if (b.setRootAttrs === undefined) throw fsError('EPERM', 'setattr', path);
      b.setRootAttrs(attrs);
      return;
    }
    const { dir } = this.parentOf(w.steps.slice(0, -1), 'setattr', path);
    last.mount.backend.setAttrs(dir, last.name, attrs);
  }
}

function walkTo(b: FsBackend<unknown>, dir: string[]): unknown {
  let h = b.root();
  for (const c of dir) {
    const next = b.lookup(h, c);
    if (next === undefined) throw fsError('ENOENT', 'lookup', c);
    h = next;
  }
  return h;
}

// A host directory as a container file system: bind mounts (`-v /host/dir:/path[:ro]`) and
// named volumes stored under $WASMBOX_ROOT. The namespace resolves every path component and
// symlink itself; this backend only ever touches one entry of an already resolved directory.
//
// Confinement: a host call never walks a path the host could redirect. Each operation opens
// the parent directory, checks through /proc/self/fd that the directory the kernel gave us is
// exactly <root>/<components> (so no component was a symlink, even one swapped in a moment
// ago), and then names the entry as /proc/self/fd/<dirfd>/<name>: the kernel jumps straight
// to the directory we hold, and the last component is never followed (O_NOFOLLOW, lstat,
// readlink, unlink...). Without /proc (macOS), the check is a realpath comparison done just
// before the call: confined against the guest's own symlinks, but racy against concurrent
// swaps.

import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  ftruncateSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { WasmboxError, ERROR_CODES } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { newDev } from '../../vfs/tree-fs.js';
import type { NodeKind } from '../../vfs/node.js';
import type { DirEntry, FileHandle, FsBackend, OpenOptions, SetAttrs, Stat } from '../../vfs/types.js';

/** A resolved entry of the host directory: its components below the root and its kind when looked up. */
export interface HostHandle {
  readonly components: readonly string[];
  readonly kind: NodeKind;
}

export interface HostDirBackendOptions {
  /** Refuse every change with EROFS (a `:ro` bind mount or read-only volume). */
  readOnly?: boolean;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const DIR_FLAGS = constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
const PROC_FD = '/proc/self/fd';

/** Node errno codes that have a WasmboxError code of their own, or a close one. */
const ERRNO_ALIASES: Record<string, ErrorCode> = {
  ENFILE: 'EMFILE',
  EDQUOT: 'ENOSPC',
  EOPNOTSUPP: 'ENOTSUP',
  ETXTBSY: 'EBUSY',
  EMLINK: 'EPERM',
};

/** Maps an error from node:fs to a WasmboxError naming the path inside the mount and on the host. */
export function hostFsError(e: unknown, syscall: string, path: string, hostPath?: string): WasmboxError {
  if (e instanceof WasmboxError) return e;
  const errno = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const code: ErrorCode =
    ERRNO_ALIASES[errno] ?? ((ERROR_CODES as readonly string[]).includes(errno) && errno.startsWith('E') ? (errno as ErrorCode) : 'EIO');
  const where = hostPath === undefined ? `'${path}'` : `'${path}' (host path ${hostPath})`;
  return new WasmboxError(code, `${code}: ${syscall} ${where}`, { cause: e, details: { syscall, path, hostPath } });
}

function validName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new WasmboxError('EINVAL', `invalid file name in a host directory: '${name}'`);
  }
}

function kindOfStats(s: Stats): NodeKind {
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  // FIFOs, sockets and devices show as files; open() refuses them.
  return 'file';
}

export class HostDirBackend implements FsBackend<HostHandle> {
  readonly dev = newDev();
  readonly readOnly: boolean;
  /** The host directory as the kernel names it (symlinks in the given path resolved once, here). */
  readonly hostRoot: string;
  private readonly useProc: boolean;
  private readonly rootHandle: HostHandle = { components: [], kind: 'dir' };

  constructor(hostDir: string, options: HostDirBackendOptions = {}) {
    this.readOnly = options.readOnly ?? false;
    this.useProc = existsSync(PROC_FD);
    let fd: number;
    try {
      // The root itself may be reached through host symlinks: the user chose it.
      fd = openSync(hostDir, constants.O_RDONLY | O_DIRECTORY);
    } catch (e) {
      throw hostFsError(e, 'mount', '/', hostDir);
    }
    try {
      this.hostRoot = this.useProc ? readlinkSync(`${PROC_FD}/${fd}`) : realpathSync.native(hostDir);
    } finally {
      closeSync(fd);
    }
  }

  // ---- confinement ----

  private hostPathOf(components: readonly string[]): string {
    if (components.length === 0) return this.hostRoot;
    return (this.hostRoot === '/' ? '' : this.hostRoot) + '/' + components.join('/');
  }

  private displayPath(components: readonly string[], name?: string): string {
    const all = name === undefined ? components : [...components, name];
    return '/' + all.join('/');
  }

  /**
   * Runs `fn` with a host path that names directory `components` without any symlink on the
   * way (a /proc/self/fd path of a directory we hold open and checked).
   */
  private inDir<T>(components: readonly string[], syscall: string, fn: (dirPath: string, fd: number) => T): T {
    for (const c of components) validName(c);
    const expected = this.hostPathOf(components);
    let fd: number;
    try {
      fd = openSync(expected, DIR_FLAGS);
    } catch (e) {
      throw hostFsError(e, syscall, this.displayPath(components), expected);
    }
    try {
      const actual = this.useProc ? readlinkSync(`${PROC_FD}/${fd}`) : realpathSync.native(expected);
      if (actual !== expected) {
        // A component was a symlink or moved while we walked: refuse rather than follow it.
        throw new WasmboxError('ELOOP', `ELOOP: '${this.displayPath(components)}' changed on the host while it was resolved (now ${actual})`, {
          details: { path: this.displayPath(components), hostPath: expected },
        });
      }
      return fn(this.useProc ? `${PROC_FD}/${fd}` : expected, fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Runs a host call on entry `name` of directory `dir`, mapping its errors. */
  private atEntry<T>(dir: readonly string[], name: string, syscall: string, fn: (entryPath: string) => T): T {
    validName(name);
    return this.inDir(dir, syscall, (dirPath) => {
      try {
        return fn(`${dirPath}/${name}`);
      } catch (e) {
        throw hostFsError(e, syscall, this.displayPath(dir, name), this.hostPathOf([...dir, name]));
      }
    });
  }

  private writable(syscall: string, dir: readonly string[], name?: string): void {
    if (this.readOnly) {
      throw new WasmboxError('EROFS', `EROFS: ${syscall} '${this.displayPath(dir, name)}': the host directory ${this.hostRoot} is mounted read-only`, {
        details: { syscall, path: this.displayPath(dir, name) },
      });
    }
  }

  private toStat(s: Stats): Stat {
    return {
      kind: kindOfStats(s),
      dev: this.dev,
      ino: s.ino,
      mode: s.mode & 0o7777,
      uid: s.uid,
      gid: s.gid,
      size: s.size,
      nlink: s.nlink,
      atimeMs: s.atimeMs,
      mtimeMs: s.mtimeMs,
      ctimeMs: s.ctimeMs,
    };
  }

  // ---- lookups ----

  root(): HostHandle {
    return this.rootHandle;
  }

  lookup(dir: HostHandle, name: string): HostHandle | undefined {
    if (dir.kind !== 'dir') throw new WasmboxError('ENOTDIR', `ENOTDIR: lookup '${this.displayPath(dir.components, name)}'`);
    const s = this.atEntry(dir.components, name, 'lookup', (p) => lstatSync(p, { throwIfNoEntry: false }));
    if (s === undefined) return undefined;
    return { components: [...dir.components, name], kind: kindOfStats(s) };
  }

  kind(h: HostHandle): NodeKind {
    return h.kind;
  }

  readlink(h: HostHandle): string {
    const { dir, name } = split(h);
    if (name === undefined) throw new WasmboxError('EINVAL', 'EINVAL: readlink: the root of a host directory is not a symbolic link');
    return this.atEntry(dir, name, 'readlink', (p) => readlinkSync(p));
  }

  stat(h: HostHandle): Stat {
    const { dir, name } = split(h);
    if (name === undefined) return this.inDir([], 'stat', (_p, fd) => this.toStat(fstatSync(fd)));
    return this.toStat(this.atEntry(dir, name, 'stat', (p) => lstatSync(p)));
  }

  readdir(dir: HostHandle): DirEntry[] {
    return this.inDir(dir.components, 'readdir', (dirPath) => {
      const out: DirEntry[] = [];
      let names: string[];
      try {
        names = readdirSync(dirPath);
      } catch (e) {
        throw hostFsError(e, 'readdir', this.displayPath(dir.components), this.hostPathOf(dir.components));
      }
      for (const name of names) {
        // An entry removed since readdir is simply not listed.
        const s = lstatSync(`${dirPath}/${name}`, { throwIfNoEntry: false });
        if (s !== undefined) out.push({ name, kind: kindOfStats(s), ino: s.ino });
      }
      return out;
    });
  }

  // ---- files ----

  open(dir: string[], name: string, h: HostHandle | undefined, o: OpenOptions): FileHandle {
    const writes = o.write === true || o.truncate === true || o.append === true;
    if (writes || (h === undefined && o.create)) this.writable('open', dir, name);
    let flags = O_NOFOLLOW | O_NONBLOCK;
    flags |= writes ? (o.read || !o.write ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY;
    if (o.create) flags |= constants.O_CREAT;
    if (o.create && o.exclusive) flags |= constants.O_EXCL;
    if (o.truncate) flags |= constants.O_TRUNC;
    if (o.append) flags |= constants.O_APPEND;
    const display = this.displayPath(dir, name);
    const fd = this.atEntry(dir, name, 'open', (p) => openSync(p, flags, (o.mode ?? 0o644) & 0o7777));
    try {
      const s = fstatSync(fd);
      if (s.isDirectory()) throw new WasmboxError('EISDIR', `EISDIR: open '${display}'`);
      if (!s.isFile()) {
        throw new WasmboxError('ENOTSUP', `ENOTSUP: open '${display}': only regular files, directories and symlinks of a host directory can be used`);
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new HostFileHandle(fd, { path: display, readOnly: this.readOnly, appendMode: o.append === true, toStat: (s) => this.toStat(s) });
  }

  // ---- changes ----

  mkdir(dir: string[], name: string, mode: number): void {
    this.writable('mkdir', dir, name);
    this.atEntry(dir, name, 'mkdir', (p) => mkdirSync(p, { mode: mode & 0o7777 }));
  }

  symlink(dir: string[], name: string, target: string): void {
    this.writable('symlink', dir, name);
    // The target is stored as text and resolved later by the namespace, never by the host.
    this.atEntry(dir, name, 'symlink', (p) => symlinkSync(target, p));
  }

  link(targetDir: string[], targetName: string, dir: string[], name: string): void {
    this.writable('link', dir, name);
    // link(2) does not follow a symlink named by its first argument on Linux.
    this.atEntry(targetDir, targetName, 'link', (from) => this.atEntry(dir, name, 'link', (to) => linkSync(from, to)));
  }

  unlink(dir: string[], name: string): void {
    this.writable('unlink', dir, name);
    this.atEntry(dir, name, 'unlink', (p) => {
      // Linux says EISDIR for a directory, macOS EPERM: report EISDIR everywhere.
      const s = lstatSync(p);
      if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      unlinkSync(p);
    });
  }

  rmdir(dir: string[], name: string): void {
    this.writable('rmdir', dir, name);
    this.atEntry(dir, name, 'rmdir', (p) => {
      try {
        rmdirSync(p);
      } catch (e) {
        // Some systems report a non-empty directory as EEXIST.
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw Object.assign(new Error('not empty'), { code: 'ENOTEMPTY' });
        throw e;
      }
    });
  }

  rename(fromDir: string[], fromName: string, toDir: string[], toName: string): void {
    this.writable('rename', toDir, toName);
    this.atEntry(fromDir, fromName, 'rename', (from) => this.atEntry(toDir, toName, 'rename', (to) => renameSync(from, to)));
  }

  setAttrs(dir: string[], name: string, attrs: SetAttrs): void {
    this.writable('setattr', dir, name);
    this.atEntry(dir, name, 'setattr', (p) => {
      const s = lstatSync(p);
      if (s.isSymbolicLink()) {
        // Symlinks have no mode of their own on Linux; owner and times apply to the link itself.
        if (attrs.uid !== undefined || attrs.gid !== undefined) lchownSync(p, attrs.uid ?? s.uid, attrs.gid ?? s.gid);
        if (attrs.atimeMs !== undefined || attrs.mtimeMs !== undefined) {
          lutimesSync(p, (attrs.atimeMs ?? s.atimeMs) / 1000, (attrs.mtimeMs ?? s.mtimeMs) / 1000);
        }
        return;
      }
      // Through an fd opened without following, so a symlink swapped in cannot redirect a chmod.
      const fd = openSync(p, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      try {
        applyAttrs(fd, attrs);
      } finally {
        closeSync(fd);
      }
    });
  }

  setRootAttrs(attrs: SetAttrs): void {
    this.writable('setattr', []);
    this.inDir([], 'setattr', (_p, fd) => {
      try {
        applyAttrs(fd, attrs);
      } catch (e) {
        throw hostFsError(e, 'setattr', '/', this.hostRoot);
      }
    });
  }
}

function split(h: HostHandle): { dir: readonly string[]; name: string | undefined } {
  const n = h.components.length;
  return n === 0 ? { dir: [], name: undefined } : { dir: h.components.slice(0, n - 1), name: h.components[n - 1] };
}

function applyAttrs(fd: number, attrs: SetAttrs): void {
  if (attrs.mode !== undefined) fchmodSync(fd, attrs.mode & 0o7777);
  if (attrs.uid !== undefined || attrs.gid !== undefined) {
    const s = fstatSync(fd);
    fchownSync(fd, attrs.uid ?? s.uid, attrs.gid ?? s.gid);
  }
  if (attrs.atimeMs !== undefined || attrs.mtimeMs !== undefined) {
    const s = fstatSync(fd);
    futimesSync(fd, (attrs.atimeMs ?? s.atimeMs) / 1000, (attrs.mtimeMs ?? s.mtimeMs) / 1000);
  }
}

interface HostFileHandleOptions {
  /** The path inside the mount, for messages. */
  path: string;
  readOnly: boolean;
  /** Opened with O_APPEND: the kernel puts every write at the end (and ignores positions). */
  appendMode: boolean;
  toStat: (s: Stats) => Stat;
}

/**
 * An open host file. Reads and writes are positional (pread/pwrite); a file opened with
 * `append` has O_APPEND, so appends from several processes do not overwrite each other.
 */
export class HostFileHandle implements FileHandle {
  private fd: number | undefined;

  constructor(
    fd: number,
    private readonly options: HostFileHandleOptions,
  ) {
    this.fd = fd;
  }

  private get open(): number {
    if (this.fd === undefined) throw new WasmboxError('EBADF', `EBADF: '${this.options.path}' is closed`);
    return this.fd;
  }

  private fail(e: unknown, syscall: string): WasmboxError {
    return hostFsError(e, syscall, this.options.path);
  }

  private writable(syscall: string): void {
    if (this.options.readOnly) throw new WasmboxError('EROFS', `EROFS: ${syscall} '${this.options.path}': read-only mount`);
  }

  read(into: Uint8Array, position: number): number {
    const fd = this.open;
    let done = 0;
    try {
      while (done < into.length) {
        const n = readSync(fd, into, done, into.length - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      throw this.fail(e, 'read');
    }
    return done;
  }

  write(data: Uint8Array, position: number): number {
    this.writable('write');
    const fd = this.open;
    let done = 0;
    try {
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
    } catch (e) {
      throw this.fail(e, 'write');
    }
    return done;
  }

  append(data: Uint8Array): number {
    this.writable('write');
    const fd = this.open;
    try {
      // With O_APPEND the kernel places each write at the end atomically (several processes may
      // append to one log); without it, the end is read first.
      const start = this.options.appendMode ? null : fstatSync(fd).size;
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, start === null ? null : start + done);
      return fstatSync(fd).size;
    } catch (e) {
      throw this.fail(e, 'write');
    }
  }

  size(): number {
    try {
      return fstatSync(this.open).size;
    } catch (e) {
      throw this.fail(e, 'fstat');
    }
  }

  truncate(size: number): void {
    this.writable('truncate');
    if (size < 0) throw new WasmboxError('EINVAL', `EINVAL: truncate '${this.options.path}' to a negative size`);
    try {
      ftruncateSync(this.open, size);
    } catch (e) {
      throw this.fail(e, 'truncate');
    }
  }

  stat(): Stat {
    try {
      return this.options.toStat(fstatSync(this.open));
    } catch (e) {
      throw this.fail(e, 'fstat');
    }
  }

  setAttrs(attrs: SetAttrs): void {
    this.writable('setattr');
    try {
      applyAttrs(this.open, attrs);
    } catch (e) {
      throw this.fail(e, 'setattr');
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

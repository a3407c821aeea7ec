// The reference file system for the vfs suites: plain node:fs on a real directory, with the
// same method shapes as the container Namespace, so a test runs the same calls on both and
// compares results and error codes with what the kernel does. Kept deliberately naive (no
// resolution of its own): every path is just `root + path`.

import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  futimesSync,
  fchmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmboxError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import type { Namespace } from '../../src/vfs/namespace.js';
import type { DirEntry, FileHandle, OpenOptions, SetAttrs, Stat } from '../../src/vfs/types.js';

/** The file operations the suites exercise: what Namespace offers, and what NodeRefFs mirrors. */
export type VfsApi = Pick<
  Namespace,
  | 'open'
  | 'stat'
  | 'lstat'
  | 'readdir'
  | 'readlink'
  | 'mkdir'
  | 'rmdir'
  | 'unlink'
  | 'rename'
  | 'symlink'
  | 'link'
  | 'chmod'
  | 'utimes'
  | 'truncate'
  | 'readFile'
  | 'writeFile'
>;

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) throw new WasmboxError(code as ErrorCode, (e as Error).message, { cause: e });
    throw e;
  }
}

function toStat(s: Stats): Stat {
  return {
    kind: s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file',
    dev: s.dev,
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

class RefFileHandle implements FileHandle {
  constructor(private readonly fd: number) {}
  read(into: Uint8Array, position: number): number {
    return wrap(() => readSync(this.fd, into, 0, into.length, position));
  }
  write(data: Uint8Array, position: number): number {
    return wrap(() => writeSync(this.fd, data, 0, data.length, position));
  }
  append(data: Uint8Array): number {
    return wrap(() => {
      writeSync(this.fd, data, 0, data.length, fstatSync(this.fd).size);
      return fstatSync(this.fd).size;
    });
  }
  size(): number {
    return wrap(() => fstatSync(this.fd).size);
  }
  truncate(size: number): void {
    wrap(() => ftruncateSync(this.fd, size));
  }
  stat(): Stat {
    return wrap(() => toStat(fstatSync(this.fd)));
  }
  setAttrs(a: SetAttrs): void {
    wrap(() => {
      if (a.mode !== undefined) fchmodSync(this.fd, a.mode);
      if (a.atimeMs !== undefined || a.mtimeMs !== undefined) {
        const s = fstatSync(this.fd);
        futimesSync(this.fd, (a.atimeMs ?? s.atimeMs) / 1000, (a.mtimeMs ?? s.mtimeMs) / 1000);
      }
    });
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** node:fs rooted at a real directory: `/x` means `<root>/x`. */
export class NodeRefFs implements VfsApi {
  constructor(readonly root: string) {}

  /** A fresh reference on a new temp directory; `cleanup()` removes it. */
  static temp(prefix = 'wasmbox-ref-'): NodeRefFs {
    return new NodeRefFs(mkdtempSync(join(tmpdir(), prefix)));
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  host(path: string): string {
    return this.root + (path.startsWith('/') ? path : '/' + path);
  }

  open(path: string, o: OpenOptions = {}): FileHandle {
    const writes = o.write || o.truncate || o.append;
    let flags = writes ? (o.read || !o.write ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY;
    if (o.create) flags |= constants.O_CREAT;
    if (o.exclusive) flags |= constants.O_EXCL;
    if (o.truncate) flags |= constants.O_TRUNC;
    if (o.directory) flags |= constants.O_DIRECTORY;
    if (o.noFollow) flags |= constants.O_NOFOLLOW;
    // O_APPEND is not passed: Linux would then ignore pwrite positions; append() writes at the end itself.
    return new RefFileHandle(wrap(() => openSync(this.host(path), flags, o.mode ?? 0o644)));
  }
  stat(path: string): Stat {
    return wrap(() => toStat(statSync(this.host(path))));
  }
  lstat(path: string): Stat {
    return wrap(() => toStat(lstatSync(this.host(path))));
  }
  readdir(path: string): DirEntry[] {
    return wrap(() =>
      readdirSync(this.host(path)).map((name) => {
        // Not path.join: it would fold `..` lexically, and the kernel's `..` is physical.
        const s = lstatSync(`${this.host(path)}/${name}`);
        return { name, kind: toStat(s).kind, ino: s.ino };
      }),
    );
  }
  readlink(path: string): string {
    return wrap(() => readlinkSync(this.host(path)));
  }
  mkdir(path: string, options: { mode?: number; recursive?: boolean } = {}): void {
    wrap(() => mkdirSync(this.host(path), { mode: options.mode ?? 0o755, recursive: options.recursive }));
  }
  rmdir(path: string): void {
    wrap(() => rmdirSync(this.host(path)));
  }
  unlink(path: string): void {
    wrap(() => unlinkSync(this.host(path)));
  }
  rename(from: string, to: string): void {
    wrap(() => renameSync(this.host(from), this.host(to)));
  }
  symlink(target: string, path: string): void {
    wrap(() => symlinkSync(target, this.host(path)));
  }
  link(existing: string, path: string): void {
    wrap(() => linkSync(this.host(existing), this.host(path)));
  }
  chmod(path: string, mode: number): void {
    wrap(() => chmodSync(this.host(path), mode));
  }
  utimes(path: string, atimeMs: number | undefined, mtimeMs: number | undefined): void {
    wrap(() => {
      const s = statSync(this.host(path));
      utimesSync(this.host(path), (atimeMs ?? s.atimeMs) / 1000, (mtimeMs ?? s.mtimeMs) / 1000);
    });
  }
  truncate(path: string, size: number): void {
    const f = this.open(path, { write: true });
    try {
      f.truncate(size);
    } finally {
      f.close();
    }
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
}

// What every file system of a container offers: stat results, directory entries, open
// files, and the backend contract that the namespace (mount table) drives.

import type { NodeKind } from './node.js';

export interface Stat {
  kind: NodeKind;
  /** Device id: one per mounted file system. */
  dev: number;
  ino: number;
  /** Permission bits only (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface DirEntry {
  name: string;
  kind: NodeKind;
  ino: number;
}

export interface OpenOptions {
  read?: boolean;
  write?: boolean;
  create?: boolean;
  /** With create: fail with EEXIST when the file exists. */
  exclusive?: boolean;
  truncate?: boolean;
  /** Every write goes to the end of the file. */
  append?: boolean;
  /** Fail with ENOTDIR unless the path is a directory. */
  directory?: boolean;
  /** Do not follow a symlink in the last component (ELOOP when it is one). */
  noFollow?: boolean;
  /** Mode of a created file (permission bits). */
  mode?: number;
}

export interface SetAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  atimeMs?: number;
  mtimeMs?: number;
}

/** An open regular file. Reads and writes are positional; the caller keeps the offset. */
export interface FileHandle {
  read(into: Uint8Array, position: number): number;
  write(data: Uint8Array, position: number): number;
  /** Appends at the current end; returns the new size. */
  append(data: Uint8Array): number;
  size(): number;
  truncate(size: number): void;
  stat(): Stat;
  setAttrs(attrs: SetAttrs): void;
  close(): void;
}

/**
 * A file system that can be mounted in a namespace. Lookups walk opaque handles; changes
 * name their target by the path inside this backend (`dir` components + `name`) so that a
 * copy-on-write backend can copy the directories on the way.
 */
export interface FsBackend<H = unknown> {
  readonly dev: number;
  root(): H;
  /** The entry `name` of directory `dir`, or undefined. */
  lookup(dir: H, name: string): H | undefined;
  kind(h: H): NodeKind;
  readlink(h: H): string;
  stat(h: H): Stat;
  readdir(dir: H): DirEntry[];
  open(dir: string[], name: string, h: H | undefined, options: OpenOptions): FileHandle;
  mkdir(dir: string[], name: string, mode: number): void;
  symlink(dir: string[], name: string, target: string): void;
  /** Hard link: a new entry `name` for the file at `target`. */
  link(targetDir: string[], targetName: string, dir: string[], name: string): void;
  unlink(dir: string[], name: string): void;
  rmdir(dir: string[], name: string): void;
  rename(fromDir: string[], fromName: string, toDir: string[], toName: string): void;
  setAttrs(dir: string[], name: string, attrs: SetAttrs): void;
  /** Attributes of the backend's own root directory. */
  setRootAttrs?(attrs: SetAttrs): void;
}

// The file descriptor table of one WASI process: what each fd number refers to (stdio, an
// open file with its own offset, a directory with its readdir listing), its rights and
// flags. Numbers are reused lowest-first as POSIX requires, so `close(4); open()` gives 4.

import type { FileHandle } from '../../vfs/index.js';
import type { SyncInput, SyncOutput } from '../types.js';
import { ERR_MFILE } from './errno.js';

export const FD_INPUT = 0;
export const FD_OUTPUT = 1;
export const FD_FILE = 2;
export const FD_DIR = 3;

interface FdBase {
  rightsBase: number;
  rightsInheriting: number;
  /** WASI fdflags (APPEND, NONBLOCK...). */
  fdflags: number;
}

export interface InputFd extends FdBase {
  readonly type: typeof FD_INPUT;
  readonly input: SyncInput;
}

export interface OutputFd extends FdBase {
  readonly type: typeof FD_OUTPUT;
  readonly output: SyncOutput;
}

export interface FileFd extends FdBase {
  readonly type: typeof FD_FILE;
  readonly handle: FileHandle;
  /** Absolute path at open time: for operations a handle opened read-only must not do itself. */
  readonly path: string;
  /** Opened for writing: only then may the handle change the file (a read-only handle may view an image layer). */
  readonly writable: boolean;
  position: number;
}

/** A directory's entries as fd_readdir hands them out; index = cookie, `.` and `..` first. */
export interface Listing {
  names: Uint8Array[];
  inos: number[];
  types: Uint8Array;
}

export interface DirFd extends FdBase {
  readonly type: typeof FD_DIR;
  /** Canonical absolute path inside the namespace. */
  readonly path: string;
  /** Set on preopened directories: the name fd_prestat_dir_name reports, UTF-8. */
  readonly preopenName?: Uint8Array;
  /** Snapshot taken at cookie 0 so that cookies stay stable while the guest iterates. */
  listing?: Listing;
}

export type OpenFd = InputFd | OutputFd | FileFd | DirFd;

export class FdTable {
  private readonly slots: (OpenFd | undefined)[] = [];
  /** No fd below this one is free. */
  private lowestFree = 0;

  /** @param maxOpenFiles fd numbers must stay below this (EMFILE past it). */
  constructor(readonly maxOpenFiles: number) {}

  get(fd: number): OpenFd | undefined {
    return this.slots[fd];
  }

  /** Puts `entry` at the lowest free number; EMFILE when none is left. */
  insert(entry: OpenFd): number {
    const slots = this.slots;
    let fd = this.lowestFree;
    while (fd < slots.length && slots[fd] !== undefined) fd++;
    if (fd >= this.maxOpenFiles) throw ERR_MFILE;
    slots[fd] = entry;
    this.lowestFree = fd + 1;
    return fd;
  }

  /** True when an insert would fail with EMFILE (checked before doing the work of an open). */
  full(): boolean {
    const slots = this.slots;
    let fd = this.lowestFree;
    while (fd < slots.length && slots[fd] !== undefined) fd++;
    return fd >= this.maxOpenFiles;
  }

  /** Replaces whatever is at `fd` (fd_renumber); the caller closes the previous entry. */
  set(fd: number, entry: OpenFd): void {
    this.slots[fd] = entry;
  }

  remove(fd: number): OpenFd | undefined {
    const e = this.slots[fd];
    if (e === undefined) return undefined;
    this.slots[fd] = undefined;
    if (fd === this.slots.length - 1) {
      let n = fd;
      while (n > 0 && this.slots[n - 1] === undefined) n--;
      this.slots.length = n;
    }
    if (fd < this.lowestFree) this.lowestFree = fd;
    return e;
  }

  /** Open fds, lowest first. */
  *entries(): IterableIterator<[number, OpenFd]> {
    for (let fd = 0; fd < this.slots.length; fd++) {
      const e = this.slots[fd];
      if (e !== undefined) yield [fd, e];
    }
  }
}

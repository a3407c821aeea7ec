// The WASI preview1 host: every import of `wasi_snapshot_preview1`, over a container's
// Namespace and the process's synchronous stdio. A guest can never make it throw: each call
// ends in an errno, except proc_exit, which unwinds the guest on purpose.
//
// The working directory. WASI preview1 has no cwd: wasi-libc (Debian's 2022-05 build, and
// upstream to this day) starts every program with `__wasilibc_cwd = "/"`, strips the leading
// `/` or `./` of both preopen names and paths, and sends a relative `open("x")` exactly as it
// sends `open("/x")`, so no choice of preopens lets the host tell them apart (a "." preopen
// next to "/" only changes which of the two absolute trees wins). The one preopen is therefore
// `/` as fd 3, and the cwd reaches the guest as `PWD` in its environment (added when the
// caller's env has none and cwd is not `/`): programs built for wasmbox (the toolbox) run
// `chdir(getenv("PWD"))` in a constructor, after which getcwd() and relative paths follow it.

import { WasmboxError } from '../../errors.js';
import type { Namespace, Stat } from '../../vfs/index.js';
import type { ExitStatus, WasiClock, WasiProcessOptions } from '../types.js';
import {
  CLOCK,
  DIRENT,
  E,
  EVENT,
  EVENTTYPE,
  FDFLAGS,
  FDSTAT,
  FILESTAT,
  FILETYPE,
  FSTFLAGS,
  LOOKUP_SYMLINK_FOLLOW,
  OFLAGS,
  PREOPENTYPE_DIR,
  RIGHTS,
  RIGHTS_ALL,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_STDIN,
  RIGHTS_STDOUT,
  SIZE,
  SUBCLOCK_ABSTIME,
  SUBSCRIPTION,
  TRAP_EXIT_CODE,
  WHENCE,
} from './constants.js';
import {
  ERR_BADF,
  ERR_FAULT,
  ERR_INVAL,
  ERR_NOENT,
  ERR_NOTCAPABLE,
  ERR_NOTDIR,
  Errno,
  errnoOf,
} from './errno.js';
import {
  FD_DIR,
  FD_FILE,
  FD_INPUT,
  FD_OUTPUT,
  FdTable,
  type DirFd,
  type FileFd,
  type Listing,
  type OpenFd,
  type OutputFd,
} from './fd-table.js';
import { encoder, guestBytes, msToNs, nsToMs, readString, setU64 } from './memory.js';

const DEFAULT_MAX_OPEN_FILES = 1024;
/** fdflags a guest may set and see again; the sync flags are accepted and kept, as on Linux they are no-ops here. */
const FDFLAGS_ALL = FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.NONBLOCK | FDFLAGS.RSYNC | FDFLAGS.SYNC;
const RIGHTS_MASK = BigInt(RIGHTS_ALL);
const WRITE_RIGHTS = RIGHTS.FD_WRITE | RIGHTS.FD_ALLOCATE | RIGHTS.FD_FILESTAT_SET_SIZE;
/** While waiting for stdin in poll_oneoff, look again this often (ms). */
const POLL_STEP_MS = 1;

/** Thrown by proc_exit to unwind the guest; not an Error, so no stack is captured. */
class ProcExit {
  constructor(readonly code: number) {}
}

/** The signature every import shares: i32/i64 arguments in, an errno (or nothing) out. */
export type WasiImport = (...args: never[]) => number | void;

export interface WasiImports {
  wasi_snapshot_preview1: Record<string, WasiImport>;
}

export const defaultClock: WasiClock = {
  realtimeNs: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n,
  monotonicNs: () => BigInt(Math.round(performance.now() * 1e6)),
};

function defaultRandom(into: Uint8Array): void {
  for (let i = 0; i < into.length; i += 65536) crypto.getRandomValues(into.subarray(i, Math.min(into.length, i + 65536)));
}

let sleepCell: Int32Array | null | undefined;

/** Blocks the thread for `ms`: Atomics.wait where the platform allows it, else a busy wait. */
export function sleepMs(ms: number): void {
  if (!(ms > 0)) return;
  if (sleepCell === undefined) {
    try {
      sleepCell = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(sleepCell, 0, 0, 0);
    } catch {
      // No SharedArrayBuffer (a page that is not cross-origin isolated) or a thread that may not block.
      sleepCell = null;
    }
  }
  if (sleepCell !== null) {
    Atomics.wait(sleepCell, 0, 0, ms);
    return;
  }
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy wait: the only way to block a browser main thread
  }
}

function filetypeOf(kind: Stat['kind']): number {
  return kind === 'file' ? FILETYPE.REGULAR_FILE : kind === 'dir' ? FILETYPE.DIRECTORY : FILETYPE.SYMBOLIC_LINK;
}

function encodeAll(strings: string[]): { list: Uint8Array[]; size: number } {
  const list = strings.map((s) => encoder.encode(s + '\0'));
  return { list, size: list.reduce((n, b) => n + b.length, 0) };
}

function isCode(e: unknown, code: string): boolean {
  return e instanceof WasmboxError && e.code === code;
}

export class WasiPreview1 {
  readonly imports: WasiImports;
  private readonly fs: Namespace;
  private readonly fds: FdTable;
  private readonly args: { list: Uint8Array[]; size: number };
  private readonly env: { list: Uint8Array[]; size: number };
  private readonly clock: WasiClock;
  private readonly random: (into: Uint8Array) => void;
  private readonly maxOutputBytes: number;
  private outputBytes = 0;
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBuffer | SharedArrayBuffer = new ArrayBuffer(0);
  private dv = new DataView(this.buffer);
  private u8 = new Uint8Array(this.buffer);

  constructor(options: WasiProcessOptions) {
    this.fs = options.fs;
    this.clock = options.clock ?? defaultClock;
    this.random = options.random ?? defaultRandom;
    this.maxOutputBytes = options.limits?.maxOutputBytes ?? Infinity;
    this.args = encodeAll(options.args);
    const env = options.env;
    const cwd = options.cwd || '/';
    const withPwd = cwd !== '/' && !env.some((kv) => kv.startsWith('PWD=')) ? [...env, `PWD=${cwd}`] : env;
    this.env = encodeAll(withPwd);
    this.fds = new FdTable(Math.max(4, options.limits?.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES));
    const stdin = options.stdin;
    this.fds.insert({ type: FD_INPUT, input: stdin, rightsBase: RIGHTS_STDIN, rightsInheriting: 0, fdflags: 0 });
    for (const output of [options.stdout, options.stderr]) {
      this.fds.insert({ type: FD_OUTPUT, output, rightsBase: RIGHTS_STDOUT, rightsInheriting: 0, fdflags: 0 });
    }
    this.fds.insert({
      type: FD_DIR,
      path: '/',
      preopenName: encoder.encode('/'),
      rightsBase: RIGHTS_DIR,
      rightsInheriting: RIGHTS_ALL,
      fdflags: 0,
    });

    this.imports = {
      wasi_snapshot_preview1: {
        args_get: this.args_get.bind(this),
        args_sizes_get: this.args_sizes_get.bind(this),
        environ_get: this.environ_get.bind(this),
        environ_sizes_get: this.environ_sizes_get.bind(this),
        clock_res_get: this.clock_res_get.bind(this),
        clock_time_get: this.clock_time_get.bind(this),
        fd_advise: this.fd_advise.bind(this),
        fd_allocate: this.fd_allocate.bind(this),
        fd_close: this.fd_close.bind(this),
        fd_datasync: this.fd_datasync.bind(this),
        fd_fdstat_get: this.fd_fdstat_get.bind(this),
        fd_fdstat_set_flags: this.fd_fdstat_set_flags.bind(this),
        fd_fdstat_set_rights: this.fd_fdstat_set_rights.bind(this),
        fd_filestat_get: this.fd_filestat_get.bind(this),
        fd_filestat_set_size: this.fd_filestat_set_size.bind(this),
        fd_filestat_set_times: this.fd_filestat_set_times.bind(this),
        fd_pread: this.fd_pread.bind(this),
        fd_prestat_get: this.fd_prestat_get.bind(this),
        fd_prestat_dir_name: this.fd_prestat_dir_name.bind(this),
        fd_pwrite: this.fd_pwrite.bind(this),
        fd_read: this.fd_read.bind(this),
        fd_readdir: this.fd_readdir.bind(this),
        fd_renumber: this.fd_renumber.bind(this),
        fd_seek: this.fd_seek.bind(this),
        fd_sync: this.fd_sync.bind(this),
        fd_tell: this.fd_tell.bind(this),
        fd_write: this.fd_write.bind(this),
        path_create_directory: this.path_create_directory.bind(this),
        path_filestat_get: this.path_filestat_get.bind(this),
        path_filestat_set_times: this.path_filestat_set_times.bind(this),
        path_link: this.path_link.bind(this),
        path_open: this.path_open.bind(this),
        path_readlink: this.path_readlink.bind(this),
        path_remove_directory: this.path_remove_directory.bind(this),
        path_rename: this.path_rename.bind(this),
        path_symlink: this.path_symlink.bind(this),
        path_unlink_file: this.path_unlink_file.bind(this),
        poll_oneoff: this.poll_oneoff.bind(this),
        proc_exit: this.proc_exit.bind(this),
        proc_raise: this.proc_raise.bind(this),
        sched_yield: this.sched_yield.bind(this),
        random_get: this.random_get.bind(this),
        sock_accept: this.sock_accept.bind(this),
        sock_recv: this.sock_recv.bind(this),
        sock_send: this.sock_send.bind(this),
        sock_shutdown: this.sock_shutdown.bind(this),
      },
    };
  }

  /**
   * Runs the command module's `_start` and reports how it ended: its proc_exit status (0 when
   * `_start` returns), 134 with reason 'trap' when it traps (wasmtime's convention, as SIGABRT),
   * 126 when the module is not a WASI command. Closes every fd afterwards.
   */
  start(instance: WebAssembly.Instance): ExitStatus {
    const { memory, _start: entry } = instance.exports;
    if (!(memory instanceof WebAssembly.Memory)) {
      return { code: 126, reason: 'error', message: 'the module does not export its memory as "memory"; not a WASI command' };
    }
    if (typeof entry !== 'function') {
      return { code: 126, reason: 'error', message: 'the module exports no "_start" function; not a WASI command (a reactor?)' };
    }
    this.bindMemory(memory);
    try {
      (entry as () => void)();
      return { code: 0 };
    } catch (e) {
      return exitStatusOf(e);
    } finally {
      this.closeAll();
    }
  }

  /** Points the host at the guest's memory (done by start; for reactors and tests). */
  bindMemory(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  /** Closes every open fd (the process ended). */
  closeAll(): void {
    for (const [fd, e] of [...this.fds.entries()]) {
      this.fds.remove(fd);
      if (e.type === FD_FILE) {
        try {
          e.handle.close();
        } catch {
          // the process is gone; nothing to report a close failure to
        }
      }
    }
  }

  // ---- memory ----

  /** Re-creates the views when memory.grow replaced the buffer. */
  private refresh(): void {
    const b = this.memory!.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.dv = new DataView(b);
      this.u8 = new Uint8Array(b);
    }
  }

  private fd(fd: number): OpenFd {
    const e = this.fds.get(fd);
    if (e === undefined) throw ERR_BADF;
    return e;
  }

  /** The absolute namespace path of `path` relative to directory fd `fd`, checking `right` on it. */
  private pathAt(fd: number, ptr: number, len: number, right: number): string {
    const e = this.fds.get(fd);
    if (e === undefined) throw ERR_BADF;
    if (e.type !== FD_DIR) throw ERR_NOTDIR;
    if ((e.rightsBase & right) === 0) throw ERR_NOTCAPABLE;
    if (len === 0) throw ERR_NOENT;
    const p = readString(this.u8, ptr, len);
    // An absolute guest path stays under the directory: the namespace confines `..` and symlinks to `/`.
    return e.path === '/' ? '/' + p : e.path + '/' + p;
  }

  private writeFilestat(ptr: number, st: Stat): void {
    const dv = this.dv;
    if (ptr + SIZE.FILESTAT > dv.byteLength) throw ERR_FAULT;
    setU64(dv, ptr + FILESTAT.DEV, st.dev);
    setU64(dv, ptr + FILESTAT.INO, st.ino);
    this.u8.fill(0, ptr + FILESTAT.FILETYPE, ptr + FILESTAT.NLINK);
    dv.setUint8(ptr + FILESTAT.FILETYPE, filetypeOf(st.kind));
    setU64(dv, ptr + FILESTAT.NLINK, st.nlink);
    setU64(dv, ptr + FILESTAT.SIZE, st.size);
    dv.setBigUint64(ptr + FILESTAT.ATIM, msToNs(st.atimeMs), true);
    dv.setBigUint64(ptr + FILESTAT.MTIM, msToNs(st.mtimeMs), true);
    dv.setBigUint64(ptr + FILESTAT.CTIM, msToNs(st.ctimeMs), true);
  }

  private emit(e: OutputFd, data: Uint8Array): void {
    this.outputBytes += data.length;
    if (this.outputBytes > this.maxOutputBytes) {
      this.outputBytes -= data.length;
      throw new WasmboxError('EFBIG', `output limit of ${this.maxOutputBytes} bytes reached`);
    }
    e.output.write(data);
  }

  // ---- args, env, clocks, random ----

  private args_get(argv: number, buf: number): number {
    return this.writeStrings(this.args.list, argv, buf);
  }

  private args_sizes_get(countPtr: number, sizePtr: number): number {
    return this.writeSizes(this.args, countPtr, sizePtr);
  }

  private environ_get(environ: number, buf: number): number {
    return this.writeStrings(this.env.list, environ, buf);
  }

  private environ_sizes_get(countPtr: number, sizePtr: number): number {
    return this.writeSizes(this.env, countPtr, sizePtr);
  }

  private writeStrings(list: Uint8Array[], ptrs: number, buf: number): number {
    try {
      this.refresh();
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        this.dv.setUint32(ptrs + i * 4, buf, true);
        guestBytes(this.u8, buf, s.length).set(s);
        buf += s.length;
      }
      return E.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  private writeSizes(v: { list: Uint8Array[]; size: number }, countPtr: number, sizePtr: number): number {
    try {
      this.refresh();
      this.dv.setUint32(countPtr, v.list.length, true);
      this.dv.setUint32(sizePtr, v.size, true);
      return E.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  private nowNs(id: number): bigint {
    switch (id) {
      case CLOCK.REALTIME:
        return this.clock.realtimeNs();
      case CLOCK.MONOTONIC:
      case CLOCK.PROCESS_CPUTIME:
      case CLOCK.THREAD_CPUTIME:
        // No per-thread CPU clock is portable; the monotonic clock bounds it from above.
        return this.clock.monotonicNs();
      default:
        throw ERR_INVAL;
    }
  }

  private clock_res_get(id: number, ptr: number): number {
    try {
      if (id < CLOCK.REALTIME || id > CLOCK.THREAD_CPUTIME) return E.INVAL;
      this.refresh();
      this.dv.setBigUint64(ptr, 1000n, true);
      return E.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  private clock_time_get(id: number, _precision: bigint, ptr: number): number {
    try {
      const t = this.nowNs(id);
      this.refresh();
      this.dv.setBigUint64(ptr, t, true);
      return E.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  private random_get(buf: number, len: number): number {
    try {
      this.refresh();
      this.random(guestBytes(this.u8, buf, len));
      return E.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  }

  // ---- fds ----

  private fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
    try {
      const e = this.fd(fd);
      if (advice > 5) return E.INVAL;
      if (e.type === FD_INPUT || e.type === FD_OUTPUT) return E.SPIPE;
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_allocate(fd: number, offset: bigint, len: bigint): number {
    try {
      const e = this.fd(fd);
      if (e.type === FD_INPUT || e.type === FD_OUTPUT) return E.SPIPE;
      if (e.type === FD_DIR) return E.BADF;
      if (!e.writable || (e.rightsBase & RIGHTS.FD_ALLOCATE) === 0) return E.BADF;
      const end = Number(offset) + Number(len);
      if (Number(len) <= 0 || offset < 0n) return E.INVAL;
      if (end > e.handle.size()) e.handle.truncate(end);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_close(fd: number): number {
    try {
      const e = this.fds.remove(fd);
      if (e === undefined) return E.BADF;
      if (e.type === FD_FILE) e.handle.close();
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_datasync(fd: number): number {
    return this.fd_sync(fd);
  }

  private fd_sync(fd: number): number {
    try {
      const e = this.fd(fd);
      // As on Linux: fsync of a pipe or terminal is EINVAL; files and directories have nothing to flush.
      return e.type === FD_INPUT || e.type === FD_OUTPUT ? E.INVAL : E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_fdstat_get(fd: number, ptr: number): number {
    try {
      const e = this.fd(fd);
      this.refresh();
      const dv = this.dv;
      if (ptr + SIZE.FDSTAT > dv.byteLength) return E.FAULT;
      let filetype: number;
      if (e.type === FD_FILE) filetype = FILETYPE.REGULAR_FILE;
      else if (e.type === FD_DIR) filetype = FILETYPE.DIRECTORY;
      else filetype = (e.type === FD_INPUT ? e.input.isTTY : e.output.isTTY) ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN;
      this.u8.fill(0, ptr, ptr + SIZE.FDSTAT);
      dv.setUint8(ptr + FDSTAT.FILETYPE, filetype);
      dv.setUint16(ptr + FDSTAT.FLAGS, e.fdflags, true);
      dv.setUint32(ptr + FDSTAT.RIGHTS_BASE, e.rightsBase, true);
      dv.setUint32(ptr + FDSTAT.RIGHTS_INHERITING, e.rightsInheriting, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_fdstat_set_flags(fd: number, flags: number): number {
    try {
      const e = this.fd(fd);
      if ((e.rightsBase & RIGHTS.FD_FDSTAT_SET_FLAGS) === 0) return E.NOTCAPABLE;
      if ((flags & ~FDFLAGS_ALL) !== 0) return E.INVAL;
      e.fdflags = flags;
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
    try {
      const e = this.fd(fd);
      const b = Number(base & RIGHTS_MASK);
      const i = Number(inheriting & RIGHTS_MASK);
      // Rights can only ever shrink.
      if ((b & ~e.rightsBase) !== 0 || (i & ~e.rightsInheriting) !== 0) return E.NOTCAPABLE;
      e.rightsBase = b;
      e.rightsInheriting = i;
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_filestat_get(fd: number, ptr: number): number {
    try {
      const e = this.fd(fd);
      this.refresh();
      if (e.type === FD_FILE) {
        this.writeFilestat(ptr, e.handle.stat());
      } else if (e.type === FD_DIR) {
        this.writeFilestat(ptr, this.fs.stat(e.path));
      } else {
        const dv = this.dv;
        if (ptr + SIZE.FILESTAT > dv.byteLength) return E.FAULT;
        this.u8.fill(0, ptr, ptr + SIZE.FILESTAT);
        const tty = e.type === FD_INPUT ? e.input.isTTY : e.output.isTTY;
        dv.setUint8(ptr + FILESTAT.FILETYPE, tty ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN);
        setU64(dv, ptr + FILESTAT.NLINK, 1);
      }
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_filestat_set_size(fd: number, size: bigint): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_FILE) return e.type === FD_DIR ? E.ISDIR : E.INVAL;
      if (!e.writable || (e.rightsBase & RIGHTS.FD_FILESTAT_SET_SIZE) === 0) return E.INVAL;
      if (size > 0x1f_ffff_ffff_ffffn) return E.FBIG;
      e.handle.truncate(Number(size));
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  /** The (atime, mtime) in ms a set-times call asks for; undefined leaves one unchanged. */
  private timesOf(atim: bigint, mtim: bigint, fst: number): { atimeMs: number | undefined; mtimeMs: number | undefined } {
    if ((fst & FSTFLAGS.ATIM && fst & FSTFLAGS.ATIM_NOW) || (fst & FSTFLAGS.MTIM && fst & FSTFLAGS.MTIM_NOW)) throw ERR_INVAL;
    if ((fst & ~15) !== 0) throw ERR_INVAL;
    const now = fst & (FSTFLAGS.ATIM_NOW | FSTFLAGS.MTIM_NOW) ? nsToMs(this.clock.realtimeNs()) : 0;
    return {
      atimeMs: fst & FSTFLAGS.ATIM ? nsToMs(atim) : fst & FSTFLAGS.ATIM_NOW ? now : undefined,
      mtimeMs: fst & FSTFLAGS.MTIM ? nsToMs(mtim) : fst & FSTFLAGS.MTIM_NOW ? now : undefined,
    };
  }

  private fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): number {
    try {
      const e = this.fd(fd);
      const t = this.timesOf(atim, mtim, fst);
      // stdio has no file behind it here: accepted and forgotten, like the times of a pipe.
      if (e.type === FD_INPUT || e.type === FD_OUTPUT) return E.SUCCESS;
      if ((e.rightsBase & RIGHTS.FD_FILESTAT_SET_TIMES) === 0) return E.NOTCAPABLE;
      if (t.atimeMs === undefined && t.mtimeMs === undefined) return E.SUCCESS;
      if (e.type === FD_FILE) {
        // A read-only handle may be a view of an image layer: change the file through its path (copy-up).
        if (e.writable) e.handle.setAttrs(t);
        else this.fs.utimes(e.path, t.atimeMs, t.mtimeMs);
      } else if (e.type === FD_DIR) {
        this.fs.utimes(e.path, t.atimeMs, t.mtimeMs);
      }
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_prestat_get(fd: number, ptr: number): number {
    try {
      const e = this.fds.get(fd);
      if (e === undefined || e.type !== FD_DIR || e.preopenName === undefined) return E.BADF;
      this.refresh();
      this.dv.setUint32(ptr, PREOPENTYPE_DIR, true);
      this.dv.setUint32(ptr + 4, e.preopenName.length, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
    try {
      const e = this.fds.get(fd);
      if (e === undefined || e.type !== FD_DIR || e.preopenName === undefined) return E.BADF;
      const name = e.preopenName;
      if (len < name.length) return E.NAMETOOLONG;
      this.refresh();
      guestBytes(this.u8, ptr, name.length).set(name);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number {
    try {
      const e = this.fd(fd);
      this.refresh();
      const dv = this.dv;
      let total = 0;
      if (e.type === FD_FILE) {
        if ((e.rightsBase & RIGHTS.FD_READ) === 0) return E.BADF;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + i * 8, true);
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          const n = e.handle.read(guestBytes(this.u8, ptr, len), e.position);
          e.position += n;
          total += n;
          if (n < len) break;
        }
      } else if (e.type === FD_INPUT) {
        if ((e.rightsBase & RIGHTS.FD_READ) === 0) return E.BADF;
        if (e.fdflags & FDFLAGS.NONBLOCK && !e.input.ready()) return E.AGAIN;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + i * 8, true);
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          if (len === 0) continue;
          // Block for the first bytes only; after that take what is there without waiting.
          if (total > 0 && !e.input.ready()) break;
          const into = guestBytes(this.u8, ptr, len);
          const data = e.input.read(len);
          if (data === null) break;
          const n = Math.min(data.length, len);
          this.refresh();
          into.set(n === data.length ? data : data.subarray(0, n));
          total += n;
          if (n < len) break;
        }
        this.refresh();
      } else {
        return e.type === FD_DIR ? E.ISDIR : E.BADF;
      }
      this.dv.setUint32(nreadPtr, total, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_FILE) return e.type === FD_DIR ? E.ISDIR : E.SPIPE;
      if ((e.rightsBase & RIGHTS.FD_READ) === 0) return E.BADF;
      this.refresh();
      const dv = this.dv;
      let pos = Number(offset);
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        const n = e.handle.read(guestBytes(this.u8, ptr, len), pos);
        pos += n;
        total += n;
        if (n < len) break;
      }
      dv.setUint32(nreadPtr, total, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
    try {
      const e = this.fd(fd);
      if ((e.rightsBase & RIGHTS.FD_WRITE) === 0) return E.BADF;
      this.refresh();
      const dv = this.dv;
      let total = 0;
      if (e.type === FD_FILE) {
        if (!e.writable) return E.BADF;
        const append = (e.fdflags & FDFLAGS.APPEND) !== 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + i * 8, true);
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          if (len === 0) continue;
          const data = guestBytes(this.u8, ptr, len);
          if (append) {
            e.position = e.handle.append(data);
          } else {
            e.handle.write(data, e.position);
            e.position += len;
          }
          total += len;
        }
      } else if (e.type === FD_OUTPUT) {
        // One write per call for the sink; the bytes are copied, as the sink may keep them.
        let size = 0;
        let single = -1;
        for (let i = 0; i < iovsLen; i++) {
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          if (len > 0) single = size === 0 ? i : -2;
          size += len;
        }
        if (size > 0) {
          let data: Uint8Array;
          if (single >= 0) {
            const ptr = dv.getUint32(iovs + single * 8, true);
            data = guestBytes(this.u8, ptr, size).slice();
          } else {
            data = new Uint8Array(size);
            let at = 0;
            for (let i = 0; i < iovsLen; i++) {
              const ptr = dv.getUint32(iovs + i * 8, true);
              const len = dv.getUint32(iovs + i * 8 + 4, true);
              data.set(guestBytes(this.u8, ptr, len), at);
              at += len;
            }
          }
          this.emit(e, data);
          total = size;
        }
      } else {
        return E.BADF;
      }
      this.refresh();
      this.dv.setUint32(nwrittenPtr, total, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_FILE) return e.type === FD_DIR ? E.BADF : E.SPIPE;
      if ((e.rightsBase & RIGHTS.FD_WRITE) === 0 || !e.writable) return E.BADF;
      this.refresh();
      const dv = this.dv;
      let pos = Number(offset);
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = dv.getUint32(iovs + i * 8, true);
        const len = dv.getUint32(iovs + i * 8 + 4, true);
        if (len === 0) continue;
        e.handle.write(guestBytes(this.u8, ptr, len), pos);
        pos += len;
        total += len;
      }
      dv.setUint32(nwrittenPtr, total, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_DIR) return E.NOTDIR;
      if ((e.rightsBase & RIGHTS.FD_READDIR) === 0) return E.NOTCAPABLE;
      this.refresh();
      const start = cookie > 0xffffffffn ? Infinity : Number(cookie);
      if (start === 0 || e.listing === undefined) e.listing = this.listing(e);
      const { names, inos, types } = e.listing;
      const dv = this.dv;
      const u8 = this.u8;
      if (buf + bufLen > u8.length) return E.FAULT;
      let used = 0;
      for (let i = start; i < names.length && used < bufLen; i++) {
        const name = names[i]!;
        const size = SIZE.DIRENT + name.length;
        if (bufLen - used >= size) {
          const at = buf + used;
          setU64(dv, at + DIRENT.NEXT, i + 1);
          setU64(dv, at + DIRENT.INO, inos[i]!);
          dv.setUint32(at + DIRENT.NAMLEN, name.length, true);
          dv.setUint32(at + DIRENT.TYPE, types[i]!, true);
          u8.set(name, at + SIZE.DIRENT);
          used += size;
        } else {
          // The spec's rule: fill the buffer with as much of the entry as fits; the guest sees
          // bufused == buf_len and asks again with a larger buffer.
          const entry = new Uint8Array(size);
          const edv = new DataView(entry.buffer);
          setU64(edv, DIRENT.NEXT, i + 1);
          setU64(edv, DIRENT.INO, inos[i]!);
          edv.setUint32(DIRENT.NAMLEN, name.length, true);
          edv.setUint8(DIRENT.TYPE, types[i]!);
          entry.set(name, SIZE.DIRENT);
          u8.set(entry.subarray(0, bufLen - used), buf + used);
          used = bufLen;
        }
      }
      dv.setUint32(bufusedPtr, used, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private listing(e: DirFd): Listing {
    const entries = this.fs.readdir(e.path);
    const n = entries.length + 2;
    const names: Uint8Array[] = new Array<Uint8Array>(n);
    const inos: number[] = new Array<number>(n);
    const types = new Uint8Array(n);
    names[0] = DOT;
    inos[0] = this.fs.stat(e.path).ino;
    types[0] = FILETYPE.DIRECTORY;
    names[1] = DOTDOT;
    inos[1] = e.path === '/' ? inos[0] : this.fs.stat(e.path + '/..').ino;
    types[1] = FILETYPE.DIRECTORY;
    for (let i = 0; i < entries.length; i++) {
      const d = entries[i]!;
      names[i + 2] = encoder.encode(d.name);
      inos[i + 2] = d.ino;
      types[i + 2] = filetypeOf(d.kind);
    }
    return { names, inos, types };
  }

  private fd_renumber(from: number, to: number): number {
    try {
      const a = this.fd(from);
      const b = this.fd(to);
      if (from === to) return E.SUCCESS;
      this.fds.set(to, a);
      this.fds.remove(from);
      if (b.type === FD_FILE) b.handle.close();
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_FILE) return e.type === FD_DIR ? E.BADF : E.SPIPE;
      if ((e.rightsBase & (RIGHTS.FD_SEEK | RIGHTS.FD_TELL)) === 0) return E.NOTCAPABLE;
      let base: number;
      if (whence === WHENCE.SET) base = 0;
      else if (whence === WHENCE.CUR) base = e.position;
      else if (whence === WHENCE.END) base = e.handle.size();
      else return E.INVAL;
      const pos = base + Number(offset);
      if (pos < 0) return E.INVAL;
      if (pos > Number.MAX_SAFE_INTEGER) return E.OVERFLOW;
      e.position = pos;
      this.refresh();
      setU64(this.dv, newOffsetPtr, pos);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private fd_tell(fd: number, ptr: number): number {
    try {
      const e = this.fd(fd);
      if (e.type !== FD_FILE) return e.type === FD_DIR ? E.BADF : E.SPIPE;
      this.refresh();
      setU64(this.dv, ptr, e.position);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  // ---- paths ----

  private path_create_directory(fd: number, ptr: number, len: number): number {
    try {
      this.refresh();
      this.fs.mkdir(this.pathAt(fd, ptr, len, RIGHTS.PATH_CREATE_DIRECTORY), { mode: 0o755 });
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_filestat_get(fd: number, flags: number, ptr: number, len: number, out: number): number {
    try {
      this.refresh();
      const path = this.pathAt(fd, ptr, len, RIGHTS.PATH_FILESTAT_GET);
      const st = flags & LOOKUP_SYMLINK_FOLLOW ? this.fs.stat(path) : this.fs.lstat(path);
      this.writeFilestat(out, st);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_filestat_set_times(
    fd: number,
    flags: number,
    ptr: number,
    len: number,
    atim: bigint,
    mtim: bigint,
    fst: number,
  ): number {
    try {
      this.refresh();
      const path = this.pathAt(fd, ptr, len, RIGHTS.PATH_FILESTAT_SET_TIMES);
      const t = this.timesOf(atim, mtim, fst);
      const follow = (flags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      if (t.atimeMs === undefined && t.mtimeMs === undefined) {
        // Nothing to change, but the file must exist (utimensat with UTIME_OMIT twice).
        if (follow) this.fs.stat(path);
        else this.fs.lstat(path);
        return E.SUCCESS;
      }
      this.fs.utimes(path, t.atimeMs, t.mtimeMs, { follow });
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_link(
    oldFd: number,
    oldFlags: number,
    oldPtr: number,
    oldLen: number,
    newFd: number,
    newPtr: number,
    newLen: number,
  ): number {
    try {
      this.refresh();
      let from = this.pathAt(oldFd, oldPtr, oldLen, RIGHTS.PATH_LINK_SOURCE);
      const to = this.pathAt(newFd, newPtr, newLen, RIGHTS.PATH_LINK_TARGET);
      if (oldFlags & LOOKUP_SYMLINK_FOLLOW && this.fs.kindOf(from, { follow: false }) === 'symlink') from = this.fs.realpath(from);
      this.fs.link(from, to);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_open(
    dirFd: number,
    dirFlags: number,
    ptr: number,
    len: number,
    oflags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    fdflags: number,
    fdPtr: number,
  ): number {
    try {
      const dir = this.fds.get(dirFd);
      if (dir === undefined) return E.BADF;
      if (dir.type !== FD_DIR) return E.NOTDIR;
      const base = Number(rightsBase & RIGHTS_MASK);
      const inheriting = Number(rightsInheriting & RIGHTS_MASK);
      if ((base & ~dir.rightsInheriting) !== 0) return E.NOTCAPABLE;
      if (oflags & OFLAGS.CREAT && (dir.rightsBase & RIGHTS.PATH_CREATE_FILE) === 0) return E.NOTCAPABLE;
      if (oflags & OFLAGS.TRUNC && (dir.rightsBase & RIGHTS.PATH_FILESTAT_SET_SIZE) === 0) return E.NOTCAPABLE;
      this.refresh();
      const path = this.pathAt(dirFd, ptr, len, RIGHTS.PATH_OPEN);
      if (this.fds.full()) return E.MFILE;
      const follow = (dirFlags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      const write = (base & WRITE_RIGHTS) !== 0;
      const flags = fdflags & FDFLAGS_ALL;
      let entry: OpenFd;
      if (oflags & OFLAGS.DIRECTORY) {
        if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL && this.fs.kindOf(path, { follow: false }) !== undefined) return E.EXIST;
        const st = follow ? this.fs.stat(path) : this.fs.lstat(path);
        if (st.kind !== 'dir') return E.NOTDIR;
        if (write || oflags & OFLAGS.TRUNC) return E.ISDIR;
        entry = this.openDir(path, base, inheriting & dir.rightsInheriting, flags);
      } else {
        try {
          const handle = this.fs.open(path, {
            read: (base & (RIGHTS.FD_READ | RIGHTS.FD_READDIR)) !== 0 || !write,
            write,
            create: (oflags & OFLAGS.CREAT) !== 0,
            exclusive: (oflags & OFLAGS.EXCL) !== 0,
            truncate: (oflags & OFLAGS.TRUNC) !== 0,
            noFollow: !follow,
            mode: 0o644,
          });
          const file: FileFd = {
            type: FD_FILE,
            handle,
            path,
            writable: write,
            position: 0,
            rightsBase: base & RIGHTS_FILE,
            rightsInheriting: inheriting & dir.rightsInheriting,
            fdflags: flags,
          };
          entry = file;
        } catch (err) {
          // A directory opened without O_DIRECTORY: fine for reading (opendir, fstat), as on POSIX.
          if (!isCode(err, 'EISDIR') || write || oflags & (OFLAGS.CREAT | OFLAGS.TRUNC)) throw err;
          entry = this.openDir(path, base, inheriting & dir.rightsInheriting, flags);
        }
      }
      const fd = this.fds.insert(entry);
      this.dv.setUint32(fdPtr, fd, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private openDir(path: string, base: number, inheriting: number, fdflags: number): DirFd {
    // The canonical path, so that a later rename of a symlink on the way does not move the fd.
    return { type: FD_DIR, path: this.fs.realpath(path), rightsBase: base & RIGHTS_DIR, rightsInheriting: inheriting, fdflags };
  }

  private path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, bufusedPtr: number): number {
    try {
      this.refresh();
      const target = encoder.encode(this.fs.readlink(this.pathAt(fd, ptr, len, RIGHTS.PATH_READLINK)));
      // POSIX readlink: silently truncated to the buffer, no NUL.
      const n = Math.min(target.length, bufLen);
      guestBytes(this.u8, buf, n).set(target.subarray(0, n));
      this.dv.setUint32(bufusedPtr, n, true);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_remove_directory(fd: number, ptr: number, len: number): number {
    try {
      this.refresh();
      this.fs.rmdir(this.pathAt(fd, ptr, len, RIGHTS.PATH_REMOVE_DIRECTORY));
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): number {
    try {
      this.refresh();
      const from = this.pathAt(fd, oldPtr, oldLen, RIGHTS.PATH_RENAME_SOURCE);
      const to = this.pathAt(newFd, newPtr, newLen, RIGHTS.PATH_RENAME_TARGET);
      this.fs.rename(from, to);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
    try {
      this.refresh();
      const target = readString(this.u8, oldPtr, oldLen);
      const path = this.pathAt(fd, newPtr, newLen, RIGHTS.PATH_SYMLINK);
      if (target === '') return E.NOENT;
      this.fs.symlink(target, path);
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  private path_unlink_file(fd: number, ptr: number, len: number): number {
    try {
      this.refresh();
      this.fs.unlink(this.pathAt(fd, ptr, len, RIGHTS.PATH_UNLINK_FILE));
      return E.SUCCESS;
    } catch (err) {
      return errnoOf(err);
    }
  }

  // ---- poll, process, sockets ----

  private poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
    try {
      if (nsubs === 0) return E.INVAL;
      this.refresh();
      if (inPtr + nsubs * SIZE.SUBSCRIPTION > this.u8.length || outPtr + nsubs * SIZE.EVENT > this.u8.length) return E.FAULT;
      // Deadlines on the monotonic clock, ns; undefined for fd subscriptions.
      const deadlines: (bigint | undefined)[] = new Array<bigint | undefined>(nsubs);
      const badClock: boolean[] = new Array<boolean>(nsubs).fill(false);
      let earliest: bigint | undefined;
      let anyFd = false;
      const mono = this.clock.monotonicNs();
      for (let i = 0; i < nsubs; i++) {
        const s = inPtr + i * SIZE.SUBSCRIPTION;
        if (this.dv.getUint8(s + SUBSCRIPTION.TAG) !== EVENTTYPE.CLOCK) {
          anyFd = true;
          continue;
        }
        const id = this.dv.getUint32(s + SUBSCRIPTION.CLOCK_ID, true);
        const timeout = this.dv.getBigUint64(s + SUBSCRIPTION.CLOCK_TIMEOUT, true);
        const abs = (this.dv.getUint16(s + SUBSCRIPTION.CLOCK_FLAGS, true) & SUBCLOCK_ABSTIME) !== 0;
        let deadline: bigint;
        if (id === CLOCK.REALTIME) deadline = abs ? mono + (timeout - this.clock.realtimeNs()) : mono + timeout;
        else if (id === CLOCK.MONOTONIC || id === CLOCK.PROCESS_CPUTIME || id === CLOCK.THREAD_CPUTIME) deadline = abs ? timeout : mono + timeout;
        else {
          badClock[i] = true;
          deadline = mono;
        }
        deadlines[i] = deadline;
        if (earliest === undefined || deadline < earliest) earliest = deadline;
      }
      for (;;) {
        const now = this.clock.monotonicNs();
        let n = 0;
        for (let i = 0; i < nsubs; i++) {
          const s = inPtr + i * SIZE.SUBSCRIPTION;
          const tag = this.dv.getUint8(s + SUBSCRIPTION.TAG);
          if (tag === EVENTTYPE.CLOCK) {
            if (now >= deadlines[i]!) this.writeEvent(outPtr + n++ * SIZE.EVENT, s, tag, badClock[i] ? E.INVAL : 0, 0);
          } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
            const r = this.fdReadiness(this.dv.getUint32(s + SUBSCRIPTION.FD, true), tag);
            if (r !== undefined) this.writeEvent(outPtr + n++ * SIZE.EVENT, s, tag, r.error, r.nbytes);
          } else {
            this.writeEvent(outPtr + n++ * SIZE.EVENT, s, tag, E.INVAL, 0);
          }
        }
        if (n > 0) {
          this.dv.setUint32(neventsPtr, n, true);
          return E.SUCCESS;
        }
        const remainingMs = earliest === undefined ? Infinity : Number(earliest - now) / 1e6;
        sleepMs(anyFd ? Math.min(POLL_STEP_MS, remainingMs) : remainingMs);
        this.refresh();
      }
    } catch (err) {
      return errnoOf(err);
    }
  }

  /** An fd subscription's event, or undefined while it is not ready. */
  private fdReadiness(fd: number, tag: number): { error: number; nbytes: number } | undefined {
    const e = this.fds.get(fd);
    if (e === undefined) return { error: E.BADF, nbytes: 0 };
    if ((e.rightsBase & RIGHTS.POLL_FD_READWRITE) === 0 && e.type !== FD_DIR) return { error: E.NOTCAPABLE, nbytes: 0 };
    if (tag === EVENTTYPE.FD_READ) {
      if (e.type === FD_INPUT) return e.input.ready() ? { error: 0, nbytes: 1 } : undefined;
      if (e.type === FD_FILE) return { error: 0, nbytes: Math.max(0, e.handle.size() - e.position) };
      return { error: E.BADF, nbytes: 0 };
    }
    if (e.type === FD_OUTPUT || e.type === FD_FILE) return { error: 0, nbytes: 0 };
    return { error: E.BADF, nbytes: 0 };
  }

  private writeEvent(at: number, sub: number, type: number, error: number, nbytes: number): void {
    const u8 = this.u8;
    u8.fill(0, at, at + SIZE.EVENT);
    u8.copyWithin(at + EVENT.USERDATA, sub + SUBSCRIPTION.USERDATA, sub + SUBSCRIPTION.USERDATA + 8);
    this.dv.setUint16(at + EVENT.ERROR, error, true);
    this.dv.setUint8(at + EVENT.TYPE, type);
    setU64(this.dv, at + EVENT.NBYTES, nbytes);
  }

  private proc_exit(code: number): never {
    throw new ProcExit((code >>> 0) & 0xff);
  }

  private proc_raise(_signal: number): number {
    return E.NOSYS;
  }

  private sched_yield(): number {
    return E.SUCCESS;
  }

  /** No socket fds exist yet (published ports come later): a closed fd is EBADF, any other ENOTSOCK. */
  private notASocket(fd: number): number {
    return this.fds.get(fd) === undefined ? E.BADF : E.NOTSOCK;
  }

  private sock_accept(fd: number, _flags: number, _fdPtr: number): number {
    return this.notASocket(fd);
  }

  private sock_recv(fd: number, _riData: number, _riDataLen: number, _riFlags: number, _roDataLen: number, _roFlags: number): number {
    return this.notASocket(fd);
  }

  private sock_send(fd: number, _siData: number, _siDataLen: number, _siFlags: number, _soDataLen: number): number {
    return this.notASocket(fd);
  }

  private sock_shutdown(fd: number, _how: number): number {
    return this.notASocket(fd);
  }
}

const DOT = encoder.encode('.');
const DOTDOT = encoder.encode('..');

/** How a throw out of `_start` ends the process. */
export function exitStatusOf(e: unknown): ExitStatus {
  if (e instanceof ProcExit) return { code: e.code };
  // A wasm trap, or the guest's own stack overflow (V8 reports it as a RangeError).
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    const where = (e.stack ?? '').split('\n').find((l) => l.includes('wasm-function') || l.includes('wasm://'));
    return {
      code: TRAP_EXIT_CODE,
      reason: 'trap',
      message: `wasm trap: ${e.message}${where ? ` (${where.trim()})` : ''}`,
    };
  }
  if (e instanceof Errno) return { code: 125, reason: 'error', message: `WASI host error: errno ${e.errno}` };
  return { code: 125, reason: 'error', message: `WASI host error: ${e instanceof Error ? e.message : String(e)}` };
}

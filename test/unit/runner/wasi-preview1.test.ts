// The WASI preview1 host without a compiler: struct layouts written into guest memory
// (filestat, fdstat, prestat, dirent, event), errno mapping, rights, fd numbering, poll and
// the *_NOW time flags, by calling the imports directly; and start() on tiny hand-assembled
// modules for proc_exit, traps and non-commands.

import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import type { SyncInput, WasiProcessOptions } from '../../../src/runner/types.js';
import { FdTable, WasiPreview1, runWasiInline, wasiAbi } from '../../../src/runner/wasi/index.js';
import { type FsBackend, Namespace, emptyRoot, forkContainerFs } from '../../../src/vfs/index.js';
import { mergeSpecs } from '../../helpers/layers.js';

const { E, FILETYPE, RIGHTS } = wasiAbi;
const enc = new TextEncoder();
const dec = new TextDecoder();

type Call = (...args: (number | bigint)[]) => number;

interface Harness {
  wasi: WasiPreview1;
  call: Record<string, Call>;
  mem: WebAssembly.Memory;
  dv: () => DataView;
  u8: () => Uint8Array;
  /** Writes a string at `ptr`, returns [ptr, length]. */
  str: (ptr: number, s: string) => [number, number];
  out: string[];
  fs: Namespace;
}

function harness(options: Partial<WasiProcessOptions> = {}): Harness {
  const fs = options.fs ?? forkContainerFs(mergeSpecs([{ 'etc/hosts': 'localhost', 'data/file': '0123456789' }])).fs;
  const out: string[] = [];
  const wasi = new WasiPreview1({
    args: ['prog'],
    env: [],
    fs,
    cwd: '/',
    stdin: { read: () => null, ready: () => true },
    stdout: { write: (d) => void out.push(dec.decode(d)) },
    stderr: { write: (d) => void out.push(`err:${dec.decode(d)}`) },
    ...options,
  });
  const mem = new WebAssembly.Memory({ initial: 1 });
  wasi.bindMemory(mem);
  return {
    wasi,
    call: wasi.imports.wasi_snapshot_preview1 as unknown as Record<string, Call>,
    mem,
    dv: () => new DataView(mem.buffer),
    u8: () => new Uint8Array(mem.buffer),
    str: (ptr, s) => {
      const b = enc.encode(s);
      new Uint8Array(mem.buffer).set(b, ptr);
      return [ptr, b.length];
    },
    out,
    fs,
  };
}

/** path_open relative to fd 3 with wasi-libc's rights for O_RDONLY / O_RDWR; returns [errno, fd]. */
function open(h: Harness, path: string, o: { oflags?: number; write?: boolean; fdflags?: number; follow?: boolean } = {}): [number, number] {
  const [p, n] = h.str(2000, path);
  const base = BigInt(wasiAbi.RIGHTS_ALL & ~(o.write ? 0 : RIGHTS.FD_WRITE | RIGHTS.FD_ALLOCATE | RIGHTS.FD_FILESTAT_SET_SIZE));
  const r = h.call.path_open!(3, o.follow === false ? 0 : 1, p, n, o.oflags ?? 0, base, BigInt(wasiAbi.RIGHTS_ALL), o.fdflags ?? 0, 1900);
  return [r, h.dv().getUint32(1900, true)];
}

describe('struct layouts', () => {
  it('filestat is 64 bytes: dev, ino, filetype at 16, nlink, size, atim, mtim, ctim', () => {
    const h = harness();
    h.fs.utimes('/data/file', 1_000_500, 2_000_250);
    const [p, n] = h.str(100, 'data/file');
    h.u8().fill(0xee, 200, 280);
    expect(h.call.path_filestat_get!(3, 1, p, n, 200)).toBe(E.SUCCESS);
    const dv = h.dv();
    const st = h.fs.stat('/data/file');
    expect(dv.getBigUint64(200, true)).toBe(BigInt(st.dev));
    expect(dv.getBigUint64(208, true)).toBe(BigInt(st.ino));
    expect(dv.getUint8(216)).toBe(FILETYPE.REGULAR_FILE);
    expect([...h.u8().subarray(217, 224)]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(dv.getBigUint64(224, true)).toBe(1n);
    expect(dv.getBigUint64(232, true)).toBe(10n);
    expect(dv.getBigUint64(240, true)).toBe(1_000_500_000_000n);
    expect(dv.getBigUint64(248, true)).toBe(2_000_250_000_000n);
    expect(dv.getBigUint64(256, true)).toBeGreaterThan(1_600_000_000_000_000_000n);
    expect(dv.getUint8(264)).toBe(0xee); // nothing written past 64 bytes
  });

  it('fdstat is 24 bytes: filetype, flags u16 at 2, rights at 8 and 16', () => {
    const h = harness();
    h.u8().fill(0xee, 300, 330);
    expect(h.call.fd_fdstat_get!(3, 300)).toBe(E.SUCCESS);
    const dv = h.dv();
    expect(dv.getUint8(300)).toBe(FILETYPE.DIRECTORY);
    expect(dv.getUint8(301)).toBe(0);
    expect(dv.getUint16(302, true)).toBe(0);
    expect(dv.getBigUint64(308, true) & BigInt(RIGHTS.PATH_OPEN)).toBeTruthy();
    expect(dv.getBigUint64(316, true)).toBe(BigInt(wasiAbi.RIGHTS_ALL));
    expect(dv.getUint8(324)).toBe(0xee);
    const [, fd] = open(h, 'data/file', { fdflags: wasiAbi.FDFLAGS.APPEND, write: true });
    expect(h.call.fd_fdstat_get!(fd, 300)).toBe(E.SUCCESS);
    expect(dv.getUint8(300)).toBe(FILETYPE.REGULAR_FILE);
    expect(dv.getUint16(302, true)).toBe(wasiAbi.FDFLAGS.APPEND);
    // stdio that is not a terminal: no SEEK/TELL rights and not a character device, so isatty() is false.
    expect(h.call.fd_fdstat_get!(1, 300)).toBe(E.SUCCESS);
    expect(dv.getUint8(300)).toBe(FILETYPE.UNKNOWN);
    expect(Number(dv.getBigUint64(308, true)) & (RIGHTS.FD_SEEK | RIGHTS.FD_TELL)).toBe(0);
  });

  it('a tty on stdout is a character device', () => {
    const h = harness({ stdout: { write: () => {}, isTTY: true } });
    h.call.fd_fdstat_get!(1, 300);
    expect(h.dv().getUint8(300)).toBe(FILETYPE.CHARACTER_DEVICE);
  });

  it('prestat: fd 3 is the preopened "/", fd 4 is EBADF (ends wasi-libc\'s scan)', () => {
    const h = harness();
    expect(h.call.fd_prestat_get!(3, 400)).toBe(E.SUCCESS);
    expect(h.dv().getUint8(400)).toBe(0);
    expect(h.dv().getUint32(404, true)).toBe(1);
    expect(h.call.fd_prestat_dir_name!(3, 410, 1)).toBe(E.SUCCESS);
    expect(dec.decode(h.u8().subarray(410, 411))).toBe('/');
    expect(h.call.fd_prestat_dir_name!(3, 410, 0)).toBe(E.NAMETOOLONG);
    expect(h.call.fd_prestat_get!(4, 400)).toBe(E.BADF);
    expect(h.call.fd_prestat_get!(1, 400)).toBe(E.BADF);
  });
});

describe('fd_readdir', () => {
  function entries(h: Harness, fd: number, bufLen: number, cookie = 0n): { names: string[]; nexts: bigint[]; used: number } {
    expect(h.call.fd_readdir!(fd, 1000, bufLen, cookie, 900)).toBe(E.SUCCESS);
    const used = h.dv().getUint32(900, true);
    const names: string[] = [];
    const nexts: bigint[] = [];
    let at = 1000;
    while (at + 24 <= 1000 + used) {
      const dv = h.dv();
      const len = dv.getUint32(at + 16, true);
      if (at + 24 + len > 1000 + used) break;
      nexts.push(dv.getBigUint64(at, true));
      names.push(dec.decode(h.u8().subarray(at + 24, at + 24 + len)));
      at += 24 + len;
    }
    return { names, nexts, used };
  }

  it('lists . and .. first, cookies are indexes, d_next points to the next entry', () => {
    const h = harness();
    for (const n of ['a', 'bb', 'ccc']) h.fs.writeFile(`/data/${n}`, n);
    const [r, fd] = open(h, 'data', { oflags: wasiAbi.OFLAGS.DIRECTORY });
    expect(r).toBe(E.SUCCESS);
    const all = entries(h, fd, 4096);
    expect(all.names).toEqual(['.', '..', 'file', 'a', 'bb', 'ccc']);
    expect(all.nexts).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(all.used).toBeLessThan(4096);
    const dv = h.dv();
    expect(dv.getUint8(1000 + 20)).toBe(FILETYPE.DIRECTORY);
    expect(dv.getBigUint64(1000 + 8, true)).toBe(BigInt(h.fs.stat('/data').ino));
    expect(entries(h, fd, 4096, 4n).names).toEqual(['bb', 'ccc']);
    expect(dv.getUint8(1000 + 20)).toBe(FILETYPE.REGULAR_FILE);
    expect(entries(h, fd, 4096, 6n)).toEqual({ names: [], nexts: [], used: 0 });
  });

  it('a last entry that does not fit is written partially and bufused == buf_len', () => {
    const h = harness();
    const [, fd] = open(h, 'data', { oflags: wasiAbi.OFLAGS.DIRECTORY });
    // '.' takes 25 bytes, '..' 26: a 30-byte buffer holds '.' and 5 bytes of '..'.
    h.u8().fill(0xee, 1000, 1100);
    expect(h.call.fd_readdir!(fd, 1000, 30, 0n, 900)).toBe(E.SUCCESS);
    expect(h.dv().getUint32(900, true)).toBe(30);
    expect(h.dv().getBigUint64(1025, true) & 0xffn).toBe(2n); // first byte of d_next of '..'
    expect(h.u8()[1030]).toBe(0xee);
  });

  it('on a file is ENOTDIR, on a closed fd EBADF', () => {
    const h = harness();
    const [, fd] = open(h, 'data/file');
    expect(h.call.fd_readdir!(fd, 1000, 100, 0n, 900)).toBe(E.NOTDIR);
    expect(h.call.fd_readdir!(99, 1000, 100, 0n, 900)).toBe(E.BADF);
  });
});

describe('errno mapping: the guest can never make the host throw', () => {
  it('a vfs error becomes its errno, a host bug EIO, a bad pointer EFAULT', () => {
    const broken = {
      dev: 99,
      root: () => 'root',
      lookup: () => {
        throw new TypeError('host bug');
      },
      kind: () => 'dir',
    } as unknown as FsBackend<unknown>;
    const h = harness({ fs: new Namespace(broken) });
    const [p, n] = h.str(100, 'x');
    expect(h.call.path_filestat_get!(3, 1, p, n, 200)).toBe(E.IO);
    const ok = harness();
    const [q, m] = ok.str(100, 'missing');
    expect(ok.call.path_filestat_get!(3, 1, q, m, 200)).toBe(E.NOENT);
    expect(ok.call.path_filestat_get!(3, 1, q, m + 100_000, 200)).toBe(E.FAULT);
    expect(ok.call.fd_fdstat_get!(3, 70_000)).toBe(E.FAULT);
    expect(ok.call.args_get!(65_534, 65_534)).toBe(E.FAULT);
  });

  it('a stdout sink that throws EPIPE gives EPIPE to the guest', () => {
    const h = harness({
      stdout: {
        write: () => {
          throw new WasmboxError('EPIPE', 'reader went away');
        },
      },
    });
    const [p, n] = h.str(100, 'hello');
    h.dv().setUint32(200, p, true);
    h.dv().setUint32(204, n, true);
    expect(h.call.fd_write!(1, 200, 1, 300)).toBe(E.PIPE);
  });

  it('invalid UTF-8 in a path is EILSEQ', () => {
    const h = harness();
    h.u8().set([0x61, 0xff, 0x62], 100);
    expect(h.call.path_filestat_get!(3, 1, 100, 3, 200)).toBe(E.ILSEQ);
  });

  it('sockets, proc_raise and sched_yield answer without crashing', () => {
    const h = harness();
    expect(h.call.sock_accept!(3, 0, 100)).toBe(E.NOTSOCK);
    expect(h.call.sock_recv!(0, 100, 1, 0, 200, 204)).toBe(E.NOTSOCK);
    expect(h.call.sock_send!(1, 100, 1, 0, 200)).toBe(E.NOTSOCK);
    expect(h.call.sock_shutdown!(42, 0)).toBe(E.BADF);
    expect(h.call.proc_raise!(15)).toBe(E.NOSYS);
    expect(h.call.sched_yield!()).toBe(E.SUCCESS);
  });

  it('guest paths cannot leave the container root', () => {
    const h = harness();
    for (const path of ['../../../etc/hosts', '/etc/hosts', 'data/../../../../etc/hosts']) {
      const [p, n] = h.str(100, path);
      expect(h.call.path_filestat_get!(3, 1, p, n, 200)).toBe(E.SUCCESS);
      expect(h.dv().getBigUint64(232, true)).toBe(9n); // 'localhost' inside the container
    }
  });
});

describe('fds and rights', () => {
  it('lowest free fd first, EBADF after close, fd_renumber moves an fd', () => {
    const h = harness();
    const a = open(h, 'data/file')[1];
    const b = open(h, 'data/file')[1];
    expect([a, b]).toEqual([4, 5]);
    expect(h.call.fd_close!(a)).toBe(E.SUCCESS);
    expect(h.call.fd_close!(a)).toBe(E.BADF);
    expect(open(h, 'etc/hosts')[1]).toBe(4);
    expect(h.call.fd_renumber!(4, 5)).toBe(E.SUCCESS);
    expect(h.call.fd_fdstat_get!(4, 300)).toBe(E.BADF);
    h.dv().setUint32(200, 600, true);
    h.dv().setUint32(204, 20, true);
    expect(h.call.fd_read!(5, 200, 1, 300)).toBe(E.SUCCESS);
    expect(dec.decode(h.u8().subarray(600, 600 + h.dv().getUint32(300, true)))).toBe('localhost');
    expect(h.call.fd_renumber!(5, 77)).toBe(E.BADF);
  });

  it('FdTable: EMFILE past the limit, reuse after remove', () => {
    const t = new FdTable(3);
    const e = { type: 1, output: { write() {} }, rightsBase: 0, rightsInheriting: 0, fdflags: 0 } as const;
    expect([t.insert(e), t.insert(e), t.insert(e)]).toEqual([0, 1, 2]);
    expect(t.full()).toBe(true);
    expect(() => t.insert(e)).toThrow();
    t.remove(1);
    expect(t.full()).toBe(false);
    expect(t.insert(e)).toBe(1);
  });

  it('fd_fdstat_set_rights only narrows, and a narrowed fd loses the right', () => {
    const h = harness();
    const [, fd] = open(h, 'data/file', { write: true });
    const narrow = BigInt(RIGHTS.FD_READ | RIGHTS.FD_SEEK);
    expect(h.call.fd_fdstat_set_rights!(fd, narrow, 0n)).toBe(E.SUCCESS);
    expect(h.call.fd_fdstat_set_rights!(fd, BigInt(RIGHTS.FD_READ | RIGHTS.FD_WRITE), 0n)).toBe(E.NOTCAPABLE);
    h.dv().setUint32(200, 600, true);
    h.dv().setUint32(204, 1, true);
    expect(h.call.fd_write!(fd, 200, 1, 300)).toBe(E.BADF);
    expect(h.call.fd_tell!(fd, 300)).toBe(E.SUCCESS);
  });

  it('path_open checks: rights beyond the directory, O_DIRECTORY on a file, EEXIST, ELOOP', () => {
    const h = harness();
    const [p, n] = h.str(100, 'data/file');
    expect(h.call.fd_fdstat_set_rights!(3, BigInt(wasiAbi.RIGHTS_DIR), BigInt(RIGHTS.FD_READ))).toBe(E.SUCCESS);
    expect(h.call.path_open!(3, 1, p, n, 0, BigInt(RIGHTS.FD_WRITE), 0n, 0, 900)).toBe(E.NOTCAPABLE);
    const h2 = harness();
    h2.fs.symlink('file', '/data/link');
    expect(open(h2, 'data/file', { oflags: wasiAbi.OFLAGS.DIRECTORY })[0]).toBe(E.NOTDIR);
    expect(open(h2, 'data/file', { oflags: wasiAbi.OFLAGS.CREAT | wasiAbi.OFLAGS.EXCL })[0]).toBe(E.EXIST);
    expect(open(h2, 'data/link', { follow: false })[0]).toBe(E.LOOP);
    expect(open(h2, 'data/link')[0]).toBe(E.SUCCESS);
    expect(open(h2, '')[0]).toBe(E.NOENT);
    expect(open(h2, 'data', { write: true })[0]).toBe(E.ISDIR);
  });

  it('seek on stdio is ESPIPE; whence and negative offsets are EINVAL', () => {
    const h = harness();
    expect(h.call.fd_seek!(0, 0n, 0, 100)).toBe(E.SPIPE);
    expect(h.call.fd_seek!(2, 0n, 1, 100)).toBe(E.SPIPE);
    expect(h.call.fd_tell!(1, 100)).toBe(E.SPIPE);
    expect(h.call.fd_pread!(0, 200, 0, 0n, 100)).toBe(E.SPIPE);
    const [, fd] = open(h, 'data/file');
    expect(h.call.fd_seek!(fd, -2n, 2, 100)).toBe(E.SUCCESS);
    expect(h.dv().getBigUint64(100, true)).toBe(8n);
    expect(h.call.fd_seek!(fd, -20n, 1, 100)).toBe(E.INVAL);
    expect(h.call.fd_seek!(fd, 0n, 7, 100)).toBe(E.INVAL);
  });

  it('O_APPEND writes land at the end without reading the file; reads of a lower file are unchanged by a fork', () => {
    const lower = mergeSpecs([{ log: 'abc' }]);
    const a = forkContainerFs(lower);
    const h = harness({ fs: a.fs });
    const [, fd] = open(h, 'log', { write: true, fdflags: wasiAbi.FDFLAGS.APPEND });
    const [p, n] = h.str(100, 'def');
    h.dv().setUint32(200, p, true);
    h.dv().setUint32(204, n, true);
    for (let i = 0; i < 3; i++) expect(h.call.fd_write!(fd, 200, 1, 300)).toBe(E.SUCCESS);
    expect(dec.decode(a.fs.readFile('/log'))).toBe('abcdefdefdef');
    expect(dec.decode(forkContainerFs(lower).fs.readFile('/log'))).toBe('abc');
  });

  it('futimens on a read-only fd of an image file copies up instead of changing the layer', () => {
    const lower = mergeSpecs([{ f: 'x' }]);
    const h = harness({ fs: forkContainerFs(lower).fs });
    const [, fd] = open(h, 'f');
    expect(h.call.fd_filestat_set_times!(fd, 5_000_000_000n, 6_000_000_000n, 5)).toBe(E.SUCCESS);
    expect(h.fs.stat('/f').mtimeMs).toBe(6000);
    expect(forkContainerFs(lower).fs.stat('/f').mtimeMs).not.toBe(6000);
  });
});

describe('times, clocks, poll', () => {
  const clock = { realtimeNs: () => 1_700_000_000_123_000_000n, monotonicNs: () => BigInt(Math.round(performance.now() * 1e6)) };

  it('ATIM_NOW / MTIM_NOW use the realtime clock; ATIM with ATIM_NOW is EINVAL', () => {
    const h = harness({ clock });
    const [p, n] = h.str(100, 'data/file');
    const F = wasiAbi.FSTFLAGS;
    expect(h.call.path_filestat_set_times!(3, 1, p, n, 0n, 0n, F.ATIM_NOW | F.MTIM_NOW)).toBe(E.SUCCESS);
    expect(h.fs.stat('/data/file').mtimeMs).toBe(1_700_000_000_123);
    expect(h.fs.stat('/data/file').atimeMs).toBe(1_700_000_000_123);
    expect(h.call.path_filestat_set_times!(3, 1, p, n, 5_000_000n, 0n, F.ATIM)).toBe(E.SUCCESS);
    expect(h.fs.stat('/data/file').atimeMs).toBe(5);
    expect(h.fs.stat('/data/file').mtimeMs).toBe(1_700_000_000_123);
    expect(h.call.path_filestat_set_times!(3, 1, p, n, 0n, 0n, F.ATIM | F.ATIM_NOW)).toBe(E.INVAL);
    expect(h.call.path_filestat_set_times!(3, 1, p, n, 0n, 0n, F.MTIM | F.MTIM_NOW)).toBe(E.INVAL);
  });

  it('clock_time_get and clock_res_get; unknown clocks are EINVAL', () => {
    const h = harness({ clock });
    expect(h.call.clock_time_get!(0, 1n, 100)).toBe(E.SUCCESS);
    expect(h.dv().getBigUint64(100, true)).toBe(1_700_000_000_123_000_000n);
    expect(h.call.clock_time_get!(1, 1n, 100)).toBe(E.SUCCESS);
    const a = h.dv().getBigUint64(100, true);
    expect(h.call.clock_time_get!(2, 1n, 100)).toBe(E.SUCCESS);
    expect(h.dv().getBigUint64(100, true)).toBeGreaterThanOrEqual(a);
    expect(h.call.clock_res_get!(1, 100)).toBe(E.SUCCESS);
    expect(h.dv().getBigUint64(100, true)).toBeGreaterThan(0n);
    expect(h.call.clock_time_get!(9, 1n, 100)).toBe(E.INVAL);
    expect(h.call.clock_res_get!(9, 100)).toBe(E.INVAL);
  });

  /** Writes subscriptions at 1000 (48 bytes each); returns the events read back from 2000. */
  function poll(h: Harness, subs: ({ clock: bigint; abs?: boolean; id?: number } | { read: number } | { write: number })[]) {
    const dv = h.dv();
    h.u8().fill(0, 1000, 1000 + subs.length * 48);
    subs.forEach((s, i) => {
      const at = 1000 + i * 48;
      dv.setBigUint64(at, BigInt(100 + i), true);
      if ('clock' in s) {
        dv.setUint8(at + 8, 0);
        dv.setUint32(at + 16, s.id ?? 1, true);
        dv.setBigUint64(at + 24, s.clock, true);
        dv.setUint16(at + 40, s.abs ? 1 : 0, true);
      } else if ('read' in s) {
        dv.setUint8(at + 8, 1);
        dv.setUint32(at + 16, s.read, true);
      } else {
        dv.setUint8(at + 8, 2);
        dv.setUint32(at + 16, s.write, true);
      }
    });
    const t0 = performance.now();
    const r = h.call.poll_oneoff!(1000, 2000, subs.length, 900);
    const ms = performance.now() - t0;
    const n = h.dv().getUint32(900, true);
    const events = Array.from({ length: r === 0 ? n : 0 }, (_, i) => ({
      userdata: Number(h.dv().getBigUint64(2000 + i * 32, true)),
      error: h.dv().getUint16(2000 + i * 32 + 8, true),
      type: h.dv().getUint8(2000 + i * 32 + 10),
      nbytes: Number(h.dv().getBigUint64(2000 + i * 32 + 16, true)),
    }));
    return { r, events, ms };
  }

  it('a relative clock sleeps; an absolute one in the past fires at once; no subscriptions is EINVAL', () => {
    const h = harness();
    const slept = poll(h, [{ clock: 30_000_000n }]);
    expect(slept.r).toBe(E.SUCCESS);
    expect(slept.events).toEqual([{ userdata: 100, error: 0, type: 0, nbytes: 0 }]);
    expect(slept.ms).toBeGreaterThanOrEqual(29);
    const past = poll(h, [{ clock: 1n, abs: true }]);
    expect(past.events.length).toBe(1);
    expect(past.ms).toBeLessThan(20);
    const realAbs = poll(h, [{ clock: 0n, abs: true, id: 0 }]);
    expect(realAbs.events.length).toBe(1);
    expect(h.call.poll_oneoff!(1000, 2000, 0, 900)).toBe(E.INVAL);
  });

  it('several subscriptions: ready fds win over a later clock, a bad fd is an event with EBADF', () => {
    const h = harness({ stdin: { read: () => null, ready: () => true } });
    const [, fd] = open(h, 'data/file');
    const r = poll(h, [{ clock: 5_000_000_000n }, { read: 0 }, { write: 1 }, { read: fd }, { read: 42 }]);
    expect(r.r).toBe(E.SUCCESS);
    expect(r.ms).toBeLessThan(1000);
    expect(r.events).toEqual([
      { userdata: 101, error: 0, type: 1, nbytes: 1 },
      { userdata: 102, error: 0, type: 2, nbytes: 0 },
      { userdata: 103, error: 0, type: 1, nbytes: 10 },
      { userdata: 104, error: E.BADF, type: 1, nbytes: 0 },
    ]);
  });

  it('stdin that is not ready waits for the clock', () => {
    let ready = false;
    const stdin: SyncInput = { read: () => null, ready: () => ready };
    const h = harness({ stdin });
    const r = poll(h, [{ read: 0 }, { clock: 20_000_000n }]);
    expect(r.events.map((e) => e.userdata)).toEqual([101]);
    expect(r.ms).toBeGreaterThanOrEqual(19);
    ready = true;
    expect(poll(h, [{ read: 0 }, { clock: 20_000_000n }]).events.map((e) => e.userdata)).toEqual([100]);
  });

  it('non-blocking stdin that is not ready is EAGAIN', () => {
    const h = harness({ stdin: { read: () => new Uint8Array(1), ready: () => false } });
    expect(h.call.fd_fdstat_set_flags!(0, wasiAbi.FDFLAGS.NONBLOCK)).toBe(E.SUCCESS);
    h.dv().setUint32(200, 600, true);
    h.dv().setUint32(204, 10, true);
    expect(h.call.fd_read!(0, 200, 1, 300)).toBe(E.AGAIN);
  });
});

describe('args, env, output limits', () => {
  it('non-ASCII args and env are UTF-8 with exact sizes', () => {
    const h = harness({ args: ['prog', 'héllo', '🌍'], env: ['K=grüße'] });
    expect(h.call.args_sizes_get!(100, 104)).toBe(E.SUCCESS);
    expect([h.dv().getUint32(100, true), h.dv().getUint32(104, true)]).toEqual([3, 5 + 7 + 5]);
    expect(h.call.args_get!(200, 300)).toBe(E.SUCCESS);
    const second = h.dv().getUint32(204, true);
    expect(dec.decode(h.u8().subarray(second, second + 6))).toBe('héllo');
    expect(h.u8()[second + 6]).toBe(0);
    expect(h.call.environ_sizes_get!(100, 104)).toBe(E.SUCCESS);
    expect([h.dv().getUint32(100, true), h.dv().getUint32(104, true)]).toEqual([1, 10]);
  });

  it('cwd other than / adds PWD unless the env has one', () => {
    const count = (o: Partial<WasiProcessOptions>) => {
      const h = harness(o);
      h.call.environ_sizes_get!(100, 104);
      h.call.environ_get!(200, 300);
      return dec.decode(h.u8().subarray(300, 300 + h.dv().getUint32(104, true))).split('\0').filter(Boolean);
    };
    expect(count({ cwd: '/app', env: ['A=1'] })).toEqual(['A=1', 'PWD=/app']);
    expect(count({ cwd: '/app', env: ['PWD=/else'] })).toEqual(['PWD=/else']);
    expect(count({ cwd: '/', env: [] })).toEqual([]);
  });

  it('limits.maxOutputBytes: past it writes fail with EFBIG', () => {
    const h = harness({ limits: { maxOutputBytes: 8 } });
    const [p, n] = h.str(100, 'hello');
    h.dv().setUint32(200, p, true);
    h.dv().setUint32(204, n, true);
    expect(h.call.fd_write!(1, 200, 1, 300)).toBe(E.SUCCESS);
    expect(h.call.fd_write!(2, 200, 1, 300)).toBe(E.FBIG);
    expect(h.out).toEqual(['hello']);
  });

  it('several iovecs reach the sink as one write', () => {
    const h = harness();
    h.str(100, 'ab');
    h.str(110, 'cd');
    const dv = h.dv();
    dv.setUint32(200, 100, true);
    dv.setUint32(204, 2, true);
    dv.setUint32(208, 110, true);
    dv.setUint32(212, 0, true);
    dv.setUint32(216, 110, true);
    dv.setUint32(220, 2, true);
    expect(h.call.fd_write!(1, 200, 3, 300)).toBe(E.SUCCESS);
    expect(dv.getUint32(300, true)).toBe(4);
    expect(h.out).toEqual(['abcd']);
  });
});

// ---- start() on hand-assembled modules ----

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function name(s: string): number[] {
  return [...leb(s.length), ...enc.encode(s)];
}

/**
 * A command module importing fd_write and proc_exit; `_start` runs `body` (raw instructions).
 * Memory holds an iovec at 0 pointing to `text` at 16.
 */
function command(body: number[], options: { text?: string; exports?: boolean } = {}): WebAssembly.Module {
  const I32 = 0x7f;
  const types = [0x03, 0x60, 1, I32, 0, 0x60, 4, I32, I32, I32, I32, 1, I32, 0x60, 0, 0];
  const imports = [0x02, ...name('wasi_snapshot_preview1'), ...name('proc_exit'), 0x00, 0, ...name('wasi_snapshot_preview1'), ...name('fd_write'), 0x00, 1];
  const text = enc.encode(options.text ?? 'hi\n');
  const data = [1, 0, 0x41, 0, 0x0b, ...leb(16 + text.length), ...[16, 0, 0, 0, text.length, 0, 0, 0], ...new Array<number>(8).fill(0), ...text];
  const code = [0, ...body, 0x0b];
  const exportsSection = options.exports === false ? [1, ...name('memory'), 0x02, 0] : [2, ...name('memory'), 0x02, 0, ...name('_start'), 0x00, 2];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [1, 2]),
    ...section(5, [1, 0, 1]),
    ...section(7, exportsSection),
    ...section(10, [1, ...leb(code.length), ...code]),
    ...section(11, data),
  ];
  return new WebAssembly.Module(new Uint8Array(bytes));
}

const CALL_FD_WRITE = [0x41, ...sleb(1), 0x41, 0, 0x41, 1, 0x41, ...sleb(200), 0x10, 1, 0x1a];
const procExit = (code: number) => [0x41, ...sleb(code), 0x10, 0];

describe('start()', () => {
  function runModule(mod: WebAssembly.Module) {
    const out: string[] = [];
    const { fs } = forkContainerFs(emptyRoot());
    const status = runWasiInline(mod, {
      args: ['m'],
      env: [],
      fs,
      cwd: '/',
      stdin: { read: () => null, ready: () => true },
      stdout: { write: (d) => void out.push(dec.decode(d)) },
      stderr: { write: () => {} },
    });
    return { status, out };
  }

  it('returning from _start is exit 0', () => {
    expect(runModule(command(CALL_FD_WRITE))).toEqual({ status: { code: 0 }, out: ['hi\n'] });
  });

  it('proc_exit(n) unwinds the guest with status n', () => {
    const r = runModule(command([...CALL_FD_WRITE, ...procExit(42), ...CALL_FD_WRITE]));
    expect(r).toEqual({ status: { code: 42 }, out: ['hi\n'] });
  });

  it('a trap is status 134 with reason trap and the trap text', () => {
    const r = runModule(command([...CALL_FD_WRITE, 0x00]));
    expect(r.out).toEqual(['hi\n']);
    expect(r.status.code).toBe(134);
    expect(r.status.reason).toBe('trap');
    expect(r.status.message).toMatch(/unreachable/);
  });

  it('a module without _start cannot execute (126)', () => {
    const r = runModule(command([], { exports: false }));
    expect(r.status.code).toBe(126);
    expect(r.status.message).toMatch(/_start/);
  });

  it('a module importing an unknown function cannot execute (126)', () => {
    const bytes = [
      0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      ...section(1, [1, 0x60, 0, 0]),
      ...section(2, [1, ...name('wasi_snapshot_preview1'), ...name('no_such_call'), 0x00, 0]),
    ];
    const r = runModule(new WebAssembly.Module(new Uint8Array(bytes)));
    expect(r.status.code).toBe(126);
    expect(r.status.message).toMatch(/no_such_call|import/);
  });
});

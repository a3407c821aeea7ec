// The union file system suite: one list of scenarios, each run on a backend under test and on
// the reference (node:fs on a real directory unpacked from the same layers). Every call's
// result or error code is recorded; the backend's record must equal the kernel's. Explicit
// expectations in a scenario are checked on the reference run, so the suite's own claims are
// checked against the kernel too.
//
// Backends: the copy-on-write TreeFs forked from three merged layers, a HostDirBackend as the
// root, a HostDirBackend bind-mounted at /vol of a union root, and the reference itself.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WasmboxError } from '../../src/errors.js';
import { HostDirBackend } from '../../src/platform/node/host-dir-backend.js';
import { Namespace, TreeFs, forkContainerFs } from '../../src/vfs/index.js';
import type { DirEntry, FileHandle, Stat } from '../../src/vfs/index.js';
import { type LayerSpec, materializeLayers, mergeSpecs } from '../helpers/layers.js';
import { NodeRefFs, type VfsApi } from '../helpers/node-ref-fs.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The image every scenario starts from: three layers with whiteouts, an opaque dir and symlinks (all relative: see below). */
const SEED: LayerSpec[] = [
  {
    'etc/hosts': 'localhost',
    'etc/passwd': 'root:x:0:0',
    'bin/sh': 'SH',
    'usr/lib/a': 'A',
    'usr/lib/b': 'B',
    'usr/share/doc/readme': 'README',
    'data/keep': 'keep',
    'data/old': 'old',
    'lnk/rel': { symlink: '../etc/hosts' },
    'lnk/dir': { symlink: '../usr/lib' },
    empty: 'dir',
  },
  {
    'data/old': 'whiteout',
    'usr/share': 'opaque-dir',
    'usr/share/new': 'NEW',
    'etc/hosts': 'localhost2',
    'lnk/dangling': { symlink: '../nowhere/f' },
    'lnk/loop': { symlink: 'loop' },
    emptylower: 'dir',
  },
  { 'usr/lib/b': 'whiteout', 'opt/app/bin': 'BIN', 'lowerdir/x': 'X' },
];

interface Fixture {
  fs: VfsApi;
  cleanup(): void;
}

type Factory = () => Fixture;

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function reference(): Fixture {
  const ref = NodeRefFs.temp('wasmbox-vfs-ref-');
  materializeLayers(ref.root, SEED);
  return { fs: ref, cleanup: () => ref.cleanup() };
}

function union(): Fixture {
  return { fs: forkContainerFs(mergeSpecs(SEED)).fs, cleanup: () => {} };
}

function hostRoot(): Fixture {
  const dir = tempDir('wasmbox-vfs-host-');
  materializeLayers(dir, SEED);
  return { fs: new Namespace(new HostDirBackend(dir)), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A bind mount at /vol of a union root; the scenario's paths are moved under /vol. */
function hostBindMount(): Fixture {
  const dir = tempDir('wasmbox-vfs-bind-');
  materializeLayers(dir, SEED);
  const ns = forkContainerFs(mergeSpecs([{ 'etc/hosts': 'container', vol: 'dir' }])).fs;
  ns.mount('/vol', new HostDirBackend(dir));
  return { fs: prefixed(ns, '/vol'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function prefixed(ns: Namespace, prefix: string): VfsApi {
  const p = (path: string): string => prefix + path;
  return {
    open: (path, o) => ns.open(p(path), o),
    stat: (path) => ns.stat(p(path)),
    lstat: (path) => ns.lstat(p(path)),
    readdir: (path) => ns.readdir(p(path)),
    readlink: (path) => ns.readlink(p(path)),
    mkdir: (path, o) => ns.mkdir(p(path), o),
    rmdir: (path) => ns.rmdir(p(path)),
    unlink: (path) => ns.unlink(p(path)),
    rename: (a, b) => ns.rename(p(a), p(b)),
    symlink: (target, path) => ns.symlink(target, p(path)),
    link: (a, b) => ns.link(p(a), p(b)),
    chmod: (path, mode) => ns.chmod(p(path), mode),
    utimes: (path, a, m, o) => ns.utimes(p(path), a, m, o),
    truncate: (path, size) => ns.truncate(p(path), size),
    readFile: (path) => ns.readFile(p(path)),
    writeFile: (path, data, o) => ns.writeFile(p(path), data, o),
  };
}

// ---- recording ----

/** What the suite compares: what a program can observe, minus what differs between file systems by design. */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return dec.decode(v);
  if (Array.isArray(v)) {
    if (v.every((e) => typeof e === 'object' && e !== null && 'name' in e && 'kind' in e)) {
      return (v as DirEntry[]).map((e) => `${e.name}:${e.kind}`).sort();
    }
    return v.map(norm);
  }
  if ('kind' in v && 'ino' in v && 'nlink' in v) {
    const s = v as Stat;
    // Directory sizes and link counts are file-system specific (4096 in the tree, varies on tmpfs/ext4).
    return s.kind === 'dir' ? { kind: s.kind, mode: s.mode } : s.kind === 'file' ? { kind: s.kind, size: s.size, mode: s.mode, nlink: s.nlink } : { kind: s.kind, size: s.size };
  }
  if ('read' in v && 'write' in v) return 'handle';
  return v;
}

class Probe {
  readonly log: [string, unknown][] = [];
  constructor(
    readonly fs: VfsApi,
    /** Assert the scenario's explicit expectations (on the reference run). */
    readonly strict: boolean,
  ) {}

  /** Runs `fn`, records its (normalized) result or error code, and returns the raw result. */
  rec<T>(label: string, fn: (fs: VfsApi) => T, expected?: unknown): T | undefined {
    let out: unknown;
    let value: T | undefined;
    try {
      value = fn(this.fs);
      out = norm(value);
    } catch (e) {
      out = e instanceof WasmboxError ? e.code : `threw ${String(e)}`;
    }
    this.log.push([label, out]);
    if (this.strict && expected !== undefined) expect(out, label).toEqual(expected);
    return value;
  }

  /** Records whether two paths name the same inode (inode numbers themselves differ between file systems). */
  sameIno(label: string, a: string, b: string, expected: boolean): void {
    this.rec(label, (fs) => fs.lstat(a).ino === fs.lstat(b).ino, expected);
  }

  read(label: string, f: FileHandle | undefined, length: number, position: number, expected?: string): void {
    this.rec(
      label,
      () => {
        const buf = new Uint8Array(length);
        const n = f!.read(buf, position);
        return Array.from(buf.subarray(0, n)).join(',');
      },
      expected,
    );
  }
}

interface Scenario {
  name: string;
  run(t: Probe): void;
}

const bytes = (s: string): string => Array.from(enc.encode(s)).join(',');

const SCENARIOS: Scenario[] = [
  {
    name: 'reads through merged layers: whiteouts hide, opaque directories hide what was below',
    run(t) {
      t.rec('read hosts', (fs) => fs.readFile('/etc/hosts'), 'localhost2');
      t.rec('whiteout', (fs) => fs.stat('/data/old'), 'ENOENT');
      t.rec('readdir data', (fs) => fs.readdir('/data'), ['keep:file']);
      t.rec('opaque', (fs) => fs.readdir('/usr/share'), ['new:file']);
      t.rec('whiteout in lib', (fs) => fs.readdir('/usr/lib'), ['a:file']);
      t.rec('root', (fs) => fs.readdir('/'), ['bin:dir', 'data:dir', 'empty:dir', 'emptylower:dir', 'etc:dir', 'lnk:dir', 'lowerdir:dir', 'opt:dir', 'usr:dir']);
      t.rec('symlinks', (fs) => fs.readdir('/lnk'), ['dangling:symlink', 'dir:symlink', 'loop:symlink', 'rel:symlink']);
      t.rec('stat file', (fs) => fs.stat('/opt/app/bin'), { kind: 'file', size: 3, mode: 0o644, nlink: 1 });
    },
  },
  {
    name: 'creates, overwrites and reads files',
    run(t) {
      t.rec('create', (fs) => fs.writeFile('/new', 'hello'));
      t.rec('read', (fs) => fs.readFile('/new'), 'hello');
      t.rec('overwrite shorter', (fs) => fs.writeFile('/new', 'hi'));
      t.rec('read again', (fs) => fs.readFile('/new'), 'hi');
      t.rec('stat', (fs) => fs.stat('/new'), { kind: 'file', size: 2, mode: 0o644, nlink: 1 });
      t.rec('overwrite lower', (fs) => fs.writeFile('/etc/passwd', 'nobody'));
      t.rec('read lower', (fs) => fs.readFile('/etc/passwd'), 'nobody');
      t.rec('create in lower dir', (fs) => fs.writeFile('/usr/lib/c', 'C'));
      t.rec('readdir', (fs) => fs.readdir('/usr/lib'), ['a:file', 'c:file']);
      t.rec('create with mode', (fs) => fs.writeFile('/secret', 'x', { mode: 0o600 }));
      t.rec('mode', (fs) => fs.stat('/secret').mode, 0o600);
    },
  },
  {
    name: 'appends to new and lower files',
    run(t) {
      const f = t.rec('open new', (fs) => fs.open('/log', { write: true, append: true, create: true }));
      t.rec('append 1', () => f!.append(enc.encode('ab')), 2);
      t.rec('append 2', () => f!.append(enc.encode('cd')), 4);
      f?.close();
      t.rec('read', (fs) => fs.readFile('/log'), 'abcd');
      const g = t.rec('open lower', (fs) => fs.open('/bin/sh', { write: true, append: true }));
      t.rec('append lower', () => g!.append(enc.encode('X')), 3);
      g?.close();
      t.rec('read lower', (fs) => fs.readFile('/bin/sh'), 'SHX');
    },
  },
  {
    name: 'positional writes leave holes of zeros; reads stop at the end',
    run(t) {
      const f = t.rec('create', (fs) => fs.open('/holes', { read: true, write: true, create: true }));
      t.rec('write at 5', () => f!.write(enc.encode('abc'), 5), 3);
      t.rec('size', () => f!.size(), 8);
      t.read('read all', f, 16, 0, `0,0,0,0,0,${bytes('abc')}`);
      t.rec('write at 1', () => f!.write(enc.encode('Z'), 1), 1);
      t.read('read tail', f, 10, 6, bytes('bc'));
      t.read('read past end', f, 4, 100, '');
      t.rec('fstat', () => f!.stat(), { kind: 'file', size: 8, mode: 0o644, nlink: 1 });
      f?.close();
      const g = t.rec('lower', (fs) => fs.open('/etc/passwd', { read: true, write: true }));
      t.rec('overwrite middle', () => g!.write(enc.encode('ROOT'), 0), 4);
      t.read('read lower', g, 20, 0, bytes('ROOT:x:0:0'));
      t.rec('write past end of lower', () => g!.write(enc.encode('!'), 12), 1);
      g?.close();
      t.rec('read back', (fs) => Array.from(fs.readFile('/etc/passwd')).join(','), `${bytes('ROOT:x:0:0')},0,0,${bytes('!')}`);
    },
  },
  {
    name: 'truncate shrinks and grows with zeros',
    run(t) {
      t.rec('shrink lower', (fs) => fs.truncate('/etc/passwd', 4));
      t.rec('read', (fs) => fs.readFile('/etc/passwd'), 'root');
      t.rec('grow', (fs) => fs.truncate('/etc/passwd', 6));
      t.rec('read grown', (fs) => Array.from(fs.readFile('/etc/passwd')).join(','), `${bytes('root')},0,0`);
      t.rec('truncate dir', (fs) => fs.truncate('/etc', 0), 'EISDIR');
      t.rec('truncate missing', (fs) => fs.truncate('/nope', 0), 'ENOENT');
      const f = t.rec('open', (fs) => fs.open('/t', { write: true, create: true }));
      t.rec('write', () => f!.write(enc.encode('123456'), 0));
      t.rec('ftruncate', () => f!.truncate(2));
      t.rec('size', () => f!.size(), 2);
      f?.close();
      t.rec('read new', (fs) => fs.readFile('/t'), '12');
    },
  },
  {
    name: 'O_EXCL, O_TRUNC and create on an existing file',
    run(t) {
      t.rec('excl on lower', (fs) => fs.open('/etc/hosts', { write: true, create: true, exclusive: true }), 'EEXIST');
      t.rec('excl on dir', (fs) => fs.open('/etc', { write: true, create: true, exclusive: true }), 'EEXIST');
      t.rec('excl through dangling symlink', (fs) => fs.open('/lnk/dangling', { write: true, create: true, exclusive: true }), 'EEXIST');
      t.rec('dangling still dangling', (fs) => fs.stat('/lnk/dangling'), 'ENOENT');
      t.rec('excl new', (fs) => fs.open('/x', { write: true, create: true, exclusive: true })?.close());
      t.rec('exists', (fs) => fs.stat('/x'), { kind: 'file', size: 0, mode: 0o644, nlink: 1 });
      t.rec('create keeps content', (fs) => fs.open('/etc/hosts', { write: true, create: true })?.close());
      t.rec('content kept', (fs) => fs.readFile('/etc/hosts'), 'localhost2');
      t.rec('trunc', (fs) => fs.open('/etc/hosts', { write: true, truncate: true })?.close());
      t.rec('truncated', (fs) => fs.stat('/etc/hosts'), { kind: 'file', size: 0, mode: 0o644, nlink: 1 });
      t.rec('create through dangling symlink in missing dir', (fs) => fs.writeFile('/lnk/dangling', 'x'), 'ENOENT');
      t.rec('mkdir target dir', (fs) => fs.mkdir('/nowhere'));
      t.rec('create through dangling symlink', (fs) => fs.writeFile('/lnk/dangling', 'x'));
      t.rec('target created', (fs) => fs.readFile('/nowhere/f'), 'x');
    },
  },
  {
    name: 'open errors: ENOENT, EISDIR, ENOTDIR for trailing slashes and file parents, ELOOP',
    run(t) {
      t.rec('missing', (fs) => fs.open('/nope', { read: true }), 'ENOENT');
      t.rec('missing parent', (fs) => fs.open('/nope/f', { write: true, create: true }), 'ENOENT');
      t.rec('write dir', (fs) => fs.open('/etc', { write: true }), 'EISDIR');
      t.rec('write lower dir via symlink', (fs) => fs.open('/lnk/dir', { write: true }), 'EISDIR');
      t.rec('trailing slash on file', (fs) => fs.open('/etc/hosts/', { read: true }), 'ENOTDIR');
      t.rec('stat trailing slash on file', (fs) => fs.stat('/etc/hosts/'), 'ENOTDIR');
      t.rec('stat trailing slash on dir', (fs) => fs.stat('/etc/'), { kind: 'dir', mode: 0o755 });
      t.rec('create with trailing slash', (fs) => fs.open('/newf/', { write: true, create: true }), 'EISDIR');
      t.rec('file in the middle', (fs) => fs.stat('/etc/hosts/x'), 'ENOTDIR');
      t.rec('create under a file', (fs) => fs.open('/etc/hosts/x', { write: true, create: true }), 'ENOTDIR');
      t.rec('mkdir under a file', (fs) => fs.mkdir('/etc/hosts/x'), 'ENOTDIR');
      t.rec('unlink under a file', (fs) => fs.unlink('/etc/hosts/x'), 'ENOTDIR');
      t.rec('noFollow on symlink', (fs) => fs.open('/lnk/rel', { read: true, noFollow: true }), 'ELOOP');
      t.rec('follow symlink', (fs) => fs.readFile('/lnk/rel'), 'localhost2');
      t.rec('loop', (fs) => fs.readFile('/lnk/loop'), 'ELOOP');
      t.rec('loop in the middle', (fs) => fs.stat('/lnk/loop/x'), 'ELOOP');
      t.rec('lstat loop', (fs) => fs.lstat('/lnk/loop'), { kind: 'symlink', size: 4 });
    },
  },
  {
    name: 'mkdir: EEXIST, ENOENT, through symlinked parents, with a mode',
    run(t) {
      t.rec('mkdir', (fs) => fs.mkdir('/d'));
      t.rec('stat', (fs) => fs.stat('/d'), { kind: 'dir', mode: 0o755 });
      t.rec('again', (fs) => fs.mkdir('/d'), 'EEXIST');
      t.rec('over lower dir', (fs) => fs.mkdir('/usr'), 'EEXIST');
      t.rec('over file', (fs) => fs.mkdir('/etc/hosts'), 'EEXIST');
      t.rec('over dangling symlink', (fs) => fs.mkdir('/lnk/dangling'), 'EEXIST');
      t.rec('missing parent', (fs) => fs.mkdir('/no/such'), 'ENOENT');
      t.rec('through symlinked parent', (fs) => fs.mkdir('/lnk/dir/sub'));
      t.rec('created in target', (fs) => fs.readdir('/usr/lib'), ['a:file', 'sub:dir']);
      t.rec('mode', (fs) => fs.mkdir('/private', { mode: 0o700 }));
      t.rec('mode kept', (fs) => fs.stat('/private').mode, 0o700);
      t.rec('recursive', (fs) => fs.mkdir('/r/s/t', { recursive: true }));
      t.rec('recursive exists', (fs) => fs.stat('/r/s/t'), { kind: 'dir', mode: 0o755 });
    },
  },
  {
    name: 'rmdir: ENOTEMPTY, ENOENT, ENOTDIR; empty lower directories and emptied ones',
    run(t) {
      t.rec('non-empty lower', (fs) => fs.rmdir('/usr'), 'ENOTEMPTY');
      t.rec('missing', (fs) => fs.rmdir('/nope'), 'ENOENT');
      t.rec('file', (fs) => fs.rmdir('/etc/hosts'), 'ENOTDIR');
      t.rec('symlink to dir', (fs) => fs.rmdir('/lnk/dir'), 'ENOTDIR');
      t.rec('empty lower', (fs) => fs.rmdir('/empty'));
      t.rec('gone', (fs) => fs.stat('/empty'), 'ENOENT');
      t.rec('non-empty before', (fs) => fs.rmdir('/lowerdir'), 'ENOTEMPTY');
      t.rec('empty it', (fs) => fs.unlink('/lowerdir/x'));
      t.rec('emptied lower', (fs) => fs.rmdir('/lowerdir'));
      t.rec('opaque dir emptied', (fs) => fs.unlink('/usr/share/new'));
      t.rec('rmdir opaque', (fs) => fs.rmdir('/usr/share'));
      t.rec('usr', (fs) => fs.readdir('/usr'), ['lib:dir']);
      t.rec('recreate', (fs) => fs.mkdir('/usr/share'));
      t.rec('recreated is empty', (fs) => fs.readdir('/usr/share'), []);
      t.rec('new dir', (fs) => fs.mkdir('/nd'));
      t.rec('rm new dir', (fs) => fs.rmdir('/nd'));
      t.rec('root', (fs) => fs.readdir('/'), ['bin:dir', 'data:dir', 'emptylower:dir', 'etc:dir', 'lnk:dir', 'opt:dir', 'usr:dir']);
    },
  },
  {
    name: 'unlink: files, lower files, symlinks (not their targets); EISDIR, ENOENT',
    run(t) {
      t.rec('lower file', (fs) => fs.unlink('/etc/passwd'));
      t.rec('gone', (fs) => fs.stat('/etc/passwd'), 'ENOENT');
      t.rec('readdir', (fs) => fs.readdir('/etc'), ['hosts:file']);
      t.rec('again', (fs) => fs.unlink('/etc/passwd'), 'ENOENT');
      t.rec('dir', (fs) => fs.unlink('/etc'), 'EISDIR');
      t.rec('symlink', (fs) => fs.unlink('/lnk/rel'));
      t.rec('target kept', (fs) => fs.readFile('/etc/hosts'), 'localhost2');
      t.rec('dangling symlink', (fs) => fs.unlink('/lnk/dangling'));
      t.rec('symlink to dir', (fs) => fs.unlink('/lnk/dir'));
      t.rec('dir kept', (fs) => fs.readdir('/usr/lib'), ['a:file']);
      t.rec('new file', (fs) => fs.writeFile('/n', 'n'));
      t.rec('unlink new', (fs) => fs.unlink('/n'));
      t.rec('recreate over whiteout', (fs) => fs.writeFile('/etc/passwd', 'again'));
      t.rec('read', (fs) => fs.readFile('/etc/passwd'), 'again');
    },
  },
  {
    name: 'unlink with a trailing slash on a file is ENOTDIR',
    run(t) {
      t.rec('unlink file/', (fs) => fs.unlink('/etc/hosts/'), 'ENOTDIR');
      t.rec('still there', (fs) => fs.readFile('/etc/hosts'), 'localhost2');
    },
  },
  {
    name: 'rename: files, directories, replacement rules and their errors',
    run(t) {
      t.rec('file over file', (fs) => fs.rename('/etc/passwd', '/etc/hosts'));
      t.rec('replaced', (fs) => fs.readFile('/etc/hosts'), 'root:x:0:0');
      t.rec('source gone', (fs) => fs.stat('/etc/passwd'), 'ENOENT');
      t.rec('mk empty', (fs) => fs.mkdir('/e2'));
      t.rec('dir over empty dir', (fs) => fs.rename('/opt', '/e2'));
      t.rec('moved with lower content', (fs) => fs.readFile('/e2/app/bin'), 'BIN');
      t.rec('old gone', (fs) => fs.stat('/opt'), 'ENOENT');
      t.rec('dir over non-empty', (fs) => fs.rename('/e2', '/usr'), 'ENOTEMPTY');
      t.rec('file over dir', (fs) => fs.rename('/bin/sh', '/empty'), 'EISDIR');
      t.rec('dir over file', (fs) => fs.rename('/empty', '/bin/sh'), 'ENOTDIR');
      t.rec('into own subdir', (fs) => fs.rename('/usr', '/usr/lib/x'), 'EINVAL');
      t.rec('same path', (fs) => fs.rename('/bin/sh', '/bin/sh'));
      t.rec('still there', (fs) => fs.readFile('/bin/sh'), 'SH');
      t.rec('missing source', (fs) => fs.rename('/nope', '/x'), 'ENOENT');
      t.rec('missing target parent', (fs) => fs.rename('/bin/sh', '/nope/x'), 'ENOENT');
      t.rec('symlink renamed, not target', (fs) => fs.rename('/lnk/dir', '/libs'));
      t.rec('readlink moved', (fs) => fs.readlink('/libs'), '../usr/lib');
      t.rec('file over symlink', (fs) => fs.rename('/bin/sh', '/lnk/rel'));
      t.rec('symlink replaced', (fs) => fs.lstat('/lnk/rel'), { kind: 'file', size: 2, mode: 0o644, nlink: 1 });
      t.rec('hosts untouched', (fs) => fs.readFile('/etc/hosts'), 'root:x:0:0');
      t.rec('dir to new name in other dir', (fs) => fs.rename('/usr/share', '/data/share'));
      t.rec('content moved', (fs) => fs.readdir('/data/share'), ['new:file']);
      t.rec('usr', (fs) => fs.readdir('/usr'), ['lib:dir']);
      t.rec('over whiteout', (fs) => fs.rename('/data/keep', '/data/old'));
      t.rec('data', (fs) => fs.readdir('/data'), ['old:file', 'share:dir']);
      t.rec('read', (fs) => fs.readFile('/data/old'), 'keep');
    },
  },
  {
    name: 'rename of two hard links to one file is a no-op',
    run(t) {
      t.rec('link', (fs) => fs.link('/bin/sh', '/bin/sh2'));
      t.rec('rename', (fs) => fs.rename('/bin/sh', '/bin/sh2'));
      t.rec('both remain', (fs) => fs.readdir('/bin'), ['sh2:file', 'sh:file']);
      t.rec('nlink', (fs) => fs.stat('/bin/sh').nlink, 2);
    },
  },
  {
    name: 'symlink, readlink, lstat; `..` after a symlink is physical',
    run(t) {
      t.rec('symlink', (fs) => fs.symlink('hosts', '/etc/h'));
      t.rec('readlink', (fs) => fs.readlink('/etc/h'), 'hosts');
      t.rec('lstat', (fs) => fs.lstat('/etc/h'), { kind: 'symlink', size: 5 });
      t.rec('stat follows', (fs) => fs.stat('/etc/h'), { kind: 'file', size: 10, mode: 0o644, nlink: 1 });
      t.rec('over existing', (fs) => fs.symlink('x', '/etc/hosts'), 'EEXIST');
      t.rec('readlink on file', (fs) => fs.readlink('/etc/hosts'), 'EINVAL');
      t.rec('readlink missing', (fs) => fs.readlink('/nope'), 'ENOENT');
      t.rec('dangling stat', (fs) => fs.stat('/lnk/dangling'), 'ENOENT');
      t.rec('dangling lstat', (fs) => fs.lstat('/lnk/dangling'), { kind: 'symlink', size: 12 });
      t.rec('through dir link', (fs) => fs.readFile('/lnk/dir/a'), 'A');
      t.rec('physical ..', (fs) => fs.readdir('/lnk/dir/..'), ['lib:dir', 'share:dir']);
      t.rec('physical .. file', (fs) => fs.readFile('/lnk/dir/../share/new'), 'NEW');
      t.rec('chain', (fs) => fs.symlink('dir/a', '/lnk/chain'));
      t.rec('read chain', (fs) => fs.readFile('/lnk/chain'), 'A');
      t.rec('write through chain', (fs) => fs.writeFile('/lnk/chain', 'A2'));
      t.rec('target written', (fs) => fs.readFile('/usr/lib/a'), 'A2');
      t.rec('lstat chain', (fs) => fs.lstat('/lnk/chain'), { kind: 'symlink', size: 5 });
      t.rec('symlink to dir with trailing slash', (fs) => fs.lstat('/lnk/dir/'), { kind: 'dir', mode: 0o755 });
    },
  },
  {
    name: 'hard links share inode and content',
    run(t) {
      t.rec('link lower', (fs) => fs.link('/etc/hosts', '/etc/hosts2'));
      t.sameIno('same ino', '/etc/hosts', '/etc/hosts2', true);
      t.rec('nlink', (fs) => fs.stat('/etc/hosts').nlink, 2);
      t.rec('write through one', (fs) => fs.writeFile('/etc/hosts2', 'shared'));
      t.rec('read through other', (fs) => fs.readFile('/etc/hosts'), 'shared');
      t.rec('append through other', (fs) => {
        const f = fs.open('/etc/hosts', { write: true, append: true });
        f.append(enc.encode('!'));
        f.close();
      });
      t.rec('read appended', (fs) => fs.readFile('/etc/hosts2'), 'shared!');
      t.rec('chmod one', (fs) => fs.chmod('/etc/hosts', 0o600));
      t.rec('mode of other', (fs) => fs.stat('/etc/hosts2').mode, 0o600);
      t.rec('link in other dir', (fs) => fs.link('/etc/hosts2', '/data/h3'));
      t.rec('nlink 3', (fs) => fs.stat('/data/h3').nlink, 3);
      t.rec('unlink one', (fs) => fs.unlink('/etc/hosts'));
      t.rec('nlink 2', (fs) => fs.stat('/etc/hosts2').nlink, 2);
      t.sameIno('still same', '/etc/hosts2', '/data/h3', true);
      t.sameIno('other files differ', '/etc/hosts2', '/bin/sh', false);
      t.rec('link dir', (fs) => fs.link('/usr', '/usr2'), 'EPERM');
      t.rec('link over existing', (fs) => fs.link('/bin/sh', '/etc/passwd'), 'EEXIST');
      t.rec('link missing', (fs) => fs.link('/nope', '/x'), 'ENOENT');
      t.rec('link new file', (fs) => fs.writeFile('/n1', 'n'));
      t.rec('link it', (fs) => fs.link('/n1', '/n2'));
      t.rec('nlink new', (fs) => fs.lstat('/n2'), { kind: 'file', size: 1, mode: 0o644, nlink: 2 });
    },
  },
  {
    name: 'chmod and utimes, through symlinks',
    run(t) {
      t.rec('chmod lower', (fs) => fs.chmod('/bin/sh', 0o755));
      t.rec('mode', (fs) => fs.stat('/bin/sh').mode, 0o755);
      t.rec('chmod via symlink', (fs) => fs.chmod('/lnk/rel', 0o640));
      t.rec('target mode', (fs) => fs.stat('/etc/hosts').mode, 0o640);
      t.rec('chmod dir', (fs) => fs.chmod('/usr', 0o700));
      t.rec('dir mode', (fs) => fs.stat('/usr').mode, 0o700);
      t.rec('chmod dangling', (fs) => fs.chmod('/lnk/dangling', 0o600), 'ENOENT');
      t.rec('chmod missing', (fs) => fs.chmod('/nope', 0o600), 'ENOENT');
      t.rec('utimes', (fs) => fs.utimes('/etc/passwd', 1_000_000, 2_000_000));
      t.rec('times', (fs) => {
        const s = fs.stat('/etc/passwd');
        return [s.atimeMs, s.mtimeMs];
      }, [1_000_000, 2_000_000]);
      t.rec('utimes dir', (fs) => fs.utimes('/data', 3_000_000, 4_000_000));
      t.rec('dir times', (fs) => fs.stat('/data').mtimeMs, 4_000_000);
      t.rec('utimes via symlink', (fs) => fs.utimes('/lnk/dir', 5_000_000, 6_000_000));
      t.rec('target times', (fs) => fs.stat('/usr/lib').mtimeMs, 6_000_000);
      t.rec('content unchanged', (fs) => fs.readFile('/etc/passwd'), 'root:x:0:0');
    },
  },
  {
    name: 'readdir after mixed changes over layers',
    run(t) {
      t.rec('a', (fs) => fs.writeFile('/usr/lib/z', 'z'));
      t.rec('b', (fs) => fs.unlink('/usr/lib/a'));
      t.rec('c', (fs) => fs.mkdir('/usr/lib/d'));
      t.rec('d', (fs) => fs.symlink('z', '/usr/lib/s'));
      t.rec('e', (fs) => fs.writeFile('/usr/lib/a', 'back'));
      t.rec('list', (fs) => fs.readdir('/usr/lib'), ['a:file', 'd:dir', 's:symlink', 'z:file']);
      t.rec('list via symlink', (fs) => fs.readdir('/lnk/dir'), ['a:file', 'd:dir', 's:symlink', 'z:file']);
      t.rec('readdir file', (fs) => fs.readdir('/etc/hosts'), 'ENOTDIR');
      t.rec('readdir missing', (fs) => fs.readdir('/nope'), 'ENOENT');
      t.rec('empty', (fs) => fs.readdir('/emptylower'), []);
    },
  },
];

const open: Fixture[] = [];
afterEach(() => {
  for (const f of open.splice(0)) f.cleanup();
});

function record(factory: Factory, scenario: Scenario, strict: boolean): [string, unknown][] {
  const fixture = factory();
  open.push(fixture);
  const probe = new Probe(fixture.fs, strict);
  scenario.run(probe);
  return probe.log;
}

/** Runs every scenario on `factory`'s file system and on the reference, and compares the two records. */
function vfsSuite(name: string, factory: Factory): void {
  describe(`vfs suite: ${name}`, () => {
    for (const scenario of SCENARIOS) {
      it(scenario.name, () => {
        const expected = record(reference, scenario, true);
        const actual = record(factory, scenario, false);
        expect(actual).toEqual(expected);
      });
    }
  });
}

vfsSuite('node:fs reference', reference);
vfsSuite('union of three layers (TreeFs)', union);
vfsSuite('host directory as root (HostDirBackend)', hostRoot);
vfsSuite('host directory bind-mounted at /vol of a union root', hostBindMount);

describe('vfs suite fixtures', () => {
  it('the TreeFs seed and the unpacked reference hold the same tree', () => {
    // Guards the seed helpers themselves: a wrong materializer would make every comparison moot.
    const ref = reference();
    open.push(ref);
    const u = new Namespace(new TreeFs(mergeSpecs(SEED)));
    const dump = (fs: VfsApi, dir: string): unknown[] =>
      fs
        .readdir(dir)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((e) => {
          const p = `${dir === '/' ? '' : dir}/${e.name}`;
          if (e.kind === 'dir') return [e.name, dump(fs, p)];
          if (e.kind === 'symlink') return [e.name, '->', fs.readlink(p)];
          return [e.name, dec.decode(fs.readFile(p))];
        });
    expect(dump(u, '/')).toEqual(dump(ref.fs, '/'));
  });
});

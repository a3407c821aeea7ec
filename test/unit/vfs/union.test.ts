import { describe, expect, it } from 'vitest';
import {
  type LayerDir,
  type LayerEntry,
  Namespace,
  TreeFs,
  applyLayer,
  findInTree,
  forkContainerFs,
  mergeLayers,
  newFile,
  newLayerDir,
  newSymlink,
} from '../../../src/vfs/index.js';
import { WasmboxError } from '../../../src/errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Builds a layer tree from a compact description: "path": "content" | {link} | {wh} | {opq}. */
function layer(spec: Record<string, string | { symlink: string } | 'whiteout' | 'opaque-dir' | 'dir'>): LayerDir {
  const root = newLayerDir();
  for (const [path, v] of Object.entries(spec)) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const p of parts.slice(0, -1)) {
      let next = dir.entries.get(p);
      if (next === undefined || next.kind !== 'dir') {
        next = newLayerDir({}, false);
        dir.entries.set(p, next);
      }
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    let e: LayerEntry;
    if (v === 'whiteout') e = { kind: 'whiteout' };
    else if (v === 'dir' || v === 'opaque-dir') {
      const d = newLayerDir();
      d.opaque = v === 'opaque-dir';
      e = d;
    } else if (typeof v === 'string') e = newFile(enc.encode(v));
    else e = newSymlink(v.symlink);
    dir.entries.set(name, e);
  }
  return root;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WasmboxError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('merge', () => {
  it('applies whiteouts and opaque directories, sharing untouched nodes', () => {
    const l1 = layer({ 'etc/a': 'A', 'etc/b': 'B', 'usr/x/y': 'Y', 'usr/keep': 'K' });
    const l2 = layer({ 'etc/a': 'whiteout', 'usr/x': 'opaque-dir', 'usr/x/z': 'Z', 'etc/c': 'C' });
    const m1 = mergeLayers([l1]);
    const m2 = applyLayer(m1, l2);
    const ns = new Namespace(new TreeFs(m2));
    expect(ns.readdir('/etc').map((e) => e.name).sort()).toEqual(['b', 'c']);
    expect(ns.readdir('/usr/x').map((e) => e.name)).toEqual(['z']);
    expect(dec.decode(ns.readFile('/usr/keep'))).toBe('K');
    // Files are shared, not copied.
    expect(findInTree(m2, '/usr/keep')).toBe(findInTree(m1, '/usr/keep'));
    // The lower tree is unchanged.
    expect(findInTree(m1, '/etc/a')).toBeDefined();
  });

  it('costs the same to look up through 1 or 100 layers (one merged tree)', () => {
    const layers = Array.from({ length: 100 }, (_, i) => layer({ [`d/f${i}`]: String(i) }));
    const ns = new Namespace(new TreeFs(mergeLayers(layers)));
    expect(ns.readdir('/d')).toHaveLength(100);
    expect(dec.decode(ns.readFile('/d/f0'))).toBe('0');
  });
});

describe('copy-on-write top layer', () => {
  const base = mergeLayers([layer({ 'etc/hosts': 'localhost', 'bin/sh': 'SH', 'lib/x': { symlink: '../bin/sh' } })]);

  it('forks in O(1) and copies up on write, leaving the lower tree alone', () => {
    const a = forkContainerFs(base);
    const b = forkContainerFs(base);
    expect(a.top.rootNode).toBe(base);
    a.fs.writeFile('/etc/hosts', 'changed');
    expect(dec.decode(a.fs.readFile('/etc/hosts'))).toBe('changed');
    expect(dec.decode(b.fs.readFile('/etc/hosts'))).toBe('localhost');
    expect(dec.decode(new Namespace(new TreeFs(base)).readFile('/etc/hosts'))).toBe('localhost');
    expect(a.top.rootNode).not.toBe(base);
    // Untouched directories are still shared.
    expect(a.top.rootNode.entries.get('bin')).toBe(base.entries.get('bin'));
  });

  it('appends without corrupting the shared blob view', () => {
    const blob = enc.encode('0123456789');
    const lower = mergeLayers([{ ...newLayerDir(), entries: new Map([['f', newFile(blob.subarray(2, 5))]]) }]);
    const { fs } = forkContainerFs(lower);
    const h = fs.open('/f', { write: true, append: true });
    h.append(enc.encode('XY'));
    h.close();
    expect(dec.decode(fs.readFile('/f'))).toBe('234XY');
    expect(dec.decode(blob)).toBe('0123456789');
  });

  it('supports mkdir, rename, unlink, rmdir, symlink, link, chmod, utimes, truncate', () => {
    const { fs } = forkContainerFs(base);
    fs.mkdir('/tmp/a/b', { recursive: true });
    fs.writeFile('/tmp/a/b/f', 'hello');
    fs.rename('/tmp/a/b/f', '/tmp/g');
    expect(fs.exists('/tmp/a/b/f')).toBe(false);
    expect(dec.decode(fs.readFile('/tmp/g'))).toBe('hello');
    fs.link('/tmp/g', '/tmp/h');
    expect(fs.stat('/tmp/h').nlink).toBe(2);
    expect(fs.stat('/tmp/h').ino).toBe(fs.stat('/tmp/g').ino);
    fs.symlink('/tmp/g', '/tmp/s');
    expect(fs.readlink('/tmp/s')).toBe('/tmp/g');
    expect(fs.lstat('/tmp/s').kind).toBe('symlink');
    fs.chmod('/tmp/g', 0o600);
    expect(fs.stat('/tmp/h').mode).toBe(0o600);
    fs.utimes('/tmp/g', 1000, 2000);
    expect(fs.stat('/tmp/g').mtimeMs).toBe(2000);
    fs.truncate('/tmp/g', 2);
    expect(dec.decode(fs.readFile('/tmp/h'))).toBe('he');
    fs.unlink('/tmp/h');
    expect(fs.stat('/tmp/g').nlink).toBe(1);
    expect(code(() => fs.rmdir('/tmp/a'))).toBe('ENOTEMPTY');
    fs.rmdir('/tmp/a/b');
    fs.rmdir('/tmp/a');
    expect(code(() => fs.stat('/tmp/a'))).toBe('ENOENT');
    expect(code(() => fs.rename('/tmp', '/tmp/inner'))).toBe('EINVAL');
    expect(code(() => fs.unlink('/tmp'))).toBe('EISDIR');
    expect(code(() => fs.mkdir('/tmp'))).toBe('EEXIST');
    expect(code(() => fs.open('/etc/hosts', { create: true, exclusive: true }))).toBe('EEXIST');
  });
});

describe('path resolution is confined to the container root', () => {
  const base = mergeLayers([
    layer({
      'etc/passwd': 'root:x:0:0',
      'a/abs': { symlink: '/etc' },
      'a/rel': { symlink: '../../../../etc' },
      'a/loop1': { symlink: 'loop2' },
      'a/loop2': { symlink: 'loop1' },
      'a/dangling': { symlink: '/nowhere/file' },
    }),
  ]);

  it('keeps `..` at / and resolves absolute and relative symlinks inside the root', () => {
    const { fs } = forkContainerFs(base);
    expect(dec.decode(fs.readFile('/../../../etc/passwd'))).toBe('root:x:0:0');
    expect(dec.decode(fs.readFile('/a/abs/passwd'))).toBe('root:x:0:0');
    expect(dec.decode(fs.readFile('/a/rel/passwd'))).toBe('root:x:0:0');
    expect(fs.realpath('/a/rel/../a/abs')).toBe('/etc');
    expect(code(() => fs.stat('/a/loop1'))).toBe('ELOOP');
    expect(fs.lstat('/a/loop1').kind).toBe('symlink');
  });

  it('creates through a dangling symlink inside the root, not outside', () => {
    const { fs } = forkContainerFs(base);
    expect(code(() => fs.writeFile('/a/dangling', 'x'))).toBe('ENOENT');
    fs.mkdir('/nowhere');
    fs.writeFile('/a/dangling', 'x');
    expect(dec.decode(fs.readFile('/nowhere/file'))).toBe('x');
  });
});

describe('mounts', () => {
  it('overlays a tmpfs, a read-only volume, keeps EXDEV and EROFS', () => {
    const base = mergeLayers([layer({ 'data/old': 'hidden', 'etc/x': 'x' })]);
    const { fs } = forkContainerFs(base);
    const vol = new TreeFs();
    fs.mount('/data', vol);
    const ro = new TreeFs();
    new Namespace(ro).writeFile('/conf', 'c');
    fs.mount('/ro', ro, { readOnly: true });
    expect(fs.readdir('/data')).toEqual([]);
    fs.writeFile('/data/new', 'n');
    expect(dec.decode(new Namespace(vol).readFile('/new'))).toBe('n');
    expect(fs.readdir('/').map((e) => e.name)).toContain('ro');
    expect(dec.decode(fs.readFile('/ro/conf'))).toBe('c');
    expect(code(() => fs.writeFile('/ro/conf', 'no'))).toBe('EROFS');
    expect(code(() => fs.unlink('/ro/conf'))).toBe('EROFS');
    expect(code(() => fs.rename('/data/new', '/etc/new'))).toBe('EXDEV');
    expect(code(() => fs.rmdir('/data'))).toBe('EBUSY');
    expect(fs.realpath('/data/../etc/x')).toBe('/etc/x');
  });

  it('a read-only root refuses every change', () => {
    const { fs } = forkContainerFs(mergeLayers([layer({ f: 'x' })]), { readOnly: true });
    expect(code(() => fs.writeFile('/f', 'y'))).toBe('EROFS');
    expect(code(() => fs.mkdir('/d'))).toBe('EROFS');
    expect(dec.decode(fs.readFile('/f'))).toBe('x');
  });
});

// Path resolution is the security boundary of a container's file system: no `..` chain, absolute
// symlink, relative symlink chain or mount can lead outside the container's root, loops end in
// ELOOP, and mounts keep their own rules (EXDEV across them, EROFS when read-only).

import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { Namespace, TreeFs, forkContainerFs } from '../../../src/vfs/index.js';
import { mergeSpecs } from '../../helpers/layers.js';

const dec = new TextDecoder();

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WasmboxError) return e.code;
    throw e;
  }
  return 'ok';
}

const chain = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`chain/l${i}`, { symlink: `l${i + 1}` }]));

const lower = mergeSpecs([
  {
    'etc/passwd': 'container passwd',
    'a/b/c/file': 'deep',
    'a/abs': { symlink: '/etc' },
    'a/rel': { symlink: '../../../../../../etc' },
    'a/b/up': { symlink: '../..' },
    'a/b/upup': { symlink: 'up/../../..' },
    'a/hop1': { symlink: 'b/hop2' },
    'a/b/hop2': { symlink: '../../../hop3' },
    hop3: { symlink: '/../../etc/passwd' },
    'loop/x': { symlink: 'y' },
    'loop/y': { symlink: 'x' },
    'loop/self': { symlink: 'self/sub' },
    'loop/dot': { symlink: '.' },
    ...chain,
    'chain/l45': 'end of chain',
  },
]);

describe('resolution never leaves the container root', () => {
  it('`..` chains stop at /', () => {
    const { fs } = forkContainerFs(lower);
    expect(dec.decode(fs.readFile('/../../../../etc/passwd'))).toBe('container passwd');
    expect(dec.decode(fs.readFile('/a/../../../etc/passwd'))).toBe('container passwd');
    expect(fs.realpath('/../..')).toBe('/');
    expect(fs.realpath('/a/b/c/../../../../..')).toBe('/');
    expect(fs.readdir('/..').map((e) => e.name).sort()).toEqual(fs.readdir('/').map((e) => e.name).sort());
  });

  it('absolute symlinks resolve from the container root', () => {
    const { fs } = forkContainerFs(lower);
    expect(dec.decode(fs.readFile('/a/abs/passwd'))).toBe('container passwd');
    expect(fs.realpath('/a/abs')).toBe('/etc');
    expect(dec.decode(fs.readFile('/hop3'))).toBe('container passwd');
  });

  it('relative symlinks and chains of them climb no higher than /', () => {
    const { fs } = forkContainerFs(lower);
    expect(dec.decode(fs.readFile('/a/rel/passwd'))).toBe('container passwd');
    expect(fs.realpath('/a/b/up')).toBe('/');
    expect(fs.realpath('/a/b/upup')).toBe('/');
    expect(dec.decode(fs.readFile('/a/b/upup/../../etc/passwd'))).toBe('container passwd');
    expect(dec.decode(fs.readFile('/a/hop1'))).toBe('container passwd');
    expect(fs.realpath('/a/hop1')).toBe('/etc/passwd');
  });

  it('writes through escaping links land inside the container', () => {
    const { fs, top } = forkContainerFs(lower);
    fs.writeFile('/a/rel/new', 'n');
    expect(dec.decode(fs.readFile('/etc/new'))).toBe('n');
    fs.mkdir('/a/b/upup/made');
    expect(fs.stat('/made').kind).toBe('dir');
    expect(top.rootNode.entries.has('made')).toBe(true);
  });

  it('loops end in ELOOP; a chain of more than 40 links too', () => {
    const { fs } = forkContainerFs(lower);
    expect(code(() => fs.readFile('/loop/x'))).toBe('ELOOP');
    expect(code(() => fs.stat('/loop/self'))).toBe('ELOOP');
    expect(code(() => fs.writeFile('/loop/y', 'z'))).toBe('ELOOP');
    expect(code(() => fs.mkdir('/loop/x/sub'))).toBe('ELOOP');
    expect(fs.realpath('/loop/dot/dot/dot/dot')).toBe('/loop');
    expect(code(() => fs.readFile('/chain/l0'))).toBe('ELOOP');
    expect(dec.decode(fs.readFile('/chain/l5'))).toBe('end of chain'); // 40 links
    expect(code(() => fs.readFile('/chain/l4'))).toBe('ELOOP'); // 41 links
    expect(fs.lstat('/loop/x').kind).toBe('symlink');
  });

  it('`..` after a file is ENOTDIR, not a way around it', () => {
    const { fs } = forkContainerFs(lower);
    expect(code(() => fs.stat('/etc/passwd/..'))).toBe('ENOTDIR');
    expect(code(() => fs.readFile('/etc/passwd/../passwd'))).toBe('ENOTDIR');
  });
});

describe('mounts', () => {
  function withVolume(): { fs: Namespace; vol: TreeFs } {
    const { fs } = forkContainerFs(lower);
    const vol = new TreeFs();
    const v = new Namespace(vol);
    v.writeFile('/data', 'volume data');
    v.symlink('/', 'root');
    v.symlink('../../..', 'up');
    v.symlink('/etc', 'etc');
    // Parents of a mount point must exist (the namespace only synthesizes the mount point itself).
    fs.mkdir('/mnt');
    fs.mount('/mnt/vol', vol);
    const ro = new TreeFs();
    new Namespace(ro).writeFile('/conf', 'ro');
    fs.mount('/ro', ro, { readOnly: true });
    return { fs, vol };
  }

  it('symlinks inside a volume resolve in the container, and `..` leaves the mount upwards', () => {
    const { fs } = withVolume();
    expect(dec.decode(fs.readFile('/mnt/vol/root/etc/passwd'))).toBe('container passwd');
    expect(dec.decode(fs.readFile('/mnt/vol/up/etc/passwd'))).toBe('container passwd');
    expect(dec.decode(fs.readFile('/mnt/vol/etc/passwd'))).toBe('container passwd');
    expect(fs.realpath('/mnt/vol/../../..')).toBe('/');
    expect(fs.realpath('/mnt/vol/up')).toBe('/');
  });

  it('rename and link across mounts are EXDEV; a read-only mount is EROFS', () => {
    const { fs } = withVolume();
    expect(code(() => fs.rename('/mnt/vol/data', '/data'))).toBe('EXDEV');
    expect(code(() => fs.rename('/etc/passwd', '/mnt/vol/passwd'))).toBe('EXDEV');
    expect(code(() => fs.link('/etc/passwd', '/mnt/vol/passwd'))).toBe('EXDEV');
    expect(code(() => fs.link('/mnt/vol/data', '/ro/data'))).toBe('EXDEV');
    expect(code(() => fs.writeFile('/ro/conf', 'x'))).toBe('EROFS');
    expect(code(() => fs.writeFile('/ro/new', 'x'))).toBe('EROFS');
    expect(code(() => fs.mkdir('/ro/d'))).toBe('EROFS');
    expect(code(() => fs.chmod('/ro/conf', 0o600))).toBe('EROFS');
    expect(code(() => fs.truncate('/ro/conf', 0))).toBe('EROFS');
    expect(dec.decode(fs.readFile('/ro/conf'))).toBe('ro');
    // Through a symlink that points into the read-only mount.
    fs.symlink('/ro/conf', '/conf-link');
    expect(code(() => fs.writeFile('/conf-link', 'x'))).toBe('EROFS');
  });

  it('a mount point cannot be removed or renamed away', () => {
    const { fs } = withVolume();
    expect(code(() => fs.rmdir('/mnt/vol'))).toBe('EBUSY');
    expect(code(() => fs.rename('/mnt/vol', '/elsewhere'))).toBe('EBUSY');
    expect(code(() => fs.unlink('/ro'))).toBe('EBUSY');
  });
});

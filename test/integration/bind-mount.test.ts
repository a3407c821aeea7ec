// Bind mounts of real host directories: a container must never read or change a host file
// outside the mounted directory, whatever symlinks, `..` chains or host-side swaps (TOCTOU)
// are in the way. A secret file sits next to the mounted directory on the host; every trick
// below tries to reach it and must fail (or reach the container's own file of that name).

import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WasmboxError } from '../../src/errors.js';
import { HostDirBackend, type HostHandle } from '../../src/platform/node/host-dir-backend.js';
import { forkContainerFs } from '../../src/vfs/index.js';
import type { Namespace } from '../../src/vfs/index.js';
import { mergeSpecs } from '../helpers/layers.js';

const dec = new TextDecoder();
const SECRET = 'HOST SECRET';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WasmboxError) return e.code;
    throw e;
  }
  return 'ok';
}

/** What a read gives: the text, or the error code. */
function attempt(fn: () => Uint8Array): string {
  try {
    return dec.decode(fn());
  } catch (e) {
    if (e instanceof WasmboxError) return e.code;
    throw e;
  }
}

let base: string;
let shared: string;

beforeEach(() => {
  // <base>/secret.txt and <base>/outside/ are the host's; <base>/shared is bind-mounted at /mnt.
  base = mkdtempSync(join(tmpdir(), 'wasmbox-bind-'));
  shared = join(base, 'shared');
  mkdirSync(shared);
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
  writeFileSync(join(shared, 'hello'), 'hello from the host');
  mkdirSync(join(shared, 'sub'));
  writeFileSync(join(shared, 'sub', 'f'), 'sub file');
  symlinkSync('..', join(shared, 'up'));
  symlinkSync('../../..', join(shared, 'upup'));
  symlinkSync('/', join(shared, 'root'));
  symlinkSync('/etc', join(shared, 'hostetc'));
  symlinkSync('../secret.txt', join(shared, 'secretlink'));
  symlinkSync(join(base, 'secret.txt'), join(shared, 'abs-secret'));
  symlinkSync(join(base, 'outside'), join(shared, 'abs-outside'));
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

function container(options: { readOnly?: boolean } = {}): Namespace {
  const { fs } = forkContainerFs(
    mergeSpecs([{ 'etc/hostname': 'container-hostname', 'secret.txt': 'container file', mnt: 'dir', other: 'dir' }]),
  );
  fs.mount('/mnt', new HostDirBackend(shared, options), { readOnly: options.readOnly });
  return fs;
}

describe('bind mount of a host directory', () => {
  it('reads and writes the host directory', () => {
    const fs = container();
    expect(dec.decode(fs.readFile('/mnt/hello'))).toBe('hello from the host');
    fs.writeFile('/mnt/new', 'from the container');
    expect(readFileSync(join(shared, 'new'), 'utf8')).toBe('from the container');
    fs.mkdir('/mnt/sub/d');
    fs.rename('/mnt/new', '/mnt/sub/d/moved');
    expect(readFileSync(join(shared, 'sub', 'd', 'moved'), 'utf8')).toBe('from the container');
    expect(fs.stat('/mnt/sub/d/moved').dev).not.toBe(fs.stat('/etc/hostname').dev);
  });

  it('symlinks and `..` in the mount resolve in the container, never on the host', () => {
    const fs = container();
    const tricks = [
      '/mnt/../secret.txt',
      '/mnt/up/secret.txt',
      '/mnt/upup/secret.txt',
      '/mnt/root/secret.txt',
      '/mnt/secretlink',
      '/mnt/sub/../../secret.txt',
      '/mnt/up/../../../secret.txt',
    ];
    // Each resolves to the container's /secret.txt, never the host's.
    for (const p of tricks) expect(attempt(() => fs.readFile(p)), p).toBe('container file');
    expect(dec.decode(fs.readFile('/mnt/hostetc/hostname'))).toBe('container-hostname');
    // Absolute host paths mean nothing inside the container.
    expect(attempt(() => fs.readFile('/mnt/abs-secret'))).toBe('ENOENT');
    expect(attempt(() => fs.readFile('/mnt/abs-outside/secret.txt'))).toBe('ENOENT');
    expect(attempt(() => fs.readFile(base + '/secret.txt'))).toBe('ENOENT');
    // Listing through `up` lists the container root, not the host directory above the mount.
    expect(fs.readdir('/mnt/up').map((e) => e.name)).toContain('etc');
    expect(fs.readdir('/mnt/up').map((e) => e.name)).not.toContain('shared');
    expect(fs.realpath('/mnt/upup')).toBe('/');
  });

  it('writes through escaping symlinks land in the container, not on the host', () => {
    const fs = container();
    fs.writeFile('/mnt/up/written', 'x');
    expect(existsSync(join(base, 'written'))).toBe(false);
    expect(dec.decode(fs.readFile('/written'))).toBe('x');
    expect(code(() => fs.writeFile('/mnt/abs-outside/new', 'x'))).toBe('ENOENT');
    expect(existsSync(join(base, 'outside', 'new'))).toBe(false);
    fs.writeFile('/mnt/secretlink', 'overwritten');
    expect(readFileSync(join(base, 'secret.txt'), 'utf8')).toBe(SECRET);
  });

  it('a read-only bind mount refuses every change with EROFS', () => {
    const fs = container({ readOnly: true });
    expect(dec.decode(fs.readFile('/mnt/hello'))).toBe('hello from the host');
    expect(code(() => fs.writeFile('/mnt/hello', 'x'))).toBe('EROFS');
    expect(code(() => fs.writeFile('/mnt/new', 'x'))).toBe('EROFS');
    expect(code(() => fs.mkdir('/mnt/d'))).toBe('EROFS');
    expect(code(() => fs.unlink('/mnt/hello'))).toBe('EROFS');
    expect(code(() => fs.rename('/mnt/hello', '/mnt/h2'))).toBe('EROFS');
    expect(code(() => fs.symlink('x', '/mnt/l'))).toBe('EROFS');
    expect(code(() => fs.chmod('/mnt/hello', 0o600))).toBe('EROFS');
    expect(code(() => fs.truncate('/mnt/hello', 0))).toBe('EROFS');
    expect(readFileSync(join(shared, 'hello'), 'utf8')).toBe('hello from the host');
    // The backend refuses on its own too (a volume mounted read-only without the namespace flag).
    const backend = new HostDirBackend(shared, { readOnly: true });
    expect(code(() => backend.mkdir([], 'd', 0o755))).toBe('EROFS');
    expect(code(() => backend.open([], 'hello', backend.lookup(backend.root(), 'hello'), { write: true }))).toBe('EROFS');
    const h = backend.open([], 'hello', backend.lookup(backend.root(), 'hello'), { read: true });
    expect(code(() => h.setAttrs({ mode: 0o600 }))).toBe('EROFS');
    h.close();
    expect(lstatSync(join(shared, 'hello')).mode & 0o777).not.toBe(0o600);
  });

  it('rename and link across the mount boundary are EXDEV', () => {
    const fs = container();
    fs.mount('/other', new HostDirBackend(join(base, 'outside')));
    expect(code(() => fs.rename('/mnt/hello', '/hello'))).toBe('EXDEV');
    expect(code(() => fs.rename('/etc/hostname', '/mnt/hostname'))).toBe('EXDEV');
    expect(code(() => fs.link('/mnt/hello', '/hello'))).toBe('EXDEV');
    expect(code(() => fs.rename('/mnt/hello', '/other/hello'))).toBe('EXDEV');
    expect(code(() => fs.link('/other/secret.txt', '/mnt/stolen'))).toBe('EXDEV');
  });

  it('maps host errors to container error codes', () => {
    const fs = container();
    expect(code(() => fs.rmdir('/mnt/sub'))).toBe('ENOTEMPTY');
    expect(code(() => fs.mkdir('/mnt/sub'))).toBe('EEXIST');
    expect(code(() => fs.unlink('/mnt/sub'))).toBe('EISDIR');
    expect(code(() => fs.readFile('/mnt/nope'))).toBe('ENOENT');
    expect(code(() => fs.readFile('/mnt/hello/x'))).toBe('ENOTDIR');
    expect(code(() => fs.link('/mnt/sub', '/mnt/sub2'))).toBe('EPERM');
    expect(code(() => fs.open('/mnt/hello', { create: true, write: true, exclusive: true }))).toBe('EEXIST');
  });
});

/**
 * How the host refuses a path whose directory was swapped for a symlink: ELOOP, or ENOTDIR when
 * the kernel meets the symlink while opening it as a directory with O_NOFOLLOW.
 */
const REFUSED = ['ELOOP', 'ENOTDIR'];

describe('host-side swaps between resolution and use (TOCTOU)', () => {
  /** Replaces a directory of the mount by a symlink to the host directory with the secret. */
  function swapToOutside(rel: string): void {
    renameSync(join(shared, rel), join(base, `moved-${rel.replace(/\//g, '_')}`));
    symlinkSync(join(base, 'outside'), join(shared, rel));
  }

  it('a directory swapped for a symlink after lookup cannot be read, listed or written through', () => {
    const backend = new HostDirBackend(shared);
    const sub = backend.lookup(backend.root(), 'sub')!;
    expect(sub.kind).toBe('dir');
    swapToOutside('sub');
    // The handle still says "dir"; every use of it must refuse the host's symlink.
    expect(REFUSED).toContain(code(() => backend.lookup(sub, 'secret.txt')));
    expect(REFUSED).toContain(code(() => backend.readdir(sub)));
    const forged: HostHandle = { components: ['sub', 'secret.txt'], kind: 'file' };
    expect(REFUSED).toContain(code(() => backend.open(['sub'], 'secret.txt', forged, { read: true })));
    expect(REFUSED).toContain(code(() => backend.stat(forged)));
    expect(REFUSED).toContain(code(() => backend.open(['sub'], 'created', undefined, { write: true, create: true })));
    expect(REFUSED).toContain(code(() => backend.mkdir(['sub'], 'd', 0o755)));
    expect(REFUSED).toContain(code(() => backend.unlink(['sub'], 'secret.txt')));
    expect(REFUSED).toContain(code(() => backend.setAttrs(['sub'], 'secret.txt', { mode: 0o777 })));
    expect(REFUSED).toContain(code(() => backend.rename(['sub'], 'secret.txt', [], 'stolen')));
    expect(REFUSED).toContain(code(() => backend.link(['sub'], 'secret.txt', [], 'stolen')));
    expect(existsSync(join(base, 'outside', 'created'))).toBe(false);
    expect(existsSync(join(base, 'outside', 'd'))).toBe(false);
    expect(readFileSync(join(base, 'outside', 'secret.txt'), 'utf8')).toBe(SECRET);
    expect(lstatSync(join(base, 'outside', 'secret.txt')).mode & 0o777).not.toBe(0o777);
    expect(existsSync(join(shared, 'stolen'))).toBe(false);
  });

  it('a directory higher up swapped for a symlink is caught too', () => {
    mkdirSync(join(shared, 'sub', 'deeper'));
    writeFileSync(join(shared, 'sub', 'deeper', 'secret.txt'), 'inside');
    mkdirSync(join(base, 'outside', 'deeper'));
    writeFileSync(join(base, 'outside', 'deeper', 'secret.txt'), SECRET);
    const backend = new HostDirBackend(shared);
    const sub = backend.lookup(backend.root(), 'sub')!;
    const deeper = backend.lookup(sub, 'deeper')!;
    const file = backend.lookup(deeper, 'secret.txt')!;
    swapToOutside('sub');
    // <shared>/sub/deeper resolves on the host to <base>/outside/deeper: a real directory, so
    // O_NOFOLLOW on the last component alone would not catch it.
    expect(REFUSED).toContain(code(() => backend.open(['sub', 'deeper'], 'secret.txt', file, { read: true })));
    expect(REFUSED).toContain(code(() => backend.readdir(deeper)));
    expect(REFUSED).toContain(code(() => backend.open(['sub', 'deeper'], 'secret.txt', file, { write: true, truncate: true })));
    expect(readFileSync(join(base, 'outside', 'deeper', 'secret.txt'), 'utf8')).toBe(SECRET);
  });

  it('a file swapped for a symlink after lookup is not opened (O_NOFOLLOW)', () => {
    const backend = new HostDirBackend(shared);
    const h = backend.lookup(backend.root(), 'hello')!;
    rmSync(join(shared, 'hello'));
    symlinkSync(join(base, 'secret.txt'), join(shared, 'hello'));
    expect(REFUSED).toContain(code(() => backend.open([], 'hello', h, { read: true })));
    expect(REFUSED).toContain(code(() => backend.open([], 'hello', h, { write: true, truncate: true })));
    expect(code(() => backend.setAttrs([], 'hello', { mode: 0o777 }))).toBe('ok'); // applies to the link only
    expect(readFileSync(join(base, 'secret.txt'), 'utf8')).toBe(SECRET);
    expect(lstatSync(join(base, 'secret.txt')).mode & 0o777).not.toBe(0o777);
  });

  it('a swap racing the namespace walk (between lookup and open) never yields the secret', () => {
    // A backend that lets the host swap `sub` right after the namespace looked it up.
    class RacedBackend extends HostDirBackend {
      armed = true;
      override lookup(dir: HostHandle, name: string): HostHandle | undefined {
        const h = super.lookup(dir, name);
        if (this.armed && name === 'sub') {
          this.armed = false;
          swapToOutside('sub');
        }
        return h;
      }
    }
    const { fs } = forkContainerFs(mergeSpecs([{ mnt: 'dir' }]));
    fs.mount('/mnt', new RacedBackend(shared));
    expect(REFUSED).toContain(attempt(() => fs.readFile('/mnt/sub/secret.txt')));
    // Once the swap is visible, the namespace resolves the symlink itself: an absolute host path, missing in the container.
    expect(attempt(() => fs.readFile('/mnt/sub/secret.txt'))).toBe('ENOENT');
  });
});

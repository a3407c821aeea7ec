import { describe, expect, it } from 'vitest';
import { isWasmboxError } from '../../../src/errors.js';
import { digestOf } from '../../../src/content/digest.js';
import { layerTreeFromTar, parseLayerBlob, WHITEOUT } from '../../../src/layers/layer-tree.js';
import { decompressLayer, detectCompression, gunzip, gzip } from '../../../src/layers/compression.js';
import type { FileNode, LayerDir, LayerEntry, SymlinkNode } from '../../../src/vfs/node.js';
import { entry, tarOf } from './raw-tar.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function at(root: LayerDir, path: string): LayerEntry | undefined {
  let cur: LayerEntry = root;
  for (const c of path.split('/')) {
    if (cur.kind !== 'dir') return undefined;
    const next = cur.entries.get(c);
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

async function expectCode(fn: () => unknown, code: string, ...fragments: string[]): Promise<void> {
  try {
    await fn();
  } catch (e) {
    expect(isWasmboxError(e) && e.code, String(e)).toBe(code);
    for (const f of fragments) expect((e as Error).message).toContain(f);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('layerTreeFromTar', () => {
  it('builds dirs, files, symlinks with attributes; implied parents are not explicit', () => {
    const tar = tarOf(
      entry({ name: './usr/', typeflag: '5', mode: 0o700, uid: 1, gid: 2, mtime: 100 }),
      entry({ name: './usr/bin/tool', mode: 0o755, mtime: 200 }, 'bin'),
      entry({ name: '/usr/lib/x.so', typeflag: '2', linkname: '/elsewhere/x.so' }),
    );
    const root = layerTreeFromTar(tar);
    expect(root.explicit).toBe(false);
    const usr = at(root, 'usr') as LayerDir;
    expect(usr).toMatchObject({ kind: 'dir', mode: 0o700, uid: 1, gid: 2, mtimeMs: 100_000, explicit: true, opaque: false });
    expect(at(root, 'usr/bin')).toMatchObject({ kind: 'dir', mode: 0o755, explicit: false });
    const tool = at(root, 'usr/bin/tool') as FileNode;
    expect(tool).toMatchObject({ kind: 'file', mode: 0o755, mtimeMs: 200_000, size: 3, nlink: 1, owner: null });
    expect(text(tool.data)).toBe('bin');
    expect(tool.data.buffer).toBe(tar.buffer);
    expect((at(root, 'usr/lib/x.so') as SymlinkNode).target).toBe('/elsewhere/x.so');
  });

  it('a later directory entry updates attributes and keeps children; ./ sets the root', () => {
    const tar = tarOf(
      entry({ name: 'd/f' }, 'f'),
      entry({ name: 'd/', typeflag: '5', mode: 0o711 }),
      entry({ name: './', typeflag: '5', mode: 0o700 }),
    );
    const root = layerTreeFromTar(tar);
    expect(root).toMatchObject({ mode: 0o700, explicit: true });
    expect(at(root, 'd')).toMatchObject({ mode: 0o711, explicit: true });
    expect(at(root, 'd/f')?.kind).toBe('file');
  });

  it('later entries for the same path replace earlier ones', () => {
    const tar = tarOf(entry({ name: 'a' }, 'one'), entry({ name: 'a' }, 'two'), entry({ name: 'b', typeflag: '5' }), entry({ name: 'b' }, 'file now'));
    const root = layerTreeFromTar(tar);
    expect(text((at(root, 'a') as FileNode).data)).toBe('two');
    expect(at(root, 'b')?.kind).toBe('file');
  });

  it('hard links share one node and count links; a link to a lower path becomes a LowerHardLink', () => {
    const tar = tarOf(
      entry({ name: 'bin/busybox', mode: 0o755 }, 'BB'),
      entry({ name: 'bin/ls', typeflag: '1', linkname: 'bin/busybox' }),
      entry({ name: 'bin/cat', typeflag: '1', linkname: './bin/busybox' }),
      entry({ name: 'usr/bin/env', typeflag: '1', linkname: 'usr/bin/in-lower' }),
    );
    const root = layerTreeFromTar(tar);
    const bb = at(root, 'bin/busybox') as FileNode;
    expect(at(root, 'bin/ls')).toBe(bb);
    expect(at(root, 'bin/cat')).toBe(bb);
    expect(bb.nlink).toBe(3);
    expect(at(root, 'usr/bin/env')).toEqual({ kind: 'lowerlink', target: '/usr/bin/in-lower' });
  });

  it('replacing a hard-linked path lowers the link count', () => {
    const tar = tarOf(entry({ name: 'a' }, 'A'), entry({ name: 'b', typeflag: '1', linkname: 'a' }), entry({ name: 'b' }, 'B'));
    expect((at(layerTreeFromTar(tar), 'a') as FileNode).nlink).toBe(1);
  });

  it('a hard link to a directory is INVALID_TAR', async () => {
    const tar = tarOf(entry({ name: 'd', typeflag: '5' }), entry({ name: 'l', typeflag: '1', linkname: 'd' }));
    await expectCode(() => layerTreeFromTar(tar), 'INVALID_TAR', '"l"', 'directory');
  });

  it('whiteouts and opaque markers, the marker after its siblings', () => {
    const tar = tarOf(
      entry({ name: 'etc/.wh.passwd' }),
      entry({ name: 'var/cache/new' }, 'n'),
      entry({ name: 'var/cache/.wh..wh..opq' }),
      entry({ name: 'var/.wh..wh.plnk' }),
    );
    const warnings: string[] = [];
    const root = layerTreeFromTar(tar, { onWarning: (w) => warnings.push(w.message) });
    expect(at(root, 'etc/passwd')).toBe(WHITEOUT);
    expect(at(root, 'etc/.wh.passwd')).toBeUndefined();
    const cache = at(root, 'var/cache') as LayerDir;
    expect(cache.opaque).toBe(true);
    expect([...cache.entries.keys()]).toEqual(['new']); // the layer's own entries stay
    expect((at(root, 'var') as LayerDir).opaque).toBe(false);
    expect(warnings).toEqual(['skipped aufs metadata entry "var/.wh..wh.plnk"']);
  });

  it('a directory created after a whiteout of the same name in one layer is opaque', () => {
    const root = layerTreeFromTar(tarOf(entry({ name: '.wh.d' }), entry({ name: 'd/f' }, 'x')));
    expect((at(root, 'd') as LayerDir).opaque).toBe(true);
  });

  describe('refuses entries that would escape the root (UNSAFE_PATH)', () => {
    const cases: [string, Uint8Array[]][] = [
      ['../x', [entry({ name: '../x' }, 'evil')]],
      ['a/../../x', [entry({ name: 'a/../../x' }, 'evil')]],
      ['/../etc/passwd', [entry({ name: '/../etc/passwd' }, 'evil')]],
      ['link/passwd', [entry({ name: 'link', typeflag: '2', linkname: '/etc' }), entry({ name: 'link/passwd' }, 'evil')]],
      ['l/sub/f', [entry({ name: 'l', typeflag: '2', linkname: '..' }), entry({ name: 'l/sub/f' }, 'evil')]],
      ['hard', [entry({ name: 'hard', typeflag: '1', linkname: '../etc/shadow' })]],
      ['h2', [entry({ name: 'ln', typeflag: '2', linkname: '/' }), entry({ name: 'h2', typeflag: '1', linkname: 'ln/etc/shadow' })]],
      ['d/.wh..', [entry({ name: 'd/.wh..' })]],
    ];
    for (const [name, parts] of cases) {
      it(name, async () => {
        await expectCode(() => layerTreeFromTar(tarOf(...parts)), 'UNSAFE_PATH', `"${name}"`, 'byte');
      });
    }

    it('a NUL byte in a PAX path', async () => {
      const { paxData } = await import('./raw-tar.js');
      const tar = tarOf(entry({ name: 'p', typeflag: 'x' }, paxData({ path: 'a\0b' })), entry({ name: 'x' }));
      await expectCode(() => layerTreeFromTar(tar), 'UNSAFE_PATH', 'NUL');
    });

    it('symlink targets themselves may point anywhere', () => {
      const root = layerTreeFromTar(tarOf(entry({ name: 'up', typeflag: '2', linkname: '../../../../etc/passwd' })));
      expect((at(root, 'up') as SymlinkNode).target).toBe('../../../../etc/passwd');
    });
  });
});

describe('compression and parseLayerBlob', () => {
  const tar = tarOf(entry({ name: 'hello.txt' }, 'hello world'));

  it('detects gzip and zstd by magic', async () => {
    expect(detectCompression(await gzip(tar))).toBe('gzip');
    expect(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(tar)).toBe('none');
  });

  it('round-trips gzip', async () => {
    expect(await gunzip(await gzip(tar))).toEqual(tar);
  });

  it('garbage after the gzip magic is INVALID_GZIP', async () => {
    await expectCode(() => gunzip(new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { source: 'blob-x' }), 'INVALID_GZIP', 'blob-x');
    const z = await gzip(tar);
    await expectCode(() => gunzip(z.subarray(0, z.length - 10)), 'INVALID_GZIP');
    await expectCode(() => gunzip(tar), 'INVALID_GZIP', 'magic');
  });

  it('zstd layers are UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectCode(() => decompressLayer(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0]), { source: 'sha256:abc' }), 'UNSUPPORTED_MEDIA_TYPE', 'zstd', 'sha256:abc');
  });

  it('parses gzip and plain blobs; diffId is the sha256 of the uncompressed tar', async () => {
    for (const blob of [tar, await gzip(tar)]) {
      const layer = await parseLayerBlob(blob);
      expect(layer.diffId).toBe(digestOf(tar));
      expect(layer.tar).toEqual(tar);
      expect(text((layer.tree.entries.get('hello.txt') as FileNode).data)).toBe('hello world');
    }
  });
});

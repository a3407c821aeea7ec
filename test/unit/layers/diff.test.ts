import { describe, expect, it } from 'vitest';
import { diffEntries, diffToTar } from '../../../src/layers/diff.js';
import { layerTreeFromTar } from '../../../src/layers/layer-tree.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { applyLayer, mergeLayers } from '../../../src/vfs/merge.js';
import { TreeFs } from '../../../src/vfs/tree-fs.js';
import { fileBytes, newDir, newFile, newSymlink } from '../../../src/vfs/node.js';
import type { DirNode, Node } from '../../../src/vfs/node.js';
import { entry, tarOf } from './raw-tar.js';

const enc = new TextEncoder();
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function dir(entries: Record<string, Node>, init: Parameters<typeof newDir>[0] = {}): DirNode {
  const d = newDir(init);
  for (const [k, v] of Object.entries(entries)) d.entries.set(k, v);
  return d;
}

/** A copy-on-write copy of `d`, as the writable tree makes it. */
function copyOf(d: DirNode, changes: Record<string, Node | null> = {}): DirNode {
  const c: DirNode = { ...d, entries: new Map(d.entries), origin: d };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) c.entries.delete(k);
    else c.entries.set(k, v);
  }
  return c;
}

const names = (top: DirNode, lower: DirNode) => diffEntries(top, lower).map((e) => `${e.type}:${e.path}${e.linkpath ? `->${e.linkpath}` : ''}`);

describe('diffEntries (the rules of the copy-on-write tree)', () => {
  const lower = dir({
    etc: dir({ passwd: newFile(enc.encode('root')), hosts: newFile(enc.encode('h')) }),
    var: dir({ cache: dir({ old: newFile(enc.encode('o')) }), log: dir({}) }),
    usr: dir({ bin: dir({ a: newFile(enc.encode('a')) }) }),
  });

  it('the same tree gives no entries', () => {
    expect(diffEntries(lower, lower)).toEqual([]);
    expect(names(copyOf(lower), lower)).toEqual([]);
  });

  it('unchanged subtrees (same objects) are skipped; a copied dir is emitted with its changes only', () => {
    const etc = lower.entries.get('etc') as DirNode;
    const top = copyOf(lower, { etc: copyOf(etc, { hosts: newFile(enc.encode('new hosts')) }) });
    expect(names(top, lower)).toEqual(['directory:etc', 'file:etc/hosts']);
  });

  it('a deleted name becomes a .wh. whiteout', () => {
    const etc = lower.entries.get('etc') as DirNode;
    const top = copyOf(lower, { etc: copyOf(etc, { passwd: null }), usr: null });
    expect(names(top, lower)).toEqual(['directory:etc', 'file:etc/.wh.passwd', 'file:.wh.usr']);
  });

  it('a dir that replaces the lower one (no origin) is opaque: marker then its whole subtree', () => {
    const v = lower.entries.get('var') as DirNode;
    const fresh = dir({ b: newFile(enc.encode('b')), a: dir({ x: newFile() }) });
    const top = copyOf(lower, { var: copyOf(v, { cache: fresh }) });
    expect(names(top, lower)).toEqual([
      'directory:var',
      'directory:var/cache',
      'file:var/cache/.wh..wh..opq',
      'directory:var/cache/a',
      'file:var/cache/a/x',
      'file:var/cache/b',
    ]);
  });

  it('a dir moved from elsewhere (origin is another dir) is opaque too', () => {
    const v = lower.entries.get('var') as DirNode;
    const moved = copyOf(lower.entries.get('usr') as DirNode);
    const top = copyOf(lower, { var: copyOf(v, { log: moved }) });
    expect(names(top, lower)).toContain('file:var/log/.wh..wh..opq');
  });

  it('anything new is emitted with its subtree and no marker; a type change too', () => {
    const top = copyOf(lower, {
      opt: dir({ app: dir({ run: newFile(enc.encode('#!')) }), ln: newSymlink('app/run') }),
      usr: newSymlink('/opt'),
    });
    expect(names(top, lower)).toEqual([
      'directory:opt',
      'directory:opt/app',
      'file:opt/app/run',
      'symlink:opt/ln->app/run',
      'symlink:usr->/opt',
    ]);
  });

  it('the same file object at two paths: the second is a hard link to the first', () => {
    const f = newFile(enc.encode('shared'));
    f.nlink = 2;
    const top = copyOf(lower, { b: dir({ one: f }), a: dir({ two: f }) });
    expect(names(top, lower)).toEqual(['directory:a', 'file:a/two', 'directory:b', 'link:b/one->a/two']);
  });

  it('siblings are sorted by name, dirs before their contents', () => {
    const top = copyOf(lower, { z: newFile(), 'a-b': newFile(), a: dir({ c: newFile() }), B: newFile() });
    expect(names(top, lower)).toEqual(['file:B', 'directory:a', 'file:a/c', 'file:a-b', 'file:z']);
  });

  it('a root with no origin is opaque', () => {
    const top = dir({ only: newFile() });
    expect(names(top, lower)).toEqual(['file:.wh..wh..opq', 'file:only']);
  });

  it('clamps mtimes and keeps exact modes (even 0) and owners', async () => {
    const top = copyOf(lower, {
      old: newFile(enc.encode('x'), { mtimeMs: 1_000_000, mode: 0 }),
      late: newFile(enc.encode('y'), { mtimeMs: 9_000_000_000_000, mode: 0o4755, uid: 1000, gid: 50 }),
    });
    const { entries } = readTar(await diffToTar(top, lower, { mtimeMs: 2_000_000 }));
    expect(entries.map((e) => [e.path, e.mode, e.uid, e.gid, e.mtimeMs])).toEqual([
      ['late', 0o4755, 1000, 50, 2_000_000],
      ['old', 0, 0, 0, 1_000_000],
    ]);
  });

  it('writes long and unicode names with PAX, and is reproducible', async () => {
    const long = 'd'.repeat(120);
    const top = copyOf(lower, { [long]: dir({ 'ünï': newFile(enc.encode('u')), l: newSymlink('t'.repeat(200)) }) });
    const a = await diffToTar(top, lower);
    const b = await diffToTar(top, lower);
    expect(a).toEqual(b);
    const { entries } = readTar(a);
    expect(entries.map((e) => [e.type, e.path, e.linkpath])).toEqual([
      ['directory', `${long}/`, ''],
      ['symlink', `${long}/l`, 't'.repeat(200)],
      ['file', `${long}/ünï`, ''],
    ]);
    expect(text(entries[2]!.data)).toBe('u');
  });
});

/** Everything observable about a tree: kinds, modes, contents, targets and hard-link groups. */
function snapshot(root: DirNode): Record<string, string> {
  const out: Record<string, string> = {};
  const ids = new Map<Node, string>();
  const walk = (d: DirNode, path: string): void => {
    for (const [name, n] of [...d.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const p = `${path}/${name}`;
      const mode = n.mode.toString(8);
      if (n.kind === 'dir') {
        out[p] = `dir ${mode}`;
        walk(n, p);
      } else {
        const first = ids.get(n);
        if (first === undefined) ids.set(n, p);
        const link = first === undefined ? '' : ` =${first}`;
        out[p] = n.kind === 'file' ? `file ${mode} ${text(fileBytes(n))}${link}` : `symlink ${n.target}${link}`;
      }
    }
  };
  walk(root, '');
  return out;
}

describe('diff -> tar -> layer tree -> applyLayer round trip over a TreeFs', () => {
  it('gives back exactly the writable tree', async () => {
    const base = tarOf(
      entry({ name: 'etc/passwd' }, 'root:x:0:0'),
      entry({ name: 'etc/group' }, 'root:x:0:'),
      entry({ name: 'var/cache/a' }, 'a'),
      entry({ name: 'var/cache/sub/b' }, 'b'),
      entry({ name: 'bin/busybox', mode: 0o755 }, 'BB'),
      entry({ name: 'bin/ls', typeflag: '1', linkname: 'bin/busybox' }),
      entry({ name: 'lib', typeflag: '2', linkname: 'usr/lib' }),
      entry({ name: 'usr/lib/libc.so' }, 'libc'),
      entry({ name: 'home/user/.profile' }, 'export A=1'),
    );
    const lower = mergeLayers([layerTreeFromTar(base)]);
    let t = 1_000_000;
    const fs = new TreeFs(lower, { now: () => (t += 1000) });
    const write = (dirPath: string[], name: string, data: string): void => {
      const h = fs.open(dirPath, name, undefined, { write: true, create: true });
      h.write(enc.encode(data), 0);
      h.close();
    };
    // Change a lower file, delete one, add files, replace a dir whole, hard link, rename.
    const passwd = fs.open(['etc'], 'passwd', fs.lookup(fs.lookup(fs.root(), 'etc')!, 'passwd'), { write: true });
    passwd.write(enc.encode('\nuser:x:1000:1000'), passwd.size());
    passwd.close();
    fs.unlink(['etc'], 'group');
    write(['etc'], 'hostname', 'box');
    fs.unlink(['var', 'cache'], 'a');
    fs.unlink(['var', 'cache', 'sub'], 'b');
    fs.rmdir(['var', 'cache'], 'sub');
    fs.rmdir(['var'], 'cache');
    fs.mkdir(['var'], 'cache', 0o700);
    write(['var', 'cache'], 'fresh', 'new');
    fs.link(['bin'], 'busybox', ['bin'], 'cat');
    fs.mkdir([], 'opt', 0o755);
    write(['opt'], 'tool', 'T');
    fs.link(['opt'], 'tool', ['opt'], 'tool2');
    fs.symlink(['opt'], 'current', '/opt/tool');
    fs.rename(['home'], 'user', ['home'], 'person');
    fs.setAttrs(['usr', 'lib'], 'libc.so', { mode: 0o600 });

    const tar = await diffToTar(fs.rootNode, fs.lower);
    const merged = applyLayer(lower, layerTreeFromTar(tar));
    expect(snapshot(merged)).toEqual(snapshot(fs.rootNode));
    expect(snapshot(merged)).toMatchObject({
      '/etc/passwd': 'file 644 root:x:0:0\nuser:x:1000:1000',
      '/var/cache': 'dir 700',
      '/var/cache/fresh': 'file 644 new',
      '/opt/tool2': 'file 644 T =/opt/tool',
      '/home/person/.profile': 'file 644 export A=1',
    });
    expect(snapshot(merged)['/etc/group']).toBeUndefined();
    expect(snapshot(merged)['/var/cache/a']).toBeUndefined();
    // Untouched parts of the lower tree are not in the layer.
    const paths = readTar(tar).entries.map((e) => e.path);
    expect(paths).not.toContain('lib');
    expect(paths).not.toContain('bin/ls');
    expect(paths.some((p) => p.startsWith('home/person'))).toBe(true);
    expect(paths).toContain('var/cache/.wh..wh..opq');
    expect(paths).toContain('etc/.wh.group');
    expect(paths).toContain('home/.wh.user');
  });
});

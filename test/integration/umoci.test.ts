// Cross-check of our layer handling against umoci, a reference OCI unpacker: the same image
// (whiteouts, opaque directories with the marker after its siblings, hard links within and
// across layers, symlinks, nested directories) must give the same root file system whether
// umoci unpacks it onto disk or we merge it in memory; and a layer our diff writes must
// unpack under umoci to the very tree our writable layer holds.

import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex, digestOf } from '../../src/content/digest.js';
import type { Digest } from '../../src/content/digest.js';
import { gzip } from '../../src/layers/compression.js';
import { diffToTar } from '../../src/layers/diff.js';
import { parseLayerBlob } from '../../src/layers/layer-tree.js';
import { applyLayer, mergeLayers } from '../../src/vfs/merge.js';
import { fileBytes } from '../../src/vfs/node.js';
import type { DirNode, Node } from '../../src/vfs/node.js';
import { TreeFs } from '../../src/vfs/tree-fs.js';
import { ensureTool } from '../helpers/tools.js';

const run = promisify(execFile);
const enc = new TextEncoder();

type Spec = Partial<Header> & { name: string; body?: string };

/** A layer tar written by tar-stream (an independent writer), in the given entry order. */
async function tarOf(specs: Spec[]): Promise<Uint8Array> {
  const p = pack();
  const chunks: Uint8Array[] = [];
  const drained = (async () => {
    for await (const c of p) chunks.push(c as Uint8Array);
  })();
  for (const { body, ...h } of specs) {
    await new Promise<void>((resolve, reject) => {
      const header = { mtime: new Date(1_600_000_000_000), ...h };
      const cb = (e?: Error | null): void => (e ? reject(e) : resolve());
      if (body === undefined) p.entry(header, cb);
      else p.entry(header, enc.encode(body) as Buffer, cb);
    });
  }
  p.finalize();
  await drained;
  return Buffer.concat(chunks);
}

const dir = (name: string, mode = 0o755): Spec => ({ name, type: 'directory', mode });
const file = (name: string, body: string, mode = 0o644): Spec => ({ name, type: 'file', body, mode });
const symlink = (name: string, linkname: string): Spec => ({ name, type: 'symlink', linkname });
const hardlink = (name: string, linkname: string): Spec => ({ name, type: 'link', linkname });
const whiteout = (name: string): Spec => ({ name, type: 'file', body: '', mode: 0o644 });

const LAYERS: Spec[][] = [
  [
    dir('etc/'),
    file('etc/passwd', 'root:x:0:0'),
    file('etc/group', 'root:x:0:'),
    file('etc/motd', 'welcome'),
    dir('var/'),
    dir('var/cache/', 0o700),
    file('var/cache/a', 'a'),
    file('var/cache/b', 'b'),
    dir('var/cache/sub/'),
    file('var/cache/sub/c', 'c'),
    dir('bin/'),
    file('bin/busybox', 'BUSYBOX v1', 0o755),
    hardlink('bin/ls', 'bin/busybox'),
    dir('usr/'),
    dir('usr/lib/'),
    file('usr/lib/libc.so', 'libc', 0o755),
    symlink('lib', 'usr/lib'),
    dir('home/'),
    dir('home/user/', 0o750),
    file('home/user/.profile', 'export A=1'),
    dir('opt/'),
    dir('opt/old/'),
    file('opt/old/x', 'x'),
  ],
  [
    whiteout('etc/.wh.motd'),
    // The opaque marker after a sibling of this same layer: the sibling must survive.
    file('var/cache/new', 'new in layer 2'),
    whiteout('var/cache/.wh..wh..opq'),
    hardlink('bin/cat', 'bin/busybox'), // a link to a file of the layer below
    whiteout('home/.wh.user'),
    file('usr/lib/libm.so', 'libm'),
    dir('newdir/'),
    dir('newdir/deep/'),
    dir('newdir/deep/nested/', 0o700),
    file('newdir/deep/nested/file', 'deep'),
    hardlink('newdir/deep/same', 'newdir/deep/nested/file'),
  ],
  [
    whiteout('.wh.opt'),
    dir('opt/'),
    file('opt/fresh', 'fresh'),
    file('etc/passwd', 'root:x:0:0\nuser:x:1000:1000', 0o600),
    dir('var/cache/sub2/'),
    file('var/cache/sub2/x', 'x2'),
    file('bin/busybox', 'BUSYBOX v2', 0o755), // replaced: ls and cat keep the old one
    symlink('data', '/var/cache'),
    symlink('dangling', 'does/not/exist'),
  ],
];

interface Blob {
  digest: Digest;
  size: number;
}

class Layout {
  constructor(readonly root: string) {
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(root, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  put(data: Uint8Array | string): Blob {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    const digest = digestOf(bytes);
    writeFileSync(join(this.root, 'blobs', 'sha256', digestHex(digest)), bytes);
    return { digest, size: bytes.length };
  }

  /** Writes an image of these layer blobs (gzip or plain tars) tagged `tag`. */
  image(tag: string, layers: { blob: Uint8Array; diffId: Digest; gzip: boolean }[]): void {
    const config = this.put(
      JSON.stringify({
        architecture: 'wasm',
        os: 'wasi',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map(() => ({ created_by: 'umoci.test.ts' })),
      }),
    );
    const manifest = this.put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layers.map((l) => ({
          mediaType: l.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
          ...this.put(l.blob),
        })),
      }),
    );
    const indexPath = join(this.root, 'index.json');
    let index: { schemaVersion: number; manifests: unknown[] } = { schemaVersion: 2, manifests: [] };
    try {
      index = JSON.parse(readFileSync(indexPath, 'utf8'));
    } catch {
      // first image of the layout
    }
    index.manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...manifest,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    });
    writeFileSync(indexPath, JSON.stringify(index));
  }
}

/**
 * What both sides must agree on, one line per path: kind, permission bits, contents or
 * target, and hard-link groups (paths sharing one inode). Owners are left out: a rootless
 * unpack maps every owner to the current user.
 */
interface Snapshot {
  paths: Record<string, string>;
  links: string[][];
}

function normalizeLinks(groups: Map<unknown, string[]>): string[][] {
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort())
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

function snapshotDisk(root: string): Snapshot {
  const paths: Record<string, string> = {};
  const groups = new Map<number, string[]>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const p = `${rel}/${name}`;
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        paths[p] = `dir ${mode}`;
        walk(abs, p);
      } else if (st.isSymbolicLink()) {
        paths[p] = `symlink ${readlinkSync(abs)}`;
      } else {
        paths[p] = `file ${mode} ${readFileSync(abs, 'utf8')}`;
        groups.set(st.ino, [...(groups.get(st.ino) ?? []), p]);
      }
    }
  };
  walk(root, '');
  return { paths, links: normalizeLinks(groups) };
}

function snapshotTree(root: DirNode): Snapshot {
  const paths: Record<string, string> = {};
  const groups = new Map<Node, string[]>();
  const walk = (d: DirNode, rel: string): void => {
    for (const name of [...d.entries.keys()].sort()) {
      const n = d.entries.get(name)!;
      const p = `${rel}/${name}`;
      const mode = n.mode.toString(8);
      if (n.kind === 'dir') {
        paths[p] = `dir ${mode}`;
        walk(n, p);
      } else if (n.kind === 'symlink') {
        paths[p] = `symlink ${n.target}`;
      } else {
        paths[p] = `file ${mode} ${new TextDecoder().decode(fileBytes(n))}`;
        groups.set(n, [...(groups.get(n) ?? []), p]);
      }
    }
  };
  walk(root, '');
  return { paths, links: normalizeLinks(groups) };
}

describe('layers agree with umoci', () => {
  let umoci: string;
  let work: string;
  let layout: Layout;

  beforeAll(async () => {
    umoci = await ensureTool('umoci');
    work = mkdtempSync(join(tmpdir(), 'wasmbox-umoci-'));
    layout = new Layout(join(work, 'image'));
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function unpack(tag: string): Promise<Snapshot> {
    // `raw unpack` (rootfs only): plain `unpack` also writes a runtime config.json and
    // refuses images with os "wasi" ("unsupported OS").
    const rootfs = join(work, `rootfs-${tag}`);
    await run(umoci, ['raw', 'unpack', '--rootless', '--image', `${layout.root}:${tag}`, rootfs]);
    return snapshotDisk(rootfs);
  }

  it('merging three layers gives the rootfs umoci unpacks', async () => {
    const layers = [];
    for (const [i, specs] of LAYERS.entries()) {
      const tar = await tarOf(specs);
      const compressed = i !== 1; // mix gzip and plain layers
      layers.push({ tar, blob: compressed ? await gzip(tar) : tar, diffId: digestOf(tar), gzip: compressed });
    }
    layout.image('three', layers);

    const parsed = await Promise.all(layers.map((l) => parseLayerBlob(l.blob)));
    expect(parsed.map((p) => p.diffId)).toEqual(layers.map((l) => l.diffId));
    const ours = snapshotTree(mergeLayers(parsed.map((p) => p.tree)));
    const theirs = await unpack('three');

    expect(ours).toEqual(theirs);
    // The cases this image is about really happened (on both sides, given the equality above).
    expect(ours.paths['/etc/motd']).toBeUndefined();
    expect(ours.paths['/var/cache/a']).toBeUndefined();
    expect(ours.paths['/var/cache/new']).toBe('file 644 new in layer 2');
    expect(ours.paths['/home/user']).toBeUndefined();
    expect(ours.paths['/opt/old']).toBeUndefined();
    expect(ours.paths['/opt/fresh']).toBe('file 644 fresh');
    expect(ours.links).toEqual([
      ['/bin/cat', '/bin/ls'],
      ['/newdir/deep/nested/file', '/newdir/deep/same'],
    ]);
  });

  it('a layer written by our diff unpacks under umoci to the writable tree', async () => {
    const tars = await Promise.all(LAYERS.map((specs) => tarOf(specs)));
    const parsed = await Promise.all(tars.map((t) => parseLayerBlob(t)));
    const lower = mergeLayers(parsed.map((p) => p.tree));

    let t = 1_700_000_000_000;
    const fs = new TreeFs(lower, { now: () => (t += 1000) });
    const create = (dirPath: string[], name: string, body: string): void => {
      const h = fs.open(dirPath, name, undefined, { write: true, create: true });
      h.write(enc.encode(body), 0);
      h.close();
    };
    const lookup = (...parts: string[]): Node | undefined => {
      let n: Node | undefined = fs.root();
      for (const p of parts) n = n && fs.lookup(n, p);
      return n;
    };
    // Modify, delete, replace a directory whole, hard-link, rename, chmod, symlink.
    const passwd = fs.open(['etc'], 'passwd', lookup('etc', 'passwd'), { write: true });
    passwd.write(enc.encode('\nguest:x:2000:2000'), passwd.size());
    passwd.close();
    fs.unlink(['etc'], 'group');
    create(['etc'], 'hostname', 'wasmbox');
    fs.unlink(['var', 'cache', 'sub2'], 'x');
    fs.rmdir(['var', 'cache'], 'sub2');
    fs.unlink(['var', 'cache'], 'new');
    fs.rmdir(['var'], 'cache');
    fs.mkdir(['var'], 'cache', 0o755);
    create(['var', 'cache'], 'rebuilt', 'r');
    fs.link(['usr', 'lib'], 'libm.so', ['usr', 'lib'], 'libm.so.6');
    fs.mkdir([], 'srv', 0o755);
    fs.mkdir(['srv'], 'www', 0o750);
    create(['srv', 'www'], 'index.html', '<h1>hi</h1>');
    fs.link(['srv', 'www'], 'index.html', ['srv'], 'index-link.html');
    fs.rename(['newdir'], 'deep', ['newdir'], 'moved');
    fs.setAttrs(['usr', 'lib'], 'libc.so', { mode: 0o700 });
    fs.symlink([], 'www', 'srv/www');
    fs.unlink([], 'dangling');
    // Names only PAX can carry: long paths, non-ASCII, a long symlink target.
    const longDir = 'd'.repeat(120);
    fs.mkdir([], longDir, 0o755);
    create([longDir], 'f'.repeat(150), 'long path');
    create([longDir], 'ünïcødé-ファイル', 'utf-8');
    fs.symlink([longDir], 'far', '/' + 'x/'.repeat(80) + 'target');

    const layerTar = await diffToTar(fs.rootNode, fs.lower, { mtimeMs: 1_700_000_000_000 });
    const blob = await gzip(layerTar);
    layout.image('diffed', [
      ...tars.map((tar, i) => ({ blob: tar, diffId: parsed[i]!.diffId, gzip: false })),
      { blob, diffId: digestOf(layerTar), gzip: true },
    ]);

    const written = snapshotTree(fs.rootNode);
    const theirs = await unpack('diffed');
    expect(theirs).toEqual(written);
    // And our own reading of that layer agrees too.
    const reread = applyLayer(lower, (await parseLayerBlob(blob)).tree);
    expect(snapshotTree(reread)).toEqual(written);
    expect(written.paths['/var/cache/rebuilt']).toBe('file 644 r');
    expect(written.paths['/var/cache/sub']).toBeUndefined();
    expect(written.paths['/newdir/moved/nested/file']).toBe('file 644 deep');
    expect(written.paths[`/${longDir}/${'f'.repeat(150)}`]).toBe('file 644 long path');

    // GNU tar lists the layer the same way as we wrote it.
    const layerPath = join(work, 'diffed-layer.tar');
    writeFileSync(layerPath, layerTar);
    const { stdout } = await run('tar', ['-tf', layerPath], { maxBuffer: 1 << 24 });
    const listed = stdout.trim().split('\n');
    expect(listed).toContain(`${longDir}/${'f'.repeat(150)}`);
    expect(listed).toContain(`${longDir}/ünïcødé-ファイル`);
    expect(listed).toContain('var/cache/.wh..wh..opq');
  });
});

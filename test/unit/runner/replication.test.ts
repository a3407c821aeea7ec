// File-system replication without workers: random changes recorded on one replica and replayed
// on another give the same tree; the change log survives its binary encoding; a hub forwards
// changes between replicas built from its snapshots, and applies theirs to the container.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { ChangeQueue, decodeChanges, encodeChanges } from '../../../src/runner/replica/change-log.js';
import type { FsChange } from '../../../src/runner/replica/change-log.js';
import { ContainerFsHub } from '../../../src/runner/replica/hub.js';
import { RecordingNamespace } from '../../../src/runner/replica/recording-namespace.js';
import { FsReplica } from '../../../src/runner/replica/replica.js';
import { Namespace, TreeFs, mergeLayers, newDir, newFile, newSymlink } from '../../../src/vfs/index.js';
import type { DirNode } from '../../../src/vfs/index.js';
import { layerTreeFromTar, writeTar } from '../../../src/layers/index.js';
import type { TarWriteEntry } from '../../../src/layers/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Everything observable of a tree except times and inode numbers. */
function dump(ns: Namespace, dir = '/'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of ns.readdir(dir).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
    const st = ns.lstat(p);
    if (st.kind === 'dir') out[p] = { mode: st.mode, entries: dump(ns, p) };
    else if (st.kind === 'symlink') out[p] = { symlink: ns.readlink(p) };
    else out[p] = { mode: st.mode, nlink: st.nlink, data: dec.decode(ns.readFile(p)) };
  }
  return out;
}

function baseTree(): DirNode {
  const root = newDir();
  const a = newDir();
  a.entries.set('f', newFile(enc.encode('lower f')));
  root.entries.set('a', a);
  root.entries.set('l', newSymlink('a'));
  root.entries.set('c', newFile(enc.encode('lower c')));
  return root;
}

const NAMES = ['a', 'b', 'c', 'f', 'l'];
const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((c) => '/' + c.join('/'));
const dataArb = fc.uint8Array({ maxLength: 12 });

type Op = (ns: Namespace) => void;
const opArb: fc.Arbitrary<[string, Op]> = fc.oneof(
  pathArb.chain((p) => dataArb.map((d): [string, Op] => [`writeFile ${p}`, (ns) => ns.writeFile(p, d)])),
  fc.tuple(pathArb, dataArb, fc.integer({ min: 0, max: 20 })).map(([p, d, at]): [string, Op] => [
    `pwrite ${p} @${at}`,
    (ns) => {
      const f = ns.open(p, { write: true, create: true });
      try {
        f.write(d, at);
        f.write(d, at + d.length);
      } finally {
        f.close();
      }
    },
  ]),
  fc.tuple(pathArb, dataArb).map(([p, d]): [string, Op] => [
    `append ${p}`,
    (ns) => {
      const f = ns.open(p, { write: true, append: true });
      f.append(d);
      f.close();
    },
  ]),
  fc.tuple(pathArb, fc.integer({ min: 0, max: 10 })).map(([p, n]): [string, Op] => [`truncate ${p} ${n}`, (ns) => ns.truncate(p, n)]),
  pathArb.map((p): [string, Op] => [`mkdir ${p}`, (ns) => ns.mkdir(p, { mode: 0o700 })]),
  pathArb.map((p): [string, Op] => [`mkdir -p ${p}`, (ns) => ns.mkdir(p, { recursive: true })]),
  pathArb.map((p): [string, Op] => [`rmdir ${p}`, (ns) => ns.rmdir(p)]),
  pathArb.map((p): [string, Op] => [`unlink ${p}`, (ns) => ns.unlink(p)]),
  fc.tuple(fc.constantFrom('a', 'b', '/c', 'a/f', 'missing'), pathArb).map(([t, p]): [string, Op] => [`symlink ${t} ${p}`, (ns) => ns.symlink(t, p)]),
  fc.tuple(pathArb, pathArb).map(([a, b]): [string, Op] => [`link ${a} ${b}`, (ns) => ns.link(a, b)]),
  fc.tuple(pathArb, pathArb).map(([a, b]): [string, Op] => [`rename ${a} ${b}`, (ns) => ns.rename(a, b)]),
  fc.tuple(pathArb, fc.integer({ min: 0, max: 0o777 })).map(([p, m]): [string, Op] => [`chmod ${p} ${m.toString(8)}`, (ns) => ns.chmod(p, m)]),
  fc.tuple(pathArb, fc.integer({ min: 0, max: 0o777 })).map(([p, m]): [string, Op] => [
    `fchmod ${p}`,
    (ns) => {
      const f = ns.open(p, { read: true });
      f.setAttrs({ mode: m });
      f.close();
    },
  ]),
);

function run(ns: Namespace, op: Op): void {
  try {
    op(ns);
  } catch (e) {
    if (!(e instanceof WasmboxError)) throw e;
  }
}

describe('change log', () => {
  it('random changes recorded on one replica and replayed on another give identical trees', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), fc.boolean(), (ops, viaBytes) => {
        const base = baseTree();
        const queue = new ChangeQueue();
        const a = new RecordingNamespace(new TreeFs(base), { record: (c) => queue.push(c) });
        const b = new RecordingNamespace(new TreeFs(base), { record: () => expect.fail('replaying must not record') });
        for (const [, op] of ops) run(a, op);
        let changes = queue.take();
        if (viaBytes) changes = decodeChanges(encodeChanges(changes));
        expect(b.applyRemote(changes)).toBe(0);
        expect(dump(b)).toEqual(dump(a));
      }),
      { numRuns: 300 },
    );
  });

  it('merges contiguous writes to one file into one change', () => {
    const q = new ChangeQueue();
    for (let i = 0; i < 1000; i++) q.push({ op: 'write', path: '/f', position: i, data: Uint8Array.of(i & 0xff) });
    q.push({ op: 'write', path: '/g', position: 0, data: Uint8Array.of(1) });
    q.push({ op: 'write', path: '/g', position: 5, data: Uint8Array.of(2) });
    const out = q.take();
    expect(out.map((c) => c.op === 'write' && [c.path, c.position, c.data.length])).toEqual([
      ['/f', 0, 1000],
      ['/g', 0, 1],
      ['/g', 5, 1],
    ]);
    expect((out[0] as Extract<FsChange, { op: 'write' }>).data[999]).toBe(999 & 0xff);
    expect(q.length).toBe(0);
  });

  it('copies write data (the caller may reuse its buffer, as guest memory is)', () => {
    const q = new ChangeQueue();
    const buf = Uint8Array.of(1, 2, 3);
    q.push({ op: 'write', path: '/f', position: 0, data: buf });
    buf.fill(9);
    expect([...(q.take()[0] as Extract<FsChange, { op: 'write' }>).data]).toEqual([1, 2, 3]);
  });

  it('records paths with their parent resolved, so a replay does not depend on symlinks changed since', () => {
    const queue = new ChangeQueue();
    const a = new RecordingNamespace(new TreeFs(baseTree()), { record: (c) => queue.push(c) });
    a.writeFile('/l/new', 'x');
    expect(queue.take().map((c) => c.op !== 'rename' && c.path)).toEqual(['/a/new', '/a/new']);
  });

  it('does not record changes under an unreplicated mount (a host directory)', () => {
    const queue = new ChangeQueue();
    const a = new RecordingNamespace(new TreeFs(), { record: (c) => queue.push(c) });
    a.mount('/host', new TreeFs());
    a.unreplicated('/host');
    a.writeFile('/host/x', 'x');
    a.writeFile('/y', 'y');
    expect(queue.take().map((c) => c.op !== 'rename' && c.path)).toEqual(['/y', '/y']);
  });
});

function tarOf(entries: TarWriteEntry[]): Uint8Array {
  return writeTar(entries);
}

describe('ContainerFsHub', () => {
  function container(): ContainerFsHub {
    const layer = tarOf([
      { path: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 },
      { path: 'etc/hostname', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('box\n') },
      { path: 'etc/gone', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: enc.encode('gone') },
    ]);
    const lower = mergeLayers([layerTreeFromTar(layer)]);
    const hub = new ContainerFsHub({ top: new TreeFs(lower), lower: { chainId: `sha256:test-${Math.random()}`, tars: [layer] } });
    hub.mount('/tmp', new TreeFs());
    return hub;
  }

  it('builds a replica equal to the container, including top-layer changes, deletions and tmpfs content', () => {
    const hub = container();
    hub.fs.writeFile('/etc/hostname', 'changed\n');
    hub.fs.unlink('/etc/gone');
    hub.fs.mkdir('/data');
    hub.fs.symlink('/etc/hostname', '/data/link');
    hub.fs.writeFile('/tmp/scratch', 'tmp');
    const replica = new FsReplica(hub.openReplica().init);
    expect(dump(replica.fs)).toEqual(dump(hub.fs));
    expect(replica.fs.listMounts().map((m) => m.path)).toEqual(['/tmp']);
  });

  it("applies a replica's changes to the container and forwards them to the other replicas; engine changes reach every replica", () => {
    const hub = container();
    const l1 = hub.openReplica();
    const l2 = hub.openReplica();
    const r1 = new FsReplica(l1.init);
    const r2 = new FsReplica(l2.init);
    r1.fs.writeFile('/etc/from-1', 'one');
    r1.fs.writeFile('/tmp/t', 'tmp one');
    l1.receive(r1.takeChanges());
    expect(dec.decode(hub.fs.readFile('/etc/from-1'))).toBe('one');
    // r2 sees it at its next call (the inbox is read at the start of each call).
    expect(dec.decode(r2.fs.readFile('/etc/from-1'))).toBe('one');
    expect(dec.decode(r2.fs.readFile('/tmp/t'))).toBe('tmp one');
    // Engine-side changes go out in a microtask, or at once with flush().
    hub.fs.rename('/etc/from-1', '/etc/renamed');
    hub.flush();
    expect(r1.fs.exists('/etc/from-1')).toBe(false);
    expect(r2.fs.exists('/etc/renamed')).toBe(true);
    // r1's own change did not come back to it as a conflict.
    expect(r1.conflicts).toBe(0);
    expect(l1.conflicts).toBe(0);
    expect(dump(r1.fs)).toEqual(dump(hub.fs));
    expect(dump(r2.fs)).toEqual(dump(hub.fs));
    l1.close();
    l2.close();
    expect(hub.replicas).toBe(0);
  });

  it('delivers a change log larger than the inbox in pieces', async () => {
    const hub = new ContainerFsHub({ top: new TreeFs(), inboxBytes: 4096 });
    const link = hub.openReplica();
    const replica = new FsReplica(link.init);
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    hub.fs.writeFile('/big', big);
    hub.flush();
    for (let i = 0; i < 200 && !replica.fs.exists('/big'); i++) await new Promise((r) => setTimeout(r, 3));
    expect(replica.fs.readFile('/big')).toEqual(big);
    link.close();
  });

  it('without lower layers, the snapshot carries the whole tree', () => {
    const top = new TreeFs(baseTree());
    const hub = new ContainerFsHub({ top });
    hub.fs.writeFile('/new', 'n');
    const replica = new FsReplica(hub.openReplica().init);
    expect(dump(replica.fs)).toEqual(dump(hub.fs));
  });

  it('refuses a mount that a worker cannot reach, naming it', () => {
    const hub = new ContainerFsHub({ top: new TreeFs() });
    const other = new Namespace(new TreeFs()).root;
    hub.fs.mount('/odd', { ...other, dev: 99, root: () => other.root() } as never);
    expect(() => hub.openReplica()).toThrow(/mount at \/odd cannot be reached from a worker process/);
  });
});

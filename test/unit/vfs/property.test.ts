// Model-based property test of the union file system: random lower trees (1-3 layers with
// whiteouts and opaque directories) and random operation sequences, run on a container forked
// from the merged tree, on the kernel (node:fs on the same layers unpacked in a temp dir) and
// on the host-directory backend over another unpacked copy.
// Each step's result must match, then the whole tree; and the lower tree, and a second
// container forked from it, must not see any of it (copy-on-write never leaks).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { HostDirBackend } from '../../../src/platform/node/host-dir-backend.js';
import { Namespace, TreeFs, forkContainerFs } from '../../../src/vfs/index.js';
import type { DirNode } from '../../../src/vfs/index.js';
import { type LayerSpec, type LayerSpecEntry, materializeLayers, mergeSpecs } from '../../helpers/layers.js';
import { NodeRefFs, type VfsApi } from '../../helpers/node-ref-fs.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

const NAMES = ['a', 'b', 'c'];
// Relative targets made of names only, which never climb above the link's own directory: the
// reference is a real directory, where `..` past its root would leave it (the container's `..`
// stops at /; even `a/../c` climbs when `a` links to `.`), and absolute targets would name the
// host's root. `..` and escapes are tested in the vfs suite and escape.test.ts.
const TARGETS = ['a', 'b', 'c', 'a/b', 'b/c', 'c/a/b', '.', 'missing'];

const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((c) => '/' + c.join('/'));
const contentArb = fc.constantFrom('', 'x', 'hello', 'lower file content');

const entryArb: fc.Arbitrary<LayerSpecEntry> = fc.oneof(
  { weight: 4, arbitrary: contentArb },
  { weight: 2, arbitrary: fc.constant('dir' as const) },
  { weight: 1, arbitrary: fc.constant('opaque-dir' as const) },
  { weight: 1, arbitrary: fc.constant('whiteout' as const) },
  { weight: 1, arbitrary: fc.constantFrom(...TARGETS).map((symlink) => ({ symlink })) },
);

/**
 * A layer as a tar could hold it: parents before children, and nothing below an entry of the
 * same layer that is not a directory (a whiteout or file and then its children is not a tar
 * any tool writes, and merge and unpack may read it differently).
 */
const layerArb: fc.Arbitrary<LayerSpec> = fc.array(fc.tuple(pathArb, entryArb), { maxLength: 8 }).map((pairs) => {
  const byPath = new Map(pairs);
  const paths = [...byPath.keys()].sort((x, y) => x.split('/').length - y.split('/').length);
  const spec: LayerSpec = {};
  for (const p of paths) {
    const parts = p.split('/').filter(Boolean);
    const blocked = parts.slice(0, -1).some((_, i) => {
      const anc = byPath.get('/' + parts.slice(0, i + 1).join('/'));
      return anc !== undefined && anc !== 'dir' && anc !== 'opaque-dir';
    });
    if (!blocked) spec[p] = byPath.get(p)!;
  }
  return spec;
});

type Op =
  | { op: 'writeFile'; path: string; data: string }
  | { op: 'append'; path: string; data: string }
  | { op: 'mkdir'; path: string }
  | { op: 'rmdir'; path: string }
  | { op: 'unlink'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'link'; from: string; to: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'truncate'; path: string; size: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('writeFile' as const), path: pathArb, data: contentArb }),
  fc.record({ op: fc.constant('append' as const), path: pathArb, data: contentArb }),
  fc.record({ op: fc.constant('mkdir' as const), path: pathArb }),
  fc.record({ op: fc.constant('rmdir' as const), path: pathArb }),
  fc.record({ op: fc.constant('unlink' as const), path: pathArb }),
  fc.record({ op: fc.constant('rename' as const), from: pathArb, to: pathArb }),
  fc.record({ op: fc.constant('symlink' as const), target: fc.constantFrom(...TARGETS), path: pathArb }),
  fc.record({ op: fc.constant('link' as const), from: pathArb, to: pathArb }),
  fc.record({ op: fc.constant('chmod' as const), path: pathArb, mode: fc.constantFrom(0o600, 0o644, 0o755, 0o700) }),
  fc.record({ op: fc.constant('truncate' as const), path: pathArb, size: fc.integer({ min: 0, max: 6 }) }),
);

function apply(fs: VfsApi, o: Op): string {
  try {
    switch (o.op) {
      case 'writeFile':
        fs.writeFile(o.path, o.data);
        break;
      case 'append': {
        const f = fs.open(o.path, { write: true, append: true, create: true });
        try {
          f.append(enc.encode(o.data));
        } finally {
          f.close();
        }
        break;
      }
      case 'mkdir':
        fs.mkdir(o.path);
        break;
      case 'rmdir':
        fs.rmdir(o.path);
        break;
      case 'unlink':
        fs.unlink(o.path);
        break;
      case 'rename':
        fs.rename(o.from, o.to);
        break;
      case 'symlink':
        fs.symlink(o.target, o.path);
        break;
      case 'link':
        fs.link(o.from, o.to);
        break;
      case 'chmod':
        fs.chmod(o.path, o.mode);
        break;
      case 'truncate':
        fs.truncate(o.path, o.size);
        break;
    }
    return 'ok';
  } catch (e) {
    if (e instanceof WasmboxError) return e.code;
    throw e;
  }
}

interface Dump {
  tree: unknown[];
  /** Paths grouped by inode, for files with more than one name (hard links). */
  links: string[][];
}

/** Everything a program can see of the tree, without following symlinks; times only on request. */
function dump(fs: VfsApi, options: { times?: boolean } = {}): Dump {
  const byIno = new Map<number, string[]>();
  const walk = (dir: string): unknown[] =>
    fs
      .readdir(dir)
      .map((e) => e.name)
      .sort()
      .map((name) => {
        const p = `${dir === '/' ? '' : dir}/${name}`;
        const s = fs.lstat(p);
        const times = options.times ? [s.mtimeMs, s.atimeMs] : [];
        if (s.kind === 'dir') return [name, 'dir', s.mode, ...times, walk(p)];
        if (s.kind === 'symlink') return [name, '->', fs.readlink(p), ...times];
        byIno.set(s.ino, [...(byIno.get(s.ino) ?? []), p]);
        return [name, dec.decode(fs.readFile(p)), s.mode, s.nlink, ...times];
      });
  const tree = walk('/');
  const links = [...byIno.values()].filter((g) => g.length > 1).map((g) => g.sort()).sort();
  return { tree, links };
}

function lowerView(lower: DirNode): Dump {
  return dump(new Namespace(new TreeFs(lower)), { times: true });
}

describe('union fs against the kernel (property)', () => {
  it('every step and the final tree match node:fs on the unpacked layers; the lower tree never changes', () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 1, maxLength: 3 }), fc.array(opArb, { maxLength: 25 }), (layers, ops) => {
        const lower = mergeSpecs(layers);
        const before = lowerView(lower);
        const { fs } = forkContainerFs(lower);
        const sibling = forkContainerFs(lower).fs;
        const ref = NodeRefFs.temp('wasmbox-prop-');
        // The same layers unpacked in another directory, seen through the host-directory backend.
        const hostDir = NodeRefFs.temp('wasmbox-prop-host-');
        try {
          materializeLayers(ref.root, layers);
          materializeLayers(hostDir.root, layers);
          const host = new Namespace(new HostDirBackend(hostDir.root));
          expect(dump(fs)).toEqual(dump(ref));
          ops.forEach((o, i) => {
            const want = apply(ref, o);
            expect(apply(fs, o), `union, step ${i}: ${JSON.stringify(o)}`).toBe(want);
            expect(apply(host, o), `host dir, step ${i}: ${JSON.stringify(o)}`).toBe(want);
          });
          const final = dump(ref);
          expect(dump(fs)).toEqual(final);
          expect(dump(host)).toEqual(final);
          expect(lowerView(lower)).toEqual(before);
          expect(dump(sibling, { times: true })).toEqual(before);
        } finally {
          ref.cleanup();
          hostDir.cleanup();
        }
      }),
      // ~2 ms a run (a temp dir each): well under the 10 s budget.
      { numRuns: 600 },
    );
  }, 30_000);
});

// Benchmarks of the union file system (src/vfs): path lookups through images of 1, 10 and
// 100 layers, file creation and reads in a container's top layer against memfs and a plain
// Map, O(1) container forks (time and heap per fork), and stat of 10k files.
// Run alone with `node --expose-gc --import tsx bench/vfs.bench.ts`, or all with `npm run bench`.

import { Volume } from 'memfs';
import {
  type DirNode,
  type LayerDir,
  type LayerEntry,
  forkContainerFs,
  mergeLayers,
  newFile,
  newLayerDir,
} from '../src/vfs/index.js';
import type { ContainerFs } from '../src/vfs/index.js';
import { type BenchCase, type BenchOptions, type Table, compare, markdown, measure, now, rowOf, table } from './lib.js';
import { heapAfterGc } from './node-gc.js';

interface Sizes {
  /** Files each layer adds to each of its directories (lookup bench). */
  filesPerDir: number;
  /** Files created then read in one top layer. */
  createCount: number;
  /** Containers forked from one image. */
  forkCount: number;
  /** Files per layer of the 100-layer stat image (100 × this files in all). */
  statFilesPerLayer: number;
  /** Full copies of the image into memfs for the "copy instead of fork" reference. */
  memfsCopies: number;
  rounds: number;
  minTimeMs: number;
}

const FULL: Sizes = {
  filesPerDir: 5,
  createCount: 10_000,
  forkCount: 10_000,
  statFilesPerLayer: 100,
  memfsCopies: 3,
  rounds: 9,
  minTimeMs: 100,
};
const QUICK: Sizes = {
  filesPerDir: 1,
  createCount: 200,
  forkCount: 200,
  statFilesPerLayer: 2,
  memfsCopies: 1,
  rounds: 1,
  minTimeMs: 2,
};

const enc = new TextEncoder();
const CONTENT = enc.encode('x'.repeat(100));

/** A layer holding `paths` (regular files, parents implied), as a tar would describe it. */
export function layerOf(paths: Iterable<string>, data: Uint8Array = CONTENT): LayerDir {
  const root = newLayerDir();
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const p of parts.slice(0, -1)) {
      let next: LayerEntry | undefined = dir.entries.get(p);
      if (next === undefined || next.kind !== 'dir') {
        next = newLayerDir({}, false);
        dir.entries.set(p, next);
      }
      dir = next;
    }
    dir.entries.set(parts[parts.length - 1]!, newFile(data));
  }
  return root;
}

/** Layer i of the lookup image: files in shared directories and in directories of its own. */
function lookupLayerPaths(i: number, filesPerDir: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < filesPerDir; j++) {
    out.push(`/usr/bin/t${i}_${j}`, `/usr/lib/p${i}/l${j}.so`, `/usr/share/p${i}/d${j}`, `/etc/p${i}/c${j}`);
  }
  return out;
}

/** Paths of the stat image: half in one directory shared by all layers, half in per-layer directories. */
function statPaths(layers: number, perLayer: number): string[][] {
  return Array.from({ length: layers }, (_, i) =>
    Array.from({ length: perLayer }, (_, j) => (j % 2 === 0 ? `/usr/bin/b${i}_${j}` : `/usr/share/p${i}/f${j}`)),
  );
}

/** Files every image has (an empty /tmp, a small /etc); they go into the bottom layer, so an n-layer image has n layers. */
const BASE_FILES = ['/tmp/.keep', '/etc/os-release'];

/** The merged lower tree of an image whose layers hold `layers` (path lists, bottom first). */
function imageWith(layers: string[][]): DirNode {
  const [first = [], ...rest] = layers;
  return mergeLayers([layerOf([...BASE_FILES, ...first]), ...rest.map((paths) => layerOf(paths))]);
}

function lookupTable(s: Sizes): Table {
  // Depth-4 paths from the bottom layer: a naive overlay would search every layer above it.
  const targets = Array.from({ length: s.filesPerDir }, (_, j) => [`/usr/lib/p0/l${j}.so`, `/usr/share/p0/d${j}`]).flat();
  const cases: BenchCase[] = [1, 10, 100].map((n) => {
    const image = imageWith(Array.from({ length: n }, (_, i) => lookupLayerPaths(i, s.filesPerDir)));
    const { fs } = forkContainerFs(image);
    fs.writeFile('/tmp/started', 'y'); // a running container has a non-empty top layer
    return {
      name: `${n} layer${n === 1 ? '' : 's'}`,
      fn: () => {
        for (const p of targets) fs.stat(p);
      },
    };
  });
  // memfs holding the same files as the 100-layer image, as an outside reference.
  const vol = new Volume();
  for (let i = 0; i < 100; i++) {
    for (const p of lookupLayerPaths(i, s.filesPerDir)) {
      vol.mkdirSync(p.slice(0, p.lastIndexOf('/')), { recursive: true });
      vol.writeFileSync(p, CONTENT);
    }
  }
  cases.push({
    name: 'memfs (files of 100 layers)',
    fn: () => {
      for (const p of targets) vol.statSync(p);
    },
  });
  const [m1, m10, m100, mm] = compare(cases, { opsPerCall: targets.length, rounds: s.rounds, minTimeMs: s.minTimeMs });
  return table(
    'Lookup + stat of a depth-4 path in a container (Namespace.stat)',
    [
      rowOf(m1!, { unit: 'ns/op' }),
      rowOf(m10!, { unit: 'ns/op', vs: ['1 layer'] }),
      rowOf(m100!, { unit: 'ns/op', vs: ['1 layer', 'memfs (files of 100 layers)'], note: 'goal ≤ 1.20× 1 layer' }),
      rowOf(mm!, { unit: 'ns/op', vs: ['1 layer'] }),
    ],
    {
      notes: [
        `Each layer adds ${4 * s.filesPerDir} files in 4 directories (2 shared by all layers, 2 of its own); the paths looked up come from the bottom layer.`,
      ],
    },
  );
}

function createReadTable(s: Sizes): Table {
  const n = s.createCount;
  const names = Array.from({ length: n }, (_, i) => `/tmp/f${i}`);
  const image = imageWith([[]]);
  const opts = { opsPerCall: n, rounds: s.rounds, minTimeMs: s.minTimeMs };

  let c: ContainerFs = forkContainerFs(image);
  let vol = new Volume();
  // The baseline copies bytes in and out like the two file systems do.
  let map = new Map<string, Uint8Array>();
  const [wbCreate, mfCreate, mapCreate] = compare(
    [
      {
        name: 'wasmbox create',
        fn: () => {
          c = forkContainerFs(image);
          for (const p of names) c.fs.writeFile(p, CONTENT);
        },
      },
      {
        name: 'memfs create',
        fn: () => {
          vol = new Volume();
          vol.mkdirSync('/tmp');
          for (const p of names) vol.writeFileSync(p, CONTENT);
        },
      },
      {
        name: 'Map create',
        fn: () => {
          map = new Map();
          for (const p of names) map.set(p, CONTENT.slice());
        },
      },
    ],
    opts,
  );

  let sink = 0;
  const [wbRead, mfRead, mapRead] = compare(
    [
      {
        name: 'wasmbox read',
        fn: () => {
          for (const p of names) sink += c.fs.readFile(p).length;
        },
      },
      {
        name: 'memfs read',
        fn: () => {
          for (const p of names) sink += (vol.readFileSync(p) as Uint8Array).length;
        },
      },
      {
        name: 'Map read',
        fn: () => {
          for (const p of names) sink += map.get(p)!.slice().length;
        },
      },
    ],
    opts,
  );
  if (sink === 0) throw new Error('bench read nothing');

  return table(
    `Create ${n.toLocaleString('en-US')} files, then read them all, in a container's top layer`,
    [
      rowOf(wbCreate!, { unit: 'ns/op', vs: ['memfs create', 'Map create'] }),
      rowOf(mfCreate!, { unit: 'ns/op', vs: ['Map create'] }),
      rowOf(mapCreate!, { unit: 'ns/op' }),
      rowOf(wbRead!, { unit: 'ns/op', vs: ['memfs read', 'Map read'] }),
      rowOf(mfRead!, { unit: 'ns/op', vs: ['Map read'] }),
      rowOf(mapRead!, { unit: 'ns/op' }),
    ],
    {
      notes: [
        `Files of ${CONTENT.length} bytes in one directory; wasmbox through Namespace.writeFile/readFile (open, write, close), memfs through its sync API (Volume), the Map copies bytes on set and get.`,
      ],
    },
  );
}

/** 100 × perLayer files, either one layer per group of perLayer (split) or all in one layer. */
function statImage(perLayer: number, { split }: { split: boolean }): { image: DirNode; paths: string[] } {
  const groups = statPaths(100, perLayer);
  const paths = groups.flat();
  return { image: imageWith(split ? groups : [paths]), paths };
}

function statTable(s: Sizes): Table {
  const one = statImage(s.statFilesPerLayer, { split: false });
  const hundred = statImage(s.statFilesPerLayer, { split: true });
  const count = one.paths.length;
  const opts = { opsPerCall: count, rounds: s.rounds, minTimeMs: s.minTimeMs };
  const [s1, s100] = compare(
    [one, hundred].map((img, k) => {
      const { fs } = forkContainerFs(img.image);
      return {
        name: k === 0 ? 'stat, 1-layer image' : 'stat, 100-layer image',
        fn: () => {
          for (const p of img.paths) fs.stat(p);
        },
      };
    }),
    opts,
  );
  const rows = [rowOf(s1!, { unit: 'ns/op' }), rowOf(s100!, { unit: 'ns/op', vs: ['stat, 1-layer image'] })];
  // Merging happens once per chain id (then cached); shown so its cost is known.
  const layers1 = [layerOf(one.paths)];
  const layers100 = statPaths(100, s.statFilesPerLayer).map((g) => layerOf(g));
  const mergeOpts = { rounds: s.rounds, minTimeMs: s.minTimeMs };
  const [m1, m100] = compare(
    [
      { name: 'merge, 1 layer', fn: () => mergeLayers(layers1) },
      { name: 'merge, 100 layers', fn: () => mergeLayers(layers100) },
    ],
    mergeOpts,
  );
  rows.push(rowOf(m1!, { unit: 'µs/op' }), rowOf(m100!, { unit: 'µs/op', vs: ['merge, 1 layer'] }));
  return table(`Stat ${count.toLocaleString('en-US')} files: the same files in a 100-layer vs a 1-layer image`, rows, {
    notes: [
      'Half of the files sit in one directory every layer adds to, half in a directory per layer. Merge = building the image\'s lower tree from its layer trees (once per chain id, µs per image).',
    ],
  });
}

function forkTable(s: Sizes): Table {
  const n = s.forkCount;
  const img = statImage(s.statFilesPerLayer, { split: true });
  const hostname = enc.encode('c0ffee\n');

  const forkAll = (): ContainerFs[] => {
    const out: ContainerFs[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const c = forkContainerFs(img.image);
      c.fs.writeFile('/etc/hostname', hostname);
      out[i] = c;
    }
    return out;
  };
  const emptyVolumes = (): InstanceType<typeof Volume>[] => {
    const out: InstanceType<typeof Volume>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = new Volume();
      v.mkdirSync('/etc');
      v.writeFileSync('/etc/hostname', hostname);
      out[i] = v;
    }
    return out;
  };
  const opts = { iterations: 1, warmup: 1, opsPerCall: n, rounds: Math.min(5, s.rounds) };
  const [tFork, tEmpty] = compare(
    [
      { name: 'wasmbox fork + write /etc/hostname', fn: forkAll },
      { name: 'memfs empty Volume + write', fn: emptyVolumes },
    ],
    opts,
  );

  // Copying the image's files is what a fork avoids.
  const json: Record<string, string> = {};
  const text = new TextDecoder().decode(CONTENT);
  for (const p of img.paths) json[p] = text;
  json['/etc/hostname'] = 'c0ffee\n';
  const tCopy = measure('memfs copy of the image', () => Volume.fromJSON(json), {
    iterations: s.memfsCopies,
    warmup: 1,
    rounds: Math.min(3, s.rounds),
  });

  const heapPer = (make: () => unknown[]): number => {
    const before = heapAfterGc();
    const kept = make();
    const after = heapAfterGc();
    if (kept.length !== n) throw new Error('fork bench lost containers');
    return (after - before) / n;
  };
  const memFork = heapPer(forkAll);
  const memEmpty = heapPer(emptyVolumes);

  return table(
    `Fork ${n.toLocaleString('en-US')} containers from one image (${img.paths.length.toLocaleString('en-US')} files, 100 layers) and write one file in each`,
    [
      rowOf(tFork!, { unit: 'µs/op', vs: ['memfs empty Volume + write', 'memfs copy of the image'] }),
      rowOf(tEmpty!, { unit: 'µs/op' }),
      rowOf(tCopy, { unit: 'µs/op' }),
      { name: 'heap per wasmbox container', value: memFork, unit: 'bytes', vs: ['heap per memfs empty Volume'] },
      { name: 'heap per memfs empty Volume', value: memEmpty, unit: 'bytes' },
    ],
    {
      notes: [
        'Heap = process.memoryUsage().heapUsed delta after a full GC with all containers alive, divided by their number.',
      ],
    },
  );
}

export async function run(options: BenchOptions = {}): Promise<Table[]> {
  const s = options.quick ? QUICK : FULL;
  return [lookupTable(s), createReadTable(s), statTable(s), forkTable(s)];
}

// Run directly: `node --expose-gc --import tsx bench/vfs.bench.ts [--quick]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = now();
  for (const t of await run({ quick: process.argv.includes('--quick') })) console.log(markdown(t));
  console.log(`(${((now() - t0) / 1000).toFixed(1)} s)`);
}

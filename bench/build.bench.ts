// Dockerfile builds through the engine's build service over an on-disk root (the daemon's
// setup: build cache file, RUN in a worker): a small context (COPY + RUN with toolbox +
// metadata) built without the cache, then again fully cached, against `cp -r` of the context
// as the floor of "touching the files at all". Run alone: `node --import tsx bench/build.bench.ts`.

import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryBuildContext } from '../src/platform/node/build-context.js';
import { openNodeEngine } from '../src/platform/node/engine.js';
import { installNodeSha256 } from '../src/platform/node/hash.js';
import { type BenchOptions, type Row, type Table, median, now, table } from './lib.js';

interface Sizes {
  files: number;
  fileSize: number;
  rounds: number;
}

const FULL: Sizes = { files: 200, fileSize: 2_000, rounds: 5 };
const QUICK: Sizes = { files: 5, fileSize: 100, rounds: 1 };

const DOCKERFILE = [
  'FROM toolbox',
  'WORKDIR /app',
  'COPY src/ src/',
  'RUN find src -type f | sort | xargs cat | wc -c > size.txt',
  'ENV MODE=bench',
  'LABEL bench=build',
  'CMD ["cat", "/app/size.txt"]',
  '',
].join('\n');

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

export async function run(options: BenchOptions = {}): Promise<Table> {
  const s = options.quick ? QUICK : FULL;
  installNodeSha256();
  const work = await mkdtemp(join(tmpdir(), 'wasmbox-bench-build-'));
  const engine = await openNodeEngine(join(work, 'root'));
  try {
    const ctxDir = join(work, 'ctx');
    await mkdir(join(ctxDir, 'src'), { recursive: true });
    await writeFile(join(ctxDir, 'Dockerfile'), DOCKERFILE);
    for (let i = 0; i < s.files; i++) await writeFile(join(ctxDir, 'src', `file-${i}.txt`), `${i}:`.padEnd(s.fileSize, 'x') + '\n');
    const build = (noCache: boolean) => engine.builds.build({ context: directoryBuildContext(ctxDir), tags: ['bench'], noCache });
    // Untimed: assembles the toolbox image and warms the module cache and the worker path.
    await build(true);
    const times = { first: [] as number[], cached: [] as number[], cp: [] as number[] };
    for (let r = 0; r < s.rounds; r++) {
      times.first.push(await timed(() => build(true)));
      times.cached.push(await timed(() => build(false)));
      const dest = join(work, `copy-${r}`);
      times.cp.push(await timed(() => cp(ctxDir, dest, { recursive: true })));
      await rm(dest, { recursive: true, force: true });
    }
    const row = (name: string, key: keyof typeof times, vs?: string[]): Row => ({ name, value: median(times[key]), unit: 'ms', ...(vs ? { vs } : {}) });
    return table(
      `build of a small context (${s.files} files × ${s.fileSize} B; FROM toolbox, COPY, RUN, 3 metadata steps)`,
      [row('cp -r of the context', 'cp'), row('first build (no cache)', 'first', ['cp -r of the context']), row('second build (fully cached)', 'cached', ['first build (no cache)', 'cp -r of the context'])],
      { notes: ['First build: every step runs (RUN starts a worker thread), layers are gzipped and written. Cached: the context is read and hashed, every step is a cache hit.'] },
    );
  } finally {
    await engine.close();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await import('./lib.js');
  process.stdout.write(markdown(await run()));
}

// The list of benchmarks `npm run bench` runs, in order. To add one, write
// bench/<area>.bench.ts exporting `run(options?: BenchOptions): Promise<Table | Table[]>`
// (see bench/lib.ts) and add a line here; the smoke test picks it up too.

import type { BenchModule } from './lib.js';

export interface BenchEntry {
  /** Short name, used to pick benches on the command line: `npm run bench -- vfs`. */
  name: string;
  load: () => Promise<BenchModule>;
}

export const BENCHES: BenchEntry[] = [
  { name: 'vfs', load: () => import('./vfs.bench.js') },
  { name: 'registry', load: () => import('./registry.bench.js') },
  { name: 'runner', load: () => import('./runner.bench.js') },
  { name: 'build', load: () => import('./build.bench.js') },
];

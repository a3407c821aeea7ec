#!/usr/bin/env node
// Second step of `npm run build`, after tsc: bundles the two Node entry points that start
// often into one file each, because loading ~180 small ES modules costs more than running them
// (a process worker went from ~70 to ~45 ms from spawn to exit; `wasmbox version` from ~200 to ~130 ms).
//   - dist/platform/node/worker-entry.js is replaced by a self-contained bundle (every process
//     worker loads it; nothing else imports it).
//   - dist/platform/node/cli.js: the CLI with our code in one file and npm packages left to
//     Node's resolver. It sits at the same depth as the modules that find package.json,
//     images/ and worker-entry.js relative to import.meta.url, so those paths stay right.
// dist/cli/main.js and the rest of tsc's output stay as they are, for library users.

import { existsSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_DIR = join(ROOT, 'dist/platform/node');

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning', legalComments: 'none' };

async function bundleWorkerEntry() {
  const entry = join(NODE_DIR, 'worker-entry.js');
  if (!existsSync(entry)) throw new Error(`bundle-node: ${entry} is missing: run tsc -p tsconfig.build.json first`);
  const tmp = join(NODE_DIR, `worker-entry.bundle-${process.pid}.js`);
  // All dependencies inside: the worker graph is ES modules only, and one file loads fastest.
  await esbuild.build({ ...common, entryPoints: [entry], outfile: tmp });
  renameSync(tmp, entry);
  renameSync(`${tmp}.map`, `${entry}.map`);
}

async function bundleCli() {
  const entry = join(ROOT, 'dist/cli/main.js');
  if (!existsSync(entry)) throw new Error(`bundle-node: ${entry} is missing: run tsc -p tsconfig.build.json first`);
  await esbuild.build({ ...common, entryPoints: [entry], outfile: join(NODE_DIR, 'cli.js'), packages: 'external' });
}

await Promise.all([bundleWorkerEntry(), bundleCli()]);

// Bundles the browser entry (src/platform/browser/index.ts) into dist/browser/wasmbox.js with
// esbuild, and the process worker's entry (src/platform/browser/worker-entry.ts) into
// wasmbox-worker.js next to it (createBrowserWorkerFactory loads it as a module Worker). The browser bundle must never pull in a Node builtin: any `node:*` import, or a bare
// builtin imported from our own sources, fails the build with the importing file named.
//
// Usage: `node scripts/build-browser.mjs [--outfile path] [--minify]`, or import buildBrowser().

import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = resolve(ROOT, 'src');
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/**
 * esbuild plugin: a Node builtin in the browser bundle is a hard error. Dependencies may
 * still import a bare builtin their package.json "browser" field maps away (tar-stream's
 * `fs`), so bare names are refused only when one of our own modules imports them.
 */
const noNodeBuiltins = {
  name: 'wasmbox-no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const spec = args.path;
      const bare = spec.split('/')[0];
      const isNodeScheme = spec.startsWith('node:');
      const isOurs = args.importer.startsWith(SRC);
      if (!isNodeScheme && !(isOurs && BUILTINS.has(bare))) return undefined;
      return {
        errors: [
          {
            text:
              `imports the Node builtin "${spec}", which the browser bundle cannot contain. ` +
              `Only src/platform/node and src/cli may use node:*; inject the piece from the platform instead.`,
          },
        ],
      };
    });
  },
};

export const WORKER_ENTRY = 'src/platform/browser/worker-entry.ts';
export const WORKER_FILE = 'wasmbox-worker.js';

/**
 * Builds the browser bundle. Returns the output path and the bundle's input files (for tests
 * that want to check what went in). Throws on any build error. `entry` defaults to the browser
 * entry; tests bundle their own page scripts with the same rules. With the default entry (or
 * `worker: true`) the worker entry is bundled too, to `wasmbox-worker.js` beside `outfile`.
 * @param {import('./build-browser.d.mts').BuildBrowserOptions} [options]
 */
export async function buildBrowser(options = {}) {
  const outfile = resolve(options.outfile ?? resolve(ROOT, 'dist/browser/wasmbox.js'));
  const main = await bundleOne(resolve(ROOT, options.entry ?? 'src/platform/browser/index.ts'), outfile, options);
  if (!(options.worker ?? options.entry === undefined)) return main;
  const workerOutfile = resolve(dirname(outfile), WORKER_FILE);
  const worker = await bundleOne(resolve(ROOT, WORKER_ENTRY), workerOutfile, options);
  return { ...main, workerOutfile, workerInputs: worker.inputs };
}

/** One esbuild bundle under the browser rules. */
async function bundleOne(entry, outfile, options) {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: options.minify ?? false,
    metafile: true,
    logLevel: options.logLevel ?? 'silent',
    // streamx (under tar-stream) takes EventEmitter from events-universal, whose default
    // export is Node's `events`; its own Bare/React Native variant is the dependency-free
    // bare-events, which works in a page. Selecting it is not a polyfill of a Node module.
    alias: { 'events-universal': 'bare-events' },
    plugins: [noNodeBuiltins],
  });
  return { outfile, inputs: Object.keys(result.metafile.inputs) };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outfile');
  try {
    const { outfile, inputs, workerOutfile } = await buildBrowser({
      outfile: at >= 0 ? args[at + 1] : undefined,
      minify: args.includes('--minify'),
      logLevel: 'error',
    });
    console.log(`built ${relative(ROOT, outfile)} from ${inputs.length} modules`);
    if (workerOutfile) console.log(`built ${relative(ROOT, workerOutfile)} (the process worker)`);
  } catch (e) {
    // esbuild has already printed each error with its location (logLevel "error").
    if (!e?.errors) console.error(e);
    process.exitCode = 1;
  }
}

// The browser entry of wasmbox, bundled by scripts/build-browser.mjs into dist/browser/wasmbox.js
// (and its process worker, worker-entry.ts, into wasmbox-worker.js next to it). It is the
// isomorphic core plus what only a page has; it must never import node:* (the build fails if it does).

export * from '../../index.js';
export { createBrowserWorkerFactory } from './worker.js';
export { fetchProgramLoader, type FetchProgramLoaderOptions } from './program-loader.js';

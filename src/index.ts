// The isomorphic public entry of wasmbox: the core that runs the same in Node and in a browser
// (errors, content store, vfs, layers, runner with the built-in shell, images, builds). Platform pieces live in `wasmbox/node` and in
// the browser bundle, which both re-export this.

export * from './errors.js';
export * from './content/index.js';
export * from './vfs/index.js';
export * from './layers/index.js';
export * from './image/index.js';
// Both layers and image name a tar reader `tarEntries`: the layer one (a whole tar in memory)
// keeps the name, the image one (a streamed archive) is exported as `archiveTarEntries`.
export { tarEntries } from './layers/index.js';
export { tarEntries as archiveTarEntries } from './image/index.js';
export * from './runner/index.js';
export * from './build/index.js';
// The shell and the Dockerfile parser both name their options `ParseOptions`: each is exported
// under a name that says which, and the bare name stays the Dockerfile one (as in build/).
export type { ParseOptions as ShellParseOptions } from './runner/index.js';
export type { ParseOptions, ParseOptions as DockerfileParseOptions } from './build/index.js';

// Our WASI preview1 host over the wasmbox file system: the import object, running a command
// module inline, and the ABI constants tests and the process layer may need.

export { WasiPreview1, defaultClock, exitStatusOf, sleepMs, type WasiImport, type WasiImports } from './preview1.js';
export { runWasiInline } from './inline.js';
export { FdTable } from './fd-table.js';
export { Errno, errnoOf } from './errno.js';
export * as wasiAbi from './constants.js';

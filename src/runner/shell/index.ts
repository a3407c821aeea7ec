// The built-in POSIX shell: `/bin/sh` of wasmbox containers (RUN shell form, `sh -c`,
// `docker exec -it c sh`). Parser with a typed AST, and a synchronous interpreter whose
// external commands are WASI programs from the container's own file system.

export type * from './ast.js';
export { parseScript, type ParseOptions } from './parser.js';
export { ShellSyntaxError, type ShellSyntaxErrorOptions } from './syntax-error.js';
export {
  Shell,
  DEFAULT_PATH,
  type ShellHost,
  type ShellIo,
  type ShellOptions,
  type InteractiveOptions,
} from './interpreter.js';
export type { ShellFlags } from './signals.js';
export { matchPattern, globPaths } from './pattern.js';

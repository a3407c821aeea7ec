// Running a program found in a container's file system, the way the kernel's execve would:
// a WASI module (`\0asm`), the built-in shell (a file holding exactly BUILTIN_SHELL_MARKER),
// or a `#!interpreter` script. Synchronous, on the calling thread: a worker uses it for
// `sh -c '…'` so the shell and the programs it starts run against the worker's replica.

import { isWasmboxError } from '../errors.js';
import { sha256Hex } from '../content/digest.js';
import type { Namespace } from '../vfs/namespace.js';
import { applyMemoryLimit, validateModule } from './limits.js';
import { runModule } from './run-module.js';
import type { WasiHostFactory } from './run-module.js';
import { Shell } from './shell/interpreter.js';
import type { ShellIo } from './shell/interpreter.js';
import { BUILTIN_SHELL_MARKER } from './types.js';
import type { ExitStatus, ProcessLimits, WasiProcessOptions } from './types.js';

export type ProgramKind = 'wasm' | 'shell' | 'script' | 'unknown';

const MARKER = new TextEncoder().encode(BUILTIN_SHELL_MARKER);
const enc = new TextEncoder();
const MAX_INTERPRETER_DEPTH = 4;

/** What kind of program a file's first bytes make it. */
export function programKind(bytes: Uint8Array): ProgramKind {
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return 'wasm';
  if (bytes.length === MARKER.length && bytes.every((b, i) => b === MARKER[i])) return 'shell';
  if (bytes.length >= 2 && bytes[0] === 0x23 && bytes[1] === 0x21) return 'script';
  return 'unknown';
}

/** `#!/bin/sh -e` → ['/bin/sh', '-e'] (Linux passes everything after the interpreter as one argument). */
export function parseShebang(bytes: Uint8Array): string[] {
  let end = bytes.indexOf(0x0a);
  if (end === -1) end = Math.min(bytes.length, 256);
  const line = new TextDecoder().decode(bytes.subarray(2, end)).trim();
  const sp = line.search(/[ \t]/);
  if (sp === -1) return line === '' ? [] : [line];
  const arg = line.slice(sp + 1).trim();
  return arg === '' ? [line.slice(0, sp)] : [line.slice(0, sp), arg];
}

/** Modules compiled on this thread, by content digest and memory limit: shared by every container. */
const compiled = new Map<string, WebAssembly.Module>();
/**
 * A program file's digest by its identity (device, inode, size, times), the way make and ccache
 * decide a file is unchanged: hashing a 200 KB program on every exec would cost more than
 * instantiating it. A rewritten file gets a new size or times, and so a new key.
 */
const digests = new Map<string, string>();
const MAX_ENTRIES = 64;
const stats = { compiled: 0, hashed: 0 };

/** How often this thread compiled and hashed programs (tests and benchmarks). */
export function programCacheStats(): { compiled: number; hashed: number; size: number } {
  return { ...stats, size: compiled.size };
}

/** Forgets every compiled program (tests). */
export function clearProgramCache(): void {
  compiled.clear();
  digests.clear();
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

function moduleKey(digest: string, limits: ProcessLimits | undefined): string {
  return `${digest}:${limits?.memoryBytes ?? '-'}`;
}

function compileSync(fs: Namespace, path: string, bytes: Uint8Array, limits: ProcessLimits | undefined): WebAssembly.Module {
  const st = fs.stat(path);
  const identity = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  let digest = digests.get(identity);
  if (digest === undefined) {
    digest = sha256Hex(bytes);
    stats.hashed++;
    remember(digests, identity, digest);
  }
  const key = moduleKey(digest, limits);
  let m = compiled.get(key);
  if (m === undefined) {
    validateModule(bytes, { name: path });
    const limited = limits?.memoryBytes === undefined ? bytes : applyMemoryLimit(bytes, limits.memoryBytes, { name: path });
    m = new WebAssembly.Module(limited as Uint8Array<ArrayBuffer>);
    stats.compiled++;
    remember(compiled, key, m);
  }
  return m;
}

/**
 * Compiles the program at `path` ahead of time (asynchronously), so a later exec finds it
 * compiled: a browser page cannot compile modules over 8 MB synchronously on its main thread.
 */
export async function precompileProgram(fs: Namespace, path: string, options: { limits?: ProcessLimits } = {}): Promise<void> {
  const bytes = fs.readFile(path);
  if (programKind(bytes) !== 'wasm') return;
  const key = moduleKey(sha256Hex(bytes), options.limits);
  if (compiled.has(key)) return;
  validateModule(bytes, { name: path });
  const memoryBytes = options.limits?.memoryBytes;
  const limited = memoryBytes === undefined ? bytes : applyMemoryLimit(bytes, memoryBytes, { name: path });
  const m = await WebAssembly.compile(limited as Uint8Array<ArrayBuffer>);
  stats.compiled++;
  remember(compiled, key, m);
}

/** A module compiled elsewhere (the engine's thread), for this thread's cache. */
export interface PostedModule {
  /** sha256 hex of the program file's bytes. */
  digest: string;
  memoryBytes?: number;
  module: WebAssembly.Module;
}

/** Takes modules compiled on another thread (posted with a worker's start message). */
export function registerCompiledModules(modules: readonly PostedModule[]): void {
  for (const m of modules) remember(compiled, moduleKey(m.digest, m.memoryBytes === undefined ? undefined : { memoryBytes: m.memoryBytes }), m.module);
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The WASI programs a shell in this container can start: the modules on its PATH, one per
 * file (toolbox's applets are symlinks to one module), up to `maxBytes` each. The engine
 * compiles them once (by digest, for every container) and posts them to the worker, so a
 * worker running `sh -c '…'` compiles nothing itself.
 */
export function pathPrograms(fs: Namespace, env: readonly string[], options: { maxBytes?: number } = {}): Uint8Array[] {
  const maxBytes = options.maxBytes ?? 16 << 20;
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const dir of pathVar.split(':')) {
    if (!dir.startsWith('/')) continue;
    let names: string[];
    try {
      names = fs.readdir(dir).map((e) => e.name);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const path = `${dir}/${name}`;
        const st = fs.stat(path);
        const id = `${st.dev}:${st.ino}`;
        if (st.kind !== 'file' || st.size > maxBytes || st.size < 8 || seen.has(id)) continue;
        seen.add(id);
        const bytes = fs.readFile(path);
        if (programKind(bytes) === 'wasm') out.push(bytes);
      } catch {
        // A dangling link or an unreadable file is simply not a program here.
      }
    }
  }
  return out;
}

export interface ExecProgramOptions extends Omit<WasiProcessOptions, 'args'> {
  /** Absolute path of the program in `fs`. */
  path: string;
  /** argv, argv[0] as the user typed it. */
  args: string[];
  wasiHost?: WasiHostFactory;
  /**
   * Started by the built-in shell, which reports a program that cannot run itself
   * (`sh: x: cannot execute`): say nothing more on stderr for a 126.
   */
  fromShell?: boolean;
}

/**
 * Runs the program at `options.path` to its end. Statuses as a shell reports them: 126 when
 * the file cannot be executed (not a module, a bad interpreter line), 127 when an
 * interpreter is missing; the program's own status otherwise.
 */
export function execProgram(options: ExecProgramOptions): ExitStatus {
  return execAt(options, options.path, options.args, 0);
}

function execAt(base: ExecProgramOptions, path: string, argv: string[], depth: number): ExitStatus {
  const fs: Namespace = base.fs;
  const stderr = (s: string): void => base.stderr.write(enc.encode(s));
  const cannotExecute = (s: string): void => {
    if (!base.fromShell) stderr(s);
  };
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(path);
  } catch (e) {
    const missing = isWasmboxError(e, 'ENOENT');
    stderr(`exec ${path}: ${missing ? 'no such file or directory' : e instanceof Error ? e.message : String(e)}\n`);
    return { code: missing ? 127 : 126, reason: 'error' };
  }
  const kind = programKind(bytes);
  if (kind === 'wasm') {
    let module: WebAssembly.Module;
    try {
      module = compileSync(fs, path, bytes, base.limits);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      stderr(`${base.fromShell ? (argv[0] ?? path) : `exec ${path}`}: ${message}\n`);
      return { code: 126, reason: 'error', message };
    }
    const status = runModule(module, { ...base, args: argv }, base.wasiHost);
    if (status.message !== undefined && status.code !== 0 && status.reason !== undefined && status.reason !== 'killed') stderr(base.fromShell ? `${argv[0] ?? path}: ${status.message}\n` : `${status.message}\n`);
    return status;
  }
  if (kind === 'shell') {
    const io: ShellIo = { stdin: base.stdin, stdout: base.stdout, stderr: base.stderr };
    const shell = new Shell(
      {
        fs,
        exec: (p, args, procIo, env, cwd) =>
          execAt({ ...base, stdin: procIo.stdin, stdout: procIo.stdout, stderr: procIo.stderr, env, cwd, fromShell: true }, p, args, 0).code,
      },
      { env: base.env, cwd: base.cwd, argv0: argv[0] ?? 'sh' },
    );
    return { code: shell.runArgs(argv, io) };
  }
  if (kind === 'script' && depth < MAX_INTERPRETER_DEPTH) {
    const interp = parseShebang(bytes);
    if (interp.length === 0) {
      cannotExecute(`exec ${path}: exec format error\n`);
      return { code: 126, reason: 'error' };
    }
    if (!fs.exists(interp[0]!)) {
      stderr(`exec ${path}: ${interp[0]}: no such file or directory\n`);
      return { code: 127, reason: 'error' };
    }
    return execAt(base, interp[0]!, [...interp, path, ...argv.slice(1)], depth + 1);
  }
  cannotExecute(`exec ${path}: exec format error\n`);
  return { code: 126, reason: 'error', message: 'exec format error' };
}

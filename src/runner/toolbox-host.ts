// The ShellHost that runs a container's own programs: the built-in shell's external commands
// become WASI modules from the container file system, run inline on the shell's thread (the
// shell is synchronous, so its commands are too). Shared by tests, the browser and services
// that run `sh -c` inline (RUN, exec) over one Namespace.

import { WasmboxError } from '../errors.js';
import type { Namespace } from '../vfs/index.js';
import { applyMemoryLimit, validateModule } from './limits.js';
import type { ModuleCache } from './module-cache.js';
import { runModule } from './run-module.js';
import type { WasiHostFactory } from './run-module.js';
import { Shell } from './shell/index.js';
import type { ShellHost, ShellIo } from './shell/index.js';
import { BUILTIN_SHELL_MARKER } from './types.js';
import type { ProcessLimits, WasiClock } from './types.js';

export interface WasmShellHostOptions {
  /** The container's file system (root + mounts): where programs are found and what they see. */
  fs: Namespace;
  /** Compiles for prepare() (async, so a page never compiles a big module synchronously). */
  moduleCache?: ModuleCache;
  /** Applied to every program: memoryBytes rewrites the module, the rest goes to the WASI host. timeoutMs cannot apply inline. */
  limits?: ProcessLimits;
  /** The WASI host (tests); default the runner's. */
  wasiHost?: WasiHostFactory;
  clock?: WasiClock;
  random?: (into: Uint8Array) => void;
}

export interface WasmShellHost extends ShellHost {
  /**
   * Compiles the programs at `paths` ahead of time (asynchronously, through the module cache),
   * so exec() finds them compiled. Needed in a browser page for modules over Chromium's limit
   * on synchronous compilation (8 MB); elsewhere it only moves the compile time.
   */
  prepare(paths: string[]): Promise<void>;
}

/** Compiled programs one host keeps (a container runs few distinct ones). */
const MAX_COMPILED = 64;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const encoder = new TextEncoder();
const MARKER = encoder.encode(BUILTIN_SHELL_MARKER);

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

/** The ShellHost over runModule: wasm → run inline; the /bin/sh marker → a nested Shell; anything else → 126. */
export function createWasmShellHost(options: WasmShellHostOptions): WasmShellHost {
  const { fs } = options;
  const memoryBytes = options.limits?.memoryBytes;
  // Compiled modules by file identity (device, inode, size, times), the way make and ccache
  // decide a file is unchanged: hashing the program on every exec would cost more than
  // instantiating it. A rewritten file gets a new mtime/ctime or size, and so a new key.
  const compiled = new Map<string, WebAssembly.Module>();
  const remember = (key: string, module: WebAssembly.Module): void => {
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, module);
  };
  const keyOf = (path: string): string => {
    const st = fs.stat(path);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  };

  const compileSync = (bytes: Uint8Array, name: string): WebAssembly.Module => {
    validateModule(bytes, { name });
    const limited = memoryBytes === undefined ? bytes : applyMemoryLimit(bytes, memoryBytes, { name });
    try {
      return new WebAssembly.Module(limited as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new WasmboxError('INVALID_MODULE', `not a valid WebAssembly module (${name}): ${(e as Error).message}`, { cause: e });
    }
  };

  const host: WasmShellHost = {
    fs,
    exec(path: string, argv: string[], io: ShellIo, env: string[], cwd: string): number {
      const name = argv[0] ?? path;
      let key: string;
      let bytes: Uint8Array | undefined;
      let module = undefined as WebAssembly.Module | undefined;
      try {
        key = keyOf(path);
        module = compiled.get(key);
        if (module === undefined) bytes = fs.readFile(path);
      } catch (e) {
        io.stderr.write(encoder.encode(`${name}: ${(e as Error).message}\n`));
        return 126;
      }
      if (module === undefined && bytes !== undefined) {
        if (sameBytes(bytes, MARKER)) {
          // The shell resolves its own marker before exec; this path serves callers that exec
          // /bin/sh directly (docker exec c sh -c …).
          return new Shell(host, { env, cwd, argv0: name }).runArgs(argv, io);
        }
        if (!startsWith(bytes, WASM_MAGIC)) return 126;
        try {
          module = compileSync(bytes, path);
        } catch (e) {
          io.stderr.write(encoder.encode(`${name}: ${(e as Error).message}\n`));
          return 126;
        }
        remember(key, module);
      }
      const status = runModule(
        module!,
        {
          args: argv,
          env,
          fs,
          cwd,
          stdin: io.stdin,
          stdout: io.stdout,
          stderr: io.stderr,
          ...(options.limits === undefined ? {} : { limits: options.limits }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          ...(options.random === undefined ? {} : { random: options.random }),
        },
        options.wasiHost,
      );
      // A trap or runtime failure says why on the program's stderr, as a shell prints "Killed".
      if (status.code !== 0 && status.code !== 126 && status.reason !== undefined && status.message) {
        io.stderr.write(encoder.encode(`${name}: ${status.message}\n`));
      }
      return status.code;
    },
    async prepare(paths: string[]): Promise<void> {
      for (const path of paths) {
        const key = keyOf(path);
        if (compiled.has(key)) continue;
        const bytes = fs.readFile(path);
        if (!startsWith(bytes, WASM_MAGIC)) continue;
        if (options.moduleCache !== undefined) {
          const c = await options.moduleCache.get(bytes, { name: path, ...(memoryBytes === undefined ? {} : { memoryBytes }) });
          remember(key, c.module);
        } else {
          validateModule(bytes, { name: path });
          const limited = memoryBytes === undefined ? bytes : applyMemoryLimit(bytes, memoryBytes, { name: path });
          remember(key, await WebAssembly.compile(limited as Uint8Array<ArrayBuffer>));
        }
      }
    },
  };
  return host;
}

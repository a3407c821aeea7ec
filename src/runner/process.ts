// Processes: one WASI module instance with its stdio, args, env and file system, run either
// in a Worker (killable at any moment, timeouts, blocking stdin) or inline on the caller's
// thread (fastest start; cannot be interrupted once running: kill() acts only before it
// starts, and timeoutMs not at all). Exit statuses follow Docker: the program's own, 125
// runtime error, 126 cannot execute (not a valid module), 134 a trap (reason 'oom' when it
// happened at the memory limit), 137 killed or timed out.

import { WasmboxError } from '../errors.js';
import { Namespace } from '../vfs/namespace.js';
import { TreeFs } from '../vfs/tree-fs.js';
import { execProgram, pathPrograms } from './exec-program.js';
import type { PostedModule } from './exec-program.js';
import { ModuleCache } from './module-cache.js';
import type { CompiledModule } from './module-cache.js';
import type { ContainerFsHub, ReplicaLink } from './replica/hub.js';
import { runModule } from './run-module.js';
import type { WasiHostFactory } from './run-module.js';
import { PauseControl } from './pause-gate.js';
import { SharedRing } from './shared-ring.js';
import { BufferedInput, CallbackOutput, concatChunks } from './stdio.js';
import type { ExitStatus, ProcessLimits } from './types.js';
import type { FromWorker, RunnerWorker, WorkerFactory } from './worker/protocol.js';

export type ProcessMode = 'inline' | 'worker';

export interface ProcessSpec {
  /** The program: its bytes (compiled through the module cache, with the memory limit applied), or compiled already. */
  module?: Uint8Array | CompiledModule | WebAssembly.Module;
  /**
   * Instead of `module`: the path of the program in the container's file system (the built-in
   * shell, a `#!` script or a module), read and run by the process itself (exec-program.ts),
   * so the shell's commands run in the same worker against the same replica.
   */
  exec?: string;
  /** argv, argv[0] included. */
  args: string[];
  /** `KEY=value`; nothing from the host unless given. */
  env?: string[];
  /** Absolute working directory; default `/`. */
  cwd?: string;
  /** The container's file system (inline mode), when there is no hub. */
  fs?: Namespace;
  /** The container's replicated file system: required for a worker process to see the container; inline processes use hub.fs. */
  hub?: ContainerFsHub;
  /**
   * Bytes for fd 0: all of it, a stream, or 'pipe' (feed it with writeStdin/endStdin). None:
   * EOF at once, as `docker run` without -i. Inline mode reads it all before the program starts.
   */
  stdin?: Uint8Array | AsyncIterable<Uint8Array> | 'pipe';
  stdout?: (chunk: Uint8Array) => void;
  stderr?: (chunk: Uint8Array) => void;
  /** A terminal: stdio report isatty, and COLUMNS/LINES are set (unless env has them). */
  tty?: { columns: number; rows: number };
  limits?: ProcessLimits;
  /** Default: 'worker' when a worker factory is available, else 'inline'. */
  mode?: ProcessMode;
  workerFactory?: WorkerFactory;
  moduleCache?: ModuleCache;
  /** Names the program in messages (its path in the image). */
  name?: string;
  /**
   * Use SharedArrayBuffer for stdin, output and the file-system inbox (default: when the
   * platform has it). Without it (a page that is not cross-origin isolated): stdin is read
   * whole before the start, output comes in batches, and a running worker does not see
   * other processes' later file-system changes.
   */
  sharedMemory?: boolean;
  /** The WASI host for inline mode (tests); workers use their entry's. */
  wasiHost?: WasiHostFactory;
}

export interface WasmProcess {
  readonly mode: ProcessMode;
  /** Resolves once the process ended; never rejects. */
  readonly exited: Promise<ExitStatus>;
  /** Ends the process: 137. A worker stops within milliseconds, even in a busy loop; an inline process only if it has not started yet. */
  kill(): void;
  writeStdin(chunk: Uint8Array): void;
  endStdin(): void;
  /** Time from spawn to the guest starting (ms); set once it started. */
  readonly startupMs: number | undefined;
  /**
   * Suspends the process at its next WASI call, output write or file-system call (`docker
   * pause`); only worker processes with SharedArrayBuffer have it. kill() ends a paused process.
   */
  pause?(): void;
  /** Lets a paused process go on. */
  resume?(): void;
}

let defaultWorkerFactory: WorkerFactory | undefined;
/** The platform installs its WorkerFactory here (Node: worker_threads; browser: module Workers). */
export function setDefaultWorkerFactory(factory: WorkerFactory | undefined): void {
  defaultWorkerFactory = factory;
}

const sharedModuleCache = new ModuleCache();
/** The module cache processes use unless given another. */
export function defaultModuleCache(): ModuleCache {
  return sharedModuleCache;
}

const STDIN_RING_BYTES = 64 * 1024;
const OUTPUT_RING_BYTES = 256 * 1024;

export function spawnProcess(spec: ProcessSpec): WasmProcess {
  const factory = spec.workerFactory ?? defaultWorkerFactory;
  const mode: ProcessMode = spec.mode ?? (factory === undefined ? 'inline' : 'worker');
  if (mode === 'worker' && factory === undefined) {
    throw new WasmboxError('INVALID_ARGUMENT', 'worker mode needs a WorkerFactory from the platform (wasmbox/node installs one)');
  }
  if (mode === 'worker' && spec.fs !== undefined && spec.hub === undefined) {
    throw new WasmboxError(
      'INVALID_ARGUMENT',
      'a worker process reaches a container file system through a ContainerFsHub (spec.hub), not a Namespace; or run it inline',
    );
  }
  return mode === 'worker' ? new WorkerProcess(spec, factory!) : new InlineProcess(spec);
}

// ---- shared pieces ----

function envOf(spec: ProcessSpec): string[] {
  const env = [...(spec.env ?? [])];
  if (spec.tty !== undefined) {
    if (!env.some((e) => e.startsWith('COLUMNS='))) env.push(`COLUMNS=${spec.tty.columns}`);
    if (!env.some((e) => e.startsWith('LINES='))) env.push(`LINES=${spec.tty.rows}`);
  }
  return env;
}

async function moduleOf(spec: ProcessSpec): Promise<WebAssembly.Module | undefined> {
  const m = spec.module;
  if (m === undefined) {
    if (spec.exec === undefined) throw new WasmboxError('INVALID_ARGUMENT', 'a process needs a module or an exec path');
    return undefined;
  }
  if (m instanceof WebAssembly.Module) return m;
  if (m instanceof Uint8Array) {
    const compiled = await (spec.moduleCache ?? sharedModuleCache).get(m, {
      ...(spec.limits?.memoryBytes === undefined ? {} : { memoryBytes: spec.limits.memoryBytes }),
      ...(spec.name === undefined ? {} : { name: spec.name }),
    });
    return compiled.module;
  }
  return m.module;
}

/** An error before the guest ran, as Docker reports it. */
function statusOfError(e: unknown): ExitStatus {
  if (e instanceof WasmboxError && e.code === 'INVALID_MODULE') return { code: 126, reason: 'error', message: e.message };
  return { code: 125, reason: 'error', message: e instanceof Error ? e.message : String(e) };
}

const KILLED: ExitStatus = { code: 137, reason: 'killed' };

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/** Collects stdin for a process that needs all of it before it starts. */
class StdinCollector {
  readonly chunks: Uint8Array[] = [];
  readonly done: Promise<void>;
  #resolve!: () => void;
  #ended = false;

  constructor(source: ProcessSpec['stdin']) {
    this.done = new Promise((r) => (this.#resolve = r));
    if (source === undefined) this.end();
    else if (source instanceof Uint8Array) {
      this.chunks.push(source);
      this.end();
    } else if (isAsyncIterable(source)) {
      void (async () => {
        try {
          for await (const c of source) this.chunks.push(c);
        } finally {
          this.end();
        }
      })();
    }
  }

  write(chunk: Uint8Array): void {
    if (!this.#ended) this.chunks.push(chunk.slice());
  }

  end(): void {
    this.#ended = true;
    this.#resolve();
  }
}

// ---- inline ----

class InlineProcess implements WasmProcess {
  readonly mode = 'inline' as const;
  readonly exited: Promise<ExitStatus>;
  startupMs: number | undefined;
  #killed = false;
  readonly #stdin: StdinCollector;

  constructor(spec: ProcessSpec) {
    const stdin = new StdinCollector(spec.stdin);
    this.#stdin = stdin;
    const t0 = performance.now();
    this.exited = (async (): Promise<ExitStatus> => {
      let module: WebAssembly.Module | undefined;
      try {
        module = await moduleOf(spec);
        await stdin.done;
      } catch (e) {
        return statusOfError(e);
      }
      if (this.#killed) return KILLED;
      const tty = spec.tty !== undefined;
      const copyTo = (cb: ((c: Uint8Array) => void) | undefined) => (data: Uint8Array) => cb?.(data.slice());
      this.startupMs = performance.now() - t0;
      const options = {
        args: spec.args,
        env: envOf(spec),
        cwd: spec.cwd ?? '/',
        fs: spec.hub?.fs ?? spec.fs ?? new Namespace(new TreeFs()),
        stdin: new BufferedInput(concatChunks(stdin.chunks), tty),
        stdout: new CallbackOutput(copyTo(spec.stdout), tty),
        stderr: new CallbackOutput(copyTo(spec.stderr), tty),
        ...(spec.limits === undefined ? {} : { limits: spec.limits }),
      };
      const status =
        module === undefined
          ? execProgram({ ...options, path: spec.exec!, ...(spec.wasiHost === undefined ? {} : { wasiHost: spec.wasiHost }) })
          : runModule(module, options, spec.wasiHost);
      // Forward this process's changes to the container's worker processes now.
      spec.hub?.flush();
      return status;
    })();
  }

  kill(): void {
    this.#killed = true;
  }

  writeStdin(chunk: Uint8Array): void {
    this.#stdin.write(chunk);
  }

  endStdin(): void {
    this.#stdin.end();
  }
}

// ---- worker ----

class WorkerProcess implements WasmProcess {
  readonly mode = 'worker' as const;
  readonly exited: Promise<ExitStatus>;
  startupMs: number | undefined;
  readonly #worker: RunnerWorker;
  readonly #spec: ProcessSpec;
  #settle!: (s: ExitStatus) => void;
  #settled = false;
  #link: ReplicaLink | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** stdin through shared memory, or collected first when there is none. */
  readonly #ring: SharedRing | undefined;
  readonly #collector: StdinCollector | undefined;
  #pending: Uint8Array[] = [];
  #endRequested = false;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  /** stdout/stderr frames from the worker (with SharedArrayBuffer). */
  readonly #output: SharedRing | undefined;
  #outputPartial = new Uint8Array(0);
  readonly #shared: boolean;
  readonly #pause: PauseControl | undefined;

  constructor(spec: ProcessSpec, factory: WorkerFactory) {
    this.#spec = spec;
    const t0 = performance.now();
    this.exited = new Promise((r) => (this.#settle = r));
    // Start the thread at once: it loads while the module compiles.
    this.#worker = factory();
    this.#worker.onMessage((m) => this.#onMessage(m, t0));
    this.#worker.onError((e) => this.#finish({ code: 125, reason: 'error', message: `the process worker failed: ${e.message}` }));
    if (spec.limits?.timeoutMs !== undefined) {
      this.#timer = setTimeout(() => this.#finish({ code: 137, reason: 'timeout', message: `timed out after ${spec.limits!.timeoutMs} ms` }), spec.limits.timeoutMs);
    }
    this.#shared = spec.sharedMemory ?? typeof SharedArrayBuffer !== 'undefined';
    if (this.#shared) {
      this.#ring = new SharedRing(STDIN_RING_BYTES);
      this.#output = new SharedRing(OUTPUT_RING_BYTES);
      this.#pause = new PauseControl();
      void this.#drainLoop(this.#output);
      this.#feed(spec.stdin);
    } else {
      this.#collector = new StdinCollector(spec.stdin);
    }
    void this.#start();
  }

  async #start(): Promise<void> {
    const spec = this.#spec;
    let module: WebAssembly.Module | undefined;
    try {
      module = await moduleOf(spec);
      if (this.#collector !== undefined) await this.#collector.done;
      if (this.#settled) return;
      this.#link = spec.hub?.openReplica({ sharedMemory: this.#shared });
    } catch (e) {
      this.#finish(statusOfError(e));
      return;
    }
    let modules: PostedModule[] | undefined;
    if (module === undefined && spec.hub !== undefined) {
      // `exec` (the shell, a script): compile the container's programs here, once per digest
      // for every container, and post them, so the worker never compiles one itself.
      try {
        const cache = spec.moduleCache ?? sharedModuleCache;
        const memoryBytes = spec.limits?.memoryBytes;
        modules = [];
        for (const bytes of pathPrograms(spec.hub.fs, envOf(spec))) {
          const c = await cache.get(bytes, memoryBytes === undefined ? {} : { memoryBytes });
          modules.push({ digest: c.digest, ...(memoryBytes === undefined ? {} : { memoryBytes }), module: c.module });
        }
      } catch {
        // A program that does not compile here fails the same way when the shell starts it.
        modules = undefined;
      }
      if (this.#settled) return;
    }
    const stdin = this.#ring !== undefined ? { ring: this.#ring.buffer } : { data: concatChunks(this.#collector!.chunks) };
    this.#worker.postMessage({
      type: 'start',
      ...(module === undefined ? { exec: spec.exec!, ...(modules === undefined ? {} : { modules }) } : { module }),
      args: spec.args,
      env: envOf(spec),
      cwd: spec.cwd ?? '/',
      tty: spec.tty !== undefined,
      stdin,
      ...(this.#output === undefined ? {} : { output: this.#output.buffer }),
      ...(this.#pause === undefined ? {} : { pause: this.#pause.buffer }),
      ...(spec.limits === undefined ? {} : { limits: spec.limits }),
      ...(this.#link === undefined ? {} : { fs: this.#link.init }),
    });
  }

  #onMessage(m: FromWorker, t0: number): void {
    if (this.#settled) return;
    switch (m.type) {
      case 'started':
        this.startupMs = performance.now() - t0;
        return;
      case 'output':
        for (const c of m.chunks) (c.fd === 1 ? this.#spec.stdout : this.#spec.stderr)?.(c.data);
        return;
      case 'fs':
        this.#link?.receive(m.changes);
        return;
      case 'exit':
        this.#finish(m.status);
        return;
    }
  }

  /** Delivers output frames as the worker writes them, until the process ends. */
  async #drainLoop(ring: SharedRing): Promise<void> {
    while (!this.#settled) {
      this.#drainOutput();
      await ring.waitForData();
    }
  }

  #drainOutput(): void {
    const ring = this.#output;
    if (ring === undefined) return;
    const got = ring.tryRead(ring.available());
    if (got === null || got.length === 0) return;
    let buf = got;
    if (this.#outputPartial.length > 0) {
      buf = new Uint8Array(this.#outputPartial.length + got.length);
      buf.set(this.#outputPartial);
      buf.set(got, this.#outputPartial.length);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    while (buf.length - o >= 5) {
      const len = view.getUint32(o + 1, true);
      if (buf.length - o - 5 < len) break;
      const fd = buf[o];
      const data = buf.subarray(o + 5, o + 5 + len);
      (fd === 1 ? this.#spec.stdout : this.#spec.stderr)?.(data);
      o += 5 + len;
    }
    this.#outputPartial = o === buf.length ? new Uint8Array(0) : buf.slice(o);
  }

  #finish(status: ExitStatus): void {
    if (this.#settled) return;
    // Everything the worker wrote before it exited (or was stopped) is in the ring.
    this.#drainOutput();
    this.#settled = true;
    this.#output?.abandon();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    this.#link?.close();
    this.#worker.terminate();
    // A paused worker waits in Atomics.wait: wake it so the termination takes effect at once.
    this.#pause?.resume();
    this.#settle(status);
  }

  kill(): void {
    this.#finish(KILLED);
  }

  pause(): void {
    if (this.#pause === undefined) {
      throw new WasmboxError('NOT_IMPLEMENTED', 'this process cannot be paused: pausing needs SharedArrayBuffer (a cross-origin isolated page in a browser)');
    }
    this.#pause.pause();
  }

  resume(): void {
    this.#pause?.resume();
  }

  // ---- stdin ----

  #feed(source: ProcessSpec['stdin']): void {
    if (source === 'pipe') return;
    if (source === undefined) return this.endStdin();
    if (source instanceof Uint8Array) {
      this.writeStdin(source);
      return this.endStdin();
    }
    void (async () => {
      try {
        for await (const c of source) {
          if (this.#settled) return;
          this.writeStdin(c);
          // Backpressure: do not read the stream far ahead of the process.
          while (this.#pending.length > 0 && !this.#settled) await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        this.endStdin();
      }
    })();
  }

  writeStdin(chunk: Uint8Array): void {
    if (this.#collector !== undefined) return this.#collector.write(chunk);
    if (this.#endRequested || this.#settled) return;
    this.#pending.push(chunk.slice());
    this.#pump();
  }

  endStdin(): void {
    if (this.#collector !== undefined) return this.#collector.end();
    this.#endRequested = true;
    this.#pump();
  }

  #pump(): void {
    const ring = this.#ring!;
    while (this.#pending.length > 0) {
      const head = this.#pending[0]!;
      const n = ring.write(head);
      if (n === head.length) this.#pending.shift();
      else {
        if (n > 0) this.#pending[0] = head.subarray(n);
        break;
      }
    }
    if (this.#pending.length === 0) {
      if (this.#endRequested) ring.close();
      return;
    }
    if (this.#pumpTimer === undefined && !this.#settled) {
      this.#pumpTimer = setTimeout(() => {
        this.#pumpTimer = undefined;
        this.#pump();
      }, 2);
    }
  }
}

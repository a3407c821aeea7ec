// Process workers on Node (worker_threads). The entry is worker-entry.js next to this file
// when running compiled (dist/); from the TypeScript sources (vitest, tsx) the .ts entry is
// loaded through tsx's loader, so both layouts work without a build step.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, RunnerWorker, ToWorker, WorkerFactory } from '../../runner/worker/protocol.js';
import type { FsBackend } from '../../vfs/types.js';
import { HostDirBackend } from './host-dir-backend.js';

export interface NodeWorkerFactoryOptions {
  /** Override the entry file (a path or file: URL). */
  entry?: string | URL;
  /**
   * Keep this many threads started ahead, refilled after each process takes one: a process
   * starts ~40 ms sooner, for the price of idle threads (~8 MB each). Default 0 (a thread
   * left idle by prewarmNodeWorkers is still used).
   */
  prewarm?: number;
}

/** Where the worker entry is, and whether it needs the TypeScript loader. */
export function nodeWorkerEntry(): { url: URL; typescript: boolean } {
  const js = new URL('./worker-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, typescript: false };
  const ts = new URL('./worker-entry.ts', import.meta.url);
  if (existsSync(fileURLToPath(ts))) return { url: ts, typescript: true };
  throw new Error(`wasmbox: no process worker entry next to ${fileURLToPath(import.meta.url)} (worker-entry.js or .ts)`);
}

const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/**
 * The parent's execArgv without module-loader flags. A worker inherits execArgv, so a parent
 * run as `node --import tsx` would load tsx again in every worker (~50 ms) although the
 * compiled entry needs no loader, and the TypeScript entry registers its own (the bootstrap).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    if (LOADER_FLAGS.includes(arg)) {
      i++; // and its value
      continue;
    }
    if (LOADER_FLAGS.some((f) => arg.startsWith(`${f}=`))) continue;
    out.push(arg);
  }
  return out;
}

/** Where a worker starts: the entry (or its tsx bootstrap) and the flags it runs with. */
interface WorkerTarget {
  url: URL | string;
  execArgv: string[];
  key: string;
}

function workerTarget(options: NodeWorkerFactoryOptions): WorkerTarget {
  const found = options.entry === undefined ? nodeWorkerEntry() : undefined;
  const url = options.entry ?? found!.url;
  const typescript = found?.typescript ?? String(url).endsWith('.ts');
  // `--import tsx` in a worker's execArgv is not honoured by Node 20: a tiny ES module
  // bootstrap (a data: URL) registers tsx's loader in the worker, then imports the .ts entry.
  let bootstrap: URL | undefined;
  if (typescript) {
    const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const code = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(String(url))});\n`;
    bootstrap = new URL('data:text/javascript,' + encodeURIComponent(code));
  }
  const execArgv = workerExecArgv();
  const target = bootstrap ?? url;
  return { url: target, execArgv, key: `${String(target)}\n${execArgv.join('\n')}` };
}

/** A started thread and its first failure, kept so that a failure while it idled in the pool still reaches its process. */
interface StartedWorker {
  worker: Worker;
  failure: Error | undefined;
  failureListeners: Array<(e: Error) => void>;
}

/**
 * A Worker with the target's flags. An explicit execArgv may not hold V8 or process-wide
 * flags (`--expose-gc`, `--no-turbo-fast-api-calls`: ERR_WORKER_INVALID_EXEC_ARGV, whereas
 * inherited ones are fine); Node names them, so drop those and remember it for the next start.
 */
function newWorker(target: WorkerTarget): Worker {
  try {
    return new Worker(target.url, { execArgv: target.execArgv });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    const listed = (e as Error).message.slice((e as Error).message.indexOf(':') + 1);
    const invalid = new Set(listed.split(',').map((f) => f.trim()).filter((f) => f !== ''));
    target.execArgv = target.execArgv.filter((f) => !invalid.has(f) && !invalid.has(f.split('=')[0]!));
    return new Worker(target.url, { execArgv: target.execArgv });
  }
}

function startWorker(target: WorkerTarget): StartedWorker {
  const worker = newWorker(target);
  const started: StartedWorker = { worker, failure: undefined, failureListeners: [] };
  const fail = (e: Error): void => {
    if (started.failure !== undefined) return;
    started.failure = e;
    for (const l of started.failureListeners) l(e);
  };
  worker.on('error', (e: Error) => fail(e));
  worker.on('exit', (code) => {
    if (code !== 0) fail(new Error(`worker thread exited with code ${code}`));
  });
  return started;
}

/**
 * Idle workers that already loaded their entry, by target. Loading the entry is most of a
 * worker's start (~40 of ~45 ms), so a thread started ahead (while the CLI loads and opens
 * the engine, or after the previous process took one) makes a container start that much sooner.
 * Idle threads are unref'ed: they never keep Node running.
 */
const idle = new Map<string, StartedWorker[]>();

function addIdle(target: WorkerTarget): void {
  const started = startWorker(target);
  started.worker.unref();
  let list = idle.get(target.key);
  if (list === undefined) idle.set(target.key, (list = []));
  list.push(started);
}

function idleCount(target: WorkerTarget): number {
  return idle.get(target.key)?.length ?? 0;
}

function takeIdle(target: WorkerTarget): StartedWorker | undefined {
  const started = idle.get(target.key)?.shift();
  started?.worker.ref();
  return started;
}

/**
 * Starts `count` worker threads ahead (default entry unless `options.entry`), for the next
 * processes of any factory with the same entry to take. The CLI calls it first thing for the
 * commands that run a container, so the thread loads while the CLI opens the engine.
 */
export function prewarmNodeWorkers(count = 1, options: Pick<NodeWorkerFactoryOptions, 'entry'> = {}): void {
  const target = workerTarget(options);
  while (idleCount(target) < count) addIdle(target);
}

/** Threads started ahead and not taken yet, for the entry of `options` (tests, `docker info`-like reports). */
export function idleNodeWorkers(options: Pick<NodeWorkerFactoryOptions, 'entry'> = {}): number {
  return idleCount(workerTarget(options));
}

/** Ends the idle threads (tests; a daemon that shuts down). */
export async function closeIdleNodeWorkers(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((s) => s.worker.terminate()));
}

export function createNodeWorkerFactory(options: NodeWorkerFactoryOptions = {}): WorkerFactory {
  const target = workerTarget(options);
  const keep = options.prewarm ?? 0;
  const refill = (): void => {
    while (idleCount(target) < keep) addIdle(target);
  };
  if (keep > 0) refill();
  return (): RunnerWorker => {
    const started = takeIdle(target) ?? startWorker(target);
    // After this process got its thread: the next one's starts in the background.
    if (keep > 0) setImmediate(refill);
    const { worker } = started;
    return {
      postMessage: (message: ToWorker) => worker.postMessage(message),
      onMessage: (listener) => worker.on('message', (m: FromWorker) => listener(m)),
      onError: (listener) => {
        if (started.failure !== undefined) {
          const failure = started.failure;
          queueMicrotask(() => listener(failure));
        } else started.failureListeners.push(listener);
      },
      terminate: () => void worker.terminate(),
    };
  };
}

/**
 * For ContainerFsHubOptions.describeMount: a bind mount or Node volume is a host directory
 * that a worker opens itself (the kernel shares it between processes; nothing to replicate).
 */
export function describeNodeMount(backend: FsBackend<unknown>): { type: 'host'; hostPath: string } | undefined {
  return backend instanceof HostDirBackend ? { type: 'host', hostPath: backend.hostRoot } : undefined;
}

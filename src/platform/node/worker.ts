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
}

/** Where the worker entry is, and whether it needs the TypeScript loader. */
export function nodeWorkerEntry(): { url: URL; typescript: boolean } {
  const js = new URL('./worker-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, typescript: false };
  const ts = new URL('./worker-entry.ts', import.meta.url);
  if (existsSync(fileURLToPath(ts))) return { url: ts, typescript: true };
  throw new Error(`wasmbox: no process worker entry next to ${fileURLToPath(import.meta.url)} (worker-entry.js or .ts)`);
}

export function createNodeWorkerFactory(options: NodeWorkerFactoryOptions = {}): WorkerFactory {
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
  return (): RunnerWorker => {
    const worker = new Worker(bootstrap ?? url);
    return {
      postMessage: (message: ToWorker) => worker.postMessage(message),
      onMessage: (listener) => worker.on('message', (m: FromWorker) => listener(m)),
      onError: (listener) => {
        worker.on('error', (e: Error) => listener(e));
        worker.on('exit', (code) => {
          if (code !== 0) listener(new Error(`worker thread exited with code ${code}`));
        });
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

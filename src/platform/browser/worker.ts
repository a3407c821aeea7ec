// Process workers in a browser: module Workers running the bundled worker entry
// (worker-entry.ts, built as its own file next to the main bundle). SharedArrayBuffer, and
// so blocking stdin and live file-system changes, needs a cross-origin isolated page.

import type { FromWorker, RunnerWorker, ToWorker, WorkerFactory } from '../../runner/worker/protocol.js';

/** `entryUrl`: where the page serves the bundled worker entry (e.g. new URL('./wasmbox-worker.js', import.meta.url)). */
export function createBrowserWorkerFactory(entryUrl: string | URL): WorkerFactory {
  return (): RunnerWorker => {
    const worker = new Worker(entryUrl, { type: 'module', name: 'wasmbox-process' });
    return {
      postMessage: (message: ToWorker) => worker.postMessage(message),
      onMessage: (listener) => worker.addEventListener('message', (e: MessageEvent<FromWorker>) => listener(e.data)),
      onError: (listener) =>
        worker.addEventListener('error', (e: ErrorEvent) => {
          e.preventDefault();
          listener(new Error(e.message || 'the process worker could not be loaded'));
        }),
      terminate: () => worker.terminate(),
    };
  };
}

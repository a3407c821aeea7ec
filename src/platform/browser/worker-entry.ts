// The process worker's entry in a browser (a module Worker): the isomorphic worker body. No
// host-directory mounts exist in a browser, so a container with one must run inline.

import { runWorker } from '../../runner/worker/worker-main.js';
import type { FromWorker, ToWorker } from '../../runner/worker/protocol.js';

interface DedicatedScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToWorker>) => void): void;
}

const scope = globalThis as unknown as DedicatedScope;

runWorker({
  postMessage: (m: FromWorker) => scope.postMessage(m),
  onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
});

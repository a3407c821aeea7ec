// The process worker's entry on Node: the isomorphic worker body, with host-directory mounts
// opened here (a bind mount is reached directly by every process, never replicated).

import { parentPort } from 'node:worker_threads';
import { runWorker } from '../../runner/worker/worker-main.js';
import type { FromWorker, ToWorker } from '../../runner/worker/protocol.js';
import { HostDirBackend } from './host-dir-backend.js';
import { installNodeSha256 } from './hash.js';

installNodeSha256();

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');

runWorker(
  {
    postMessage: (m: FromWorker) => port.postMessage(m),
    onMessage: (listener) => port.on('message', (m: ToWorker) => listener(m)),
  },
  {
    openHostMount: (spec) => new HostDirBackend(spec.hostPath!, { readOnly: spec.readOnly }),
  },
);

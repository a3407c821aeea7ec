// The Node platform: the pieces of wasmbox that need node:* (files, sockets, threads),
// handed to the isomorphic core by injection. Importing this module also installs
// node:crypto's native sha256 for the content store.

import { setDefaultWorkerFactory } from '../../runner/process.js';
import { installNodeSha256 } from './hash.js';
import { createNodeWorkerFactory } from './worker.js';

installNodeSha256();
// Processes run in worker_threads unless a caller asks for inline mode.
setDefaultWorkerFactory(createNodeWorkerFactory());

export * from '../../index.js';
export { installNodeSha256, nodeSha256 } from './hash.js';
export { NodeDirContentStore } from './content-dir-store.js';
export { NodeLayoutFiles } from './layout-files.js';
export { exportLayoutDir, importLayoutDir } from './layout-dir.js';
export { HostDirBackend, HostFileHandle, hostFsError, type HostHandle, type HostDirBackendOptions } from './host-dir-backend.js';
export { wasmboxRoot, imageLayoutDir, openNodeImageStore } from './stores.js';
export { builtinImagesDir, nodeProgramLoader, type NodeProgramLoaderOptions } from './builtin-images.js';
export { createNodeWorkerFactory, describeNodeMount, nodeWorkerEntry, type NodeWorkerFactoryOptions } from './worker.js';
export { NodeContainerStore, nodeMountFactory } from './container-store.js';
export { openNodeEngine, nodeHostInfo, wasmboxVersion } from './engine.js';

// The runner: WASI preview1 over the container file system (wasi/), processes inline or in
// workers with limits and a module cache, file-system replication for workers (replica/),
// and the built-in shell (shell/).

export * from './types.js';
export * from './wasi/index.js';
export * from './shell/index.js';
export { applyMemoryLimit, validateModule, memoriesOf, WASM_PAGE_SIZE, type MemoryDecl } from './limits.js';
export {
  ModuleCache,
  compileModule,
  type CompiledModule,
  type CompileOptions,
  type ModuleCacheOptions,
  type ModuleCacheStats,
} from './module-cache.js';
export {
  spawnProcess,
  setDefaultWorkerFactory,
  defaultModuleCache,
  type ProcessSpec,
  type ProcessMode,
  type WasmProcess,
} from './process.js';
export { runModule, type WasiHost, type WasiHostFactory } from './run-module.js';
export { SharedRing } from './shared-ring.js';
export { BufferedInput, RingInput, CallbackOutput } from './stdio.js';
export { applyChange, ChangeQueue, encodeChanges, decodeChanges, type FsChange } from './replica/change-log.js';
export { RecordingNamespace, type RecordingNamespaceOptions } from './replica/recording-namespace.js';
export { ContainerFsHub, type ContainerFsHubOptions, type LowerLayers, type ReplicaLink } from './replica/hub.js';
export { FsReplica, type ReplicaOptions } from './replica/replica.js';
export type { ReplicaInit, MountReplicaSpec } from './replica/protocol.js';
export { runWorker, type WorkerMainOptions } from './worker/worker-main.js';
export type { RunnerWorker, WorkerFactory, WorkerScope, ToWorker, FromWorker, StartMessage, OutputChunk } from './worker/protocol.js';
export { createWasmShellHost, type WasmShellHost, type WasmShellHostOptions } from './toolbox-host.js';
export { execProgram, precompileProgram, programCacheStats, clearProgramCache, registerCompiledModules, pathPrograms, programKind, parseShebang, type PostedModule, type ExecProgramOptions, type ProgramKind } from './exec-program.js';
export { PauseControl, pauseCheckpoint, pausableWasiHost } from './pause-gate.js';
export { LineDiscipline, cookedInput, onlcr, type LineDisciplineSink } from './tty.js';

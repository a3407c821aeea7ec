// The body of a process worker, the same on every platform: build the file-system replica,
// wire stdio, run the module, and report. Nothing here waits for the engine except a read of
// stdin and a full output ring (backpressure). stdout/stderr go into a shared ring the engine
// drains as they come; without SharedArrayBuffer they leave in batched messages. File-system
// changes leave in batched messages: when large, when some ms passed since the last batch,
// before output is written, before the process blocks (stdin, sleep), and at exit. While the
// engine holds the pause flag (pause-gate.ts), the process blocks at its next such checkpoint.

import { Namespace } from '../../vfs/namespace.js';
import { TreeFs } from '../../vfs/tree-fs.js';
import { FsReplica } from '../replica/replica.js';
import type { ReplicaOptions } from '../replica/replica.js';
import { execProgram, registerCompiledModules } from '../exec-program.js';
import { pausableWasiHost, pauseCheckpoint } from '../pause-gate.js';
import { runModule } from '../run-module.js';
import type { WasiHostFactory } from '../run-module.js';
import { defaultWasiHost } from '../wasi-host.js';
import { SharedRing } from '../shared-ring.js';
import { BufferedInput, CallbackOutput, RingInput } from '../stdio.js';
import type { ExitStatus, SyncInput } from '../types.js';
import type { OutputChunk, StartMessage, WorkerScope } from './protocol.js';

export interface WorkerMainOptions extends Pick<ReplicaOptions, 'openHostMount'> {
  /** The WASI host (default: the runner's). */
  wasiHost?: WasiHostFactory;
}

const FLUSH_BYTES = 64 * 1024;
const FS_FLUSH_BYTES = 1024 * 1024;

/** Serves one process on `scope` (the platform's worker entry calls this). */
export function runWorker(scope: WorkerScope, options: WorkerMainOptions = {}): void {
  scope.onMessage((msg) => {
    if (msg.type === 'start') scope.postMessage({ type: 'exit', status: runStart(scope, msg, options) });
  });
}

function runStart(scope: WorkerScope, msg: StartMessage, options: WorkerMainOptions): ExitStatus {
  const interval = msg.flushIntervalMs ?? 10;
  let replica: FsReplica | undefined;
  // Set once output is wired: pausing first sends what the process buffered.
  let flushBeforePause = (): void => undefined;
  const checkpoint = msg.pause === undefined ? undefined : pauseCheckpoint(msg.pause, () => flushBeforePause());
  let lastFsFlush = performance.now();
  const flushFs = (): void => {
    if (replica !== undefined && replica.queue.length > 0) scope.postMessage({ type: 'fs', changes: replica.takeChanges() });
    lastFsFlush = performance.now();
  };

  try {
    if (msg.fs !== undefined) {
      replica = new FsReplica(msg.fs, {
        ...(options.openHostMount === undefined ? {} : { openHostMount: options.openHostMount }),
        onChange: (q) => {
          if (q.bytes >= FS_FLUSH_BYTES || performance.now() - lastFsFlush >= interval) flushFs();
        },
        onCall: (q) => {
          checkpoint?.();
          if (q.length > 0 && performance.now() - lastFsFlush >= interval) flushFs();
        },
      });
    }
  } catch (e) {
    return { code: 125, reason: 'error', message: `cannot set up the container file system in the worker: ${(e as Error).message}` };
  }
  const fs = replica?.fs ?? new Namespace(new TreeFs());

  // ---- output: a shared ring, or batched messages ----
  let chunks: OutputChunk[] = [];
  let pendingBytes = 0;
  let lastFlush = performance.now();
  const flushOutput = (): void => {
    if (chunks.length > 0) {
      scope.postMessage({ type: 'output', chunks });
      chunks = [];
      pendingBytes = 0;
    }
    lastFlush = performance.now();
  };
  const ring = msg.output === undefined ? undefined : new SharedRing(msg.output);
  const header = new Uint8Array(5);
  const headerView = new DataView(header.buffer);
  const output = (fd: 1 | 2) => (data: Uint8Array) => {
    checkpoint?.();
    if (replica !== undefined && replica.queue.length > 0) flushFs();
    if (ring !== undefined) {
      header[0] = fd;
      headerView.setUint32(1, data.length, true);
      // A reader that went away (the process is being killed) drops the rest.
      if (ring.writeAll(header)) ring.writeAll(data);
      return;
    }
    const last = chunks[chunks.length - 1];
    // The guest's buffer may be its own memory: copy now.
    if (last !== undefined && last.fd === fd && last.data.length < 4096 && data.length < 4096) {
      const merged = new Uint8Array(last.data.length + data.length);
      merged.set(last.data);
      merged.set(data, last.data.length);
      last.data = merged;
    } else chunks.push({ fd, data: data.slice() });
    pendingBytes += data.length;
    if (pendingBytes >= FLUSH_BYTES || performance.now() - lastFlush >= interval) flushOutput();
  };
  const flushAll = (): void => {
    flushFs();
    flushOutput();
  };
  flushBeforePause = flushAll;
  const wasiHost = checkpoint === undefined ? options.wasiHost : pausableWasiHost(options.wasiHost ?? defaultWasiHost, checkpoint);
  const stdin: SyncInput =
    msg.stdin.ring !== undefined ? new RingInput(new SharedRing(msg.stdin.ring), flushAll, msg.tty) : new BufferedInput(msg.stdin.data, msg.tty);

  scope.postMessage({ type: 'started' });
  const processOptions = {
    args: msg.args,
    env: msg.env,
    cwd: msg.cwd,
    fs,
    stdin,
    stdout: new CallbackOutput(output(1), msg.tty),
    stderr: new CallbackOutput(output(2), msg.tty),
    onBlock: flushAll,
    ...(msg.limits === undefined ? {} : { limits: msg.limits }),
  };
  let status: ExitStatus;
  if (msg.exec !== undefined) {
    if (msg.modules !== undefined) registerCompiledModules(msg.modules);
    status = execProgram({ ...processOptions, path: msg.exec, ...(wasiHost === undefined ? {} : { wasiHost }) });
  } else if (msg.module !== undefined) {
    status = runModule(msg.module, processOptions, wasiHost);
  } else {
    status = { code: 125, reason: 'error', message: 'the start message names no program' };
  }
  flushAll();
  return status;
}

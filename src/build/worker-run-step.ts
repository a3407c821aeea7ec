// RUN in a worker: the build container's file system is served through a ContainerFsHub, the
// shell (or the exec-form program) runs in a worker against a replica, and its changes come
// back as a change log into the tree the builder commits. Unlike the inline RunStep, an
// endless RUN ends when the build is cancelled (the client went away) or times out.

import { WasmboxError } from '../errors.js';
import { spawnProcess } from '../runner/process.js';
import type { ModuleCache } from '../runner/module-cache.js';
import { ContainerFsHub } from '../runner/replica/hub.js';
import type { ProcessLimits } from '../runner/types.js';
import type { WorkerFactory } from '../runner/worker/protocol.js';
import type { Namespace } from '../vfs/namespace.js';
import { joinPath } from '../vfs/path.js';
import { TreeFs } from '../vfs/tree-fs.js';
import type { RunStep } from './run-step.js';

export interface WorkerRunStepOptions {
  /** Starts workers (default: the one the platform installed, e.g. by importing wasmbox/node). */
  workerFactory?: WorkerFactory;
  moduleCache?: ModuleCache;
  /** Limits of every RUN process; `timeoutMs` ends a RUN that takes too long (exit 137). */
  limits?: ProcessLimits;
}

const enc = new TextEncoder();

/** The program exec form names, found on PATH as Docker does (a name with a slash is taken as is). */
function findProgram(fs: Namespace, name: string, env: string[], cwd: string): string | undefined {
  if (name.includes('/')) return name.startsWith('/') ? name : joinPath(cwd, name);
  const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/bin:/usr/bin:/bin';
  for (const dir of path.split(':')) {
    if (dir === '') continue;
    const candidate = joinPath(dir.startsWith('/') ? dir : joinPath(cwd, dir), name);
    if (fs.kindOf(candidate) === 'file') return candidate;
  }
  return undefined;
}

export function workerRunStep(options: WorkerRunStepOptions = {}): RunStep {
  return async (ctx) => {
    if (ctx.signal?.aborted) throw new WasmboxError('CANCELLED', 'the build was cancelled');
    const top = ctx.fs.root;
    if (!(top instanceof TreeFs)) {
      throw new WasmboxError('INTERNAL', 'RUN in a worker needs the build container to be a TreeFs top layer');
    }
    const program = findProgram(ctx.fs, ctx.argv[0] ?? '', ctx.env, ctx.cwd);
    if (program === undefined || ctx.fs.kindOf(program) !== 'file') {
      const what = program ?? ctx.argv[0] ?? '';
      ctx.onOutput(enc.encode(`exec: "${what}": executable file not found in $PATH\n`), 'stderr');
      return 127;
    }
    // No lower tars: the replica's snapshot then carries the whole tree, which is correct and,
    // for build containers of a few MB, cheap next to a worker's start.
    const hub = new ContainerFsHub({ top });
    for (const m of ctx.fs.listMounts()) hub.mount(m.path, m.backend, { readOnly: m.readOnly });
    const proc = spawnProcess({
      exec: program,
      args: ctx.argv,
      env: ctx.env,
      cwd: ctx.cwd,
      hub,
      mode: 'worker',
      stdout: (chunk) => ctx.onOutput(chunk, 'stdout'),
      stderr: (chunk) => ctx.onOutput(chunk, 'stderr'),
      name: program,
      ...(options.workerFactory ? { workerFactory: options.workerFactory } : {}),
      ...(options.moduleCache ? { moduleCache: options.moduleCache } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    const onAbort = () => proc.kill();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const status = await proc.exited;
      if (ctx.signal?.aborted) throw new WasmboxError('CANCELLED', 'the build was cancelled');
      if (status.message && status.code !== 0 && status.reason !== 'killed') ctx.onOutput(enc.encode(`${status.message}\n`), 'stderr');
      return status.code;
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  };
}

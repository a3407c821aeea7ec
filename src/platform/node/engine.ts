// The engine on a Node host: the image store and volumes under a wasmbox root, and the host's
// facts (CPUs, memory, kernel) for `docker info`.

import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Engine } from '../../engine/engine.js';
import type { EngineOptions } from '../../engine/engine.js';
import type { HostInfo } from '../../engine/system.js';
import { NodeFileBuildCache, buildCachePath } from './build-cache-file.js';
import { nodeProgramLoader } from './builtin-images.js';
import { workerRunStep } from '../../build/worker-run-step.js';
import { createNodeWorkerFactory } from './worker.js';
import { NodeContainerStore, nodeMountFactory } from './container-store.js';
import { openNodeImageStore } from './stores.js';
import { NodeVolumeBackend } from './volume-backend.js';

/** Node's arch names in uname's words, as `docker info` shows them. */
const UNAME_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function nodeHostInfo(): HostInfo {
  return {
    name: hostname(),
    os: platform(),
    arch: UNAME_ARCH[arch()] ?? arch(),
    kernelVersion: release(),
    ncpu: cpus().length,
    memTotal: totalmem(),
    runtime: `node ${process.versions.node}`,
  };
}

/** wasmbox's version, from its package.json. */
export function wasmboxVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A stable engine id, kept in <root>/engine-id (Docker keeps one too). */
async function engineId(root: string): Promise<string> {
  const path = join(root, 'engine-id');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeFile(path, id + '\n', { flag: 'w' });
    return id;
  }
}

/**
 * Opens the engine over a wasmbox root: images at <root>/images, volumes at <root>/volumes, the
 * build cache index in <root>/build-cache.json; built-in images are assembled from the package;
 * RUN steps run in worker threads.
 */
export async function openNodeEngine(root: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
  const dir = resolve(root);
  await mkdir(join(dir, 'volumes'), { recursive: true });
  const engine = new Engine({
    images: await openNodeImageStore(dir),
    volumes: new NodeVolumeBackend({ root: join(dir, 'volumes') }),
    host: nodeHostInfo(),
    version: wasmboxVersion(),
    root: dir,
    id: await engineId(dir),
    buildCache: new NodeFileBuildCache(buildCachePath(dir)),
    loadProgram: nodeProgramLoader(),
    // RUN in a worker: a cancelled build (the client went away) ends an endless RUN.
    runStep: workerRunStep({ workerFactory: createNodeWorkerFactory() }),
    // Containers: records, top layers and logs under <root>/containers; processes in workers.
    persistence: new NodeContainerStore(join(dir, 'containers')),
    mountFactory: nodeMountFactory(),
    workerFactory: createNodeWorkerFactory(),
    ...options,
  });
  // The stored containers must be loaded before anything answers: their images and volumes
  // count as in use (rmi and volume rm refuse them), and their names are taken.
  await engine.containers.ready();
  return engine;
}

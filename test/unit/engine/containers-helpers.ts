// Shared set-up for the container service tests: an engine over memory stores with the real
// built-in images (hello-world, toolbox) and inline or worker processes.

import { Engine } from '../../../src/engine/engine.js';
import type { EngineOptions } from '../../../src/engine/engine.js';
import type { OutputFrame } from '../../../src/engine/container-types.js';
import { MemoryContainerPersistence } from '../../../src/engine/containers/persistence.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import { nodeProgramLoader } from '../../../src/platform/node/builtin-images.js';
import { createNodeWorkerFactory } from '../../../src/platform/node/worker.js';
import { memoryImageStore } from '../../helpers/image-fixtures.js';

export const loadProgram = nodeProgramLoader();
let workers: ReturnType<typeof createNodeWorkerFactory> | undefined;
export function workerFactory(): ReturnType<typeof createNodeWorkerFactory> {
  workers ??= createNodeWorkerFactory();
  return workers;
}

export function memoryEngine(options: Partial<EngineOptions> = {}): Engine {
  return new Engine({
    images: memoryImageStore(),
    volumes: new MemoryVolumeBackend(),
    loadProgram,
    processMode: 'inline',
    persistence: new MemoryContainerPersistence(),
    ...options,
  });
}

const dec = new TextDecoder();

export async function collect(frames: AsyncIterable<OutputFrame>): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  for await (const f of frames) {
    if (f.stream === 'stdout') stdout += dec.decode(f.data);
    else stderr += dec.decode(f.data);
  }
  return { stdout, stderr };
}

/** `docker run` without -d: create, attach, start, wait; the output and exit code. */
export async function run(
  engine: Engine,
  image: string,
  cmd: string[] | undefined,
  body: Record<string, unknown> = {},
  options: { name?: string } = {},
): Promise<{ id: string; code: number; stdout: string; stderr: string }> {
  const { Id } = await engine.containers.create({ Image: image, ...(cmd ? { Cmd: cmd } : {}), ...body }, options);
  const session = await engine.containers.attach(Id, { stream: true, stdout: true, stderr: true });
  const out = collect(session.output);
  const waited = engine.containers.wait(Id, { condition: 'next-exit' });
  await engine.containers.start(Id);
  const { StatusCode } = await waited;
  return { id: Id, code: StatusCode, ...(await out) };
}

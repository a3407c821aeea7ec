// RUN in a worker (workerRunStep) with the real toolbox image: the shell and its programs run
// in a worker thread against a replica, their changes become the step's layer, and an endless
// RUN ends when the build is cancelled or its time limit passes.

import { beforeAll, describe, expect, it } from 'vitest';
import { memoryBuildContext } from '../../src/build/context.js';
import { workerRunStep } from '../../src/build/worker-run-step.js';
import type { RunStep } from '../../src/build/run-step.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryVolumeBackend } from '../../src/engine/volumes.js';
import { nodeProgramLoader } from '../../src/platform/node/builtin-images.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { createNodeWorkerFactory } from '../../src/platform/node/worker.js';
import type { WorkerFactory } from '../../src/runner/worker/protocol.js';
import { fileBytes } from '../../src/vfs/node.js';
import type { DirNode, Node } from '../../src/vfs/node.js';
import { memoryImageStore } from '../helpers/image-fixtures.js';

let workerFactory: WorkerFactory;

beforeAll(() => {
  installNodeSha256();
  workerFactory = createNodeWorkerFactory();
});

function engineWith(runStep: RunStep): Engine {
  return new Engine({ images: memoryImageStore(), volumes: new MemoryVolumeBackend(), runStep, loadProgram: nodeProgramLoader() });
}

function lookup(root: DirNode, path: string): Node | undefined {
  let node: Node | undefined = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (node?.kind !== 'dir') return undefined;
    node = node.entries.get(part);
  }
  return node;
}

async function fileOf(engine: Engine, image: string, path: string): Promise<string | undefined> {
  const record = await engine.images.resolve(image);
  const { root } = await engine.layers.view(record.manifest.layers.map((l) => l.digest));
  const node = lookup(root, path);
  return node?.kind === 'file' ? new TextDecoder().decode(fileBytes(node)) : undefined;
}

describe('workerRunStep', () => {
  it('runs shell-form and exec-form RUN in a worker; their files land in the layers', async () => {
    const engine = engineWith(workerRunStep({ workerFactory }));
    let out = '';
    await engine.builds.build({
      context: memoryBuildContext({
        Dockerfile: [
          'FROM toolbox',
          'WORKDIR /work',
          'RUN echo one > a.txt && seq 3 | tr "\\n" , > b.txt && cat a.txt',
          'RUN ["sh", "-c", "ls /work | sort > listing.txt"]',
          'RUN ["echo", "exec form"]',
          '',
        ].join('\n'),
      }),
      tags: ['w'],
      onOutput: (t) => (out += t),
    });
    expect(out).toContain('one\n');
    expect(out).toContain('exec form\n');
    expect(await fileOf(engine, 'w', '/work/a.txt')).toBe('one\n');
    expect(await fileOf(engine, 'w', '/work/b.txt')).toBe('1,2,3,');
    expect(await fileOf(engine, 'w', '/work/listing.txt')).toBe('a.txt\nb.txt\n');
  });

  it('a missing exec-form program is exit 127 with docker\'s message', async () => {
    const engine = engineWith(workerRunStep({ workerFactory }));
    let out = '';
    const build = engine.builds.build({ context: memoryBuildContext({ Dockerfile: 'FROM toolbox\nRUN ["nosuch", "x"]\n' }), onOutput: (t) => (out += t) });
    await expect(build).rejects.toMatchObject({ code: 'BUILD_FAILED', details: { exitCode: 127 } });
    expect(out).toContain('exec: "nosuch": executable file not found in $PATH');
  });

  it('an endless RUN is killed when the build is cancelled', async () => {
    const engine = engineWith(workerRunStep({ workerFactory }));
    const ac = new AbortController();
    let out = '';
    const started = Date.now();
    const build = engine.builds.build({
      context: memoryBuildContext({ Dockerfile: 'FROM toolbox\nRUN echo spinning; while true; do :; done\n' }),
      onOutput: (t) => {
        out += t;
        if (out.includes('spinning')) ac.abort();
      },
      signal: ac.signal,
      tags: ['never'],
    });
    await expect(build).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(engine.images.resolve('never')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });

  it('a RUN past its time limit ends with 137', async () => {
    const engine = engineWith(workerRunStep({ workerFactory, limits: { timeoutMs: 300 } }));
    const build = engine.builds.build({ context: memoryBuildContext({ Dockerfile: 'FROM toolbox\nRUN while true; do :; done\n' }) });
    await expect(build).rejects.toMatchObject({ code: 'BUILD_FAILED', details: { exitCode: 137 } });
  });
});

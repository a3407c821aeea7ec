// A worker that runs the built-in shell gets the container's programs already compiled by
// the engine's thread: compiled once per digest for every container, never in the worker.

import { describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../../src/content/memory-store.js';
import { digestHex, digestOf } from '../../../src/content/digest.js';
import { ImageStore, MemoryMetadataFiles } from '../../../src/image/image-store.js';
import { createBuiltinImage } from '../../../src/image/builtin.js';
import { LayerStore } from '../../../src/layers/layer-store.js';
import { nodeProgramLoader } from '../../../src/platform/node/builtin-images.js';
import {
  ContainerFsHub,
  ModuleCache,
  clearProgramCache,
  execProgram,
  pathPrograms,
  programCacheStats,
  registerCompiledModules,
  spawnProcess,
} from '../../../src/runner/index.js';
import type { RunnerWorker, StartMessage } from '../../../src/runner/index.js';
import { TreeFs } from '../../../src/vfs/index.js';
import { readFileSync } from 'node:fs';

async function toolboxHub(): Promise<{ hub: ContainerFsHub; toolbox: Uint8Array }> {
  const content = new MemoryContentStore();
  const images = new ImageStore({ content, files: new MemoryMetadataFiles() });
  const record = await createBuiltinImage(images, 'toolbox', { loadProgram: nodeProgramLoader() });
  const view = await new LayerStore(content).view(record.manifest.layers.map((l) => l.digest));
  const hub = new ContainerFsHub({ top: new TreeFs(view.root) });
  return { hub, toolbox: hub.fs.readFile('/bin/toolbox') };
}

describe('modules posted to workers', () => {
  it('pathPrograms finds each module on PATH once (the applets are links to one toolbox)', async () => {
    const { hub, toolbox } = await toolboxHub();
    const programs = pathPrograms(hub.fs, ['PATH=/usr/local/bin:/usr/bin:/bin']);
    expect(programs.map((p) => digestOf(p))).toEqual([digestOf(toolbox)]);
  });

  it('a worker started with exec is sent the compiled programs', async () => {
    const { hub, toolbox } = await toolboxHub();
    const posted: StartMessage[] = [];
    const fake: RunnerWorker = {
      postMessage: (m) => void posted.push(m as StartMessage),
      onMessage: () => undefined,
      onError: () => undefined,
      terminate: () => undefined,
    };
    const cache = new ModuleCache();
    const p = spawnProcess({ exec: '/bin/sh', args: ['sh', '-c', 'ls / | wc -l'], env: ['PATH=/bin'], hub, mode: 'worker', workerFactory: () => fake, moduleCache: cache });
    for (let i = 0; i < 100 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    p.kill();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.exec).toBe('/bin/sh');
    expect(posted[0]!.modules?.map((m) => m.digest)).toEqual([digestHex(digestOf(toolbox))]);
    expect(cache.stats.compiled).toBe(1);
  });

  it('execProgram runs a posted module without compiling', async () => {
    const { hub } = await toolboxHub();
    clearProgramCache();
    const bytes = readFileSync(new URL('../../../images/toolbox/toolbox.wasm', import.meta.url));
    const compiled = await new ModuleCache().get(bytes);
    registerCompiledModules([{ digest: compiled.digest, module: compiled.module }]);
    const before = programCacheStats().compiled;
    let out = '';
    const status = execProgram({
      path: '/bin/echo',
      args: ['echo', 'posted'],
      env: [],
      fs: hub.fs,
      cwd: '/',
      stdin: { read: () => null, ready: () => true },
      stdout: { write: (d) => void (out += new TextDecoder().decode(d)) },
      stderr: { write: () => undefined },
    });
    expect({ code: status.code, out }).toEqual({ code: 0, out: 'posted\n' });
    expect(programCacheStats().compiled).toBe(before);
  });
});

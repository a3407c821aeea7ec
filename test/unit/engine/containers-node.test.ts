// Containers kept on disk by the Node platform: config.v2.json, the top layer and the
// json-file log survive an engine restart; a container running when the engine died comes
// back exited (255).

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryContainerPersistence } from '../../../src/engine/containers/persistence.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import { openNodeEngine } from '../../../src/platform/node/engine.js';
import { memoryImageStore } from '../../helpers/image-fixtures.js';
import { collect, memoryEngine, run, workerFactory } from './containers-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'wasmbox-node-containers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('containers on a Node root', () => {
  it('keeps the record, the top layer and the json-file log across a restart', async () => {
    let engine = await openNodeEngine(root, { processMode: 'inline' });
    const r = await run(engine, 'toolbox', ['sh', '-c', 'echo data > /file; echo hello; echo oops >&2'], {}, { name: 'disk' });
    expect(r.code).toBe(0);
    await engine.close();
    const dir = join(root, 'containers', r.id);
    expect(readdirSync(dir).sort()).toEqual([`${r.id}-json.log`, 'config.v2.json', 'top-layer.tar'].sort());
    const lines = readFileSync(join(dir, `${r.id}-json.log`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.map((l) => [l.log, l.stream])).toEqual([
      ['hello\n', 'stdout'],
      ['oops\n', 'stderr'],
    ]);
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.parse(readFileSync(join(dir, 'config.v2.json'), 'utf8'))).toMatchObject({ id: r.id, name: 'disk' });

    engine = await openNodeEngine(root, { processMode: 'inline' });
    try {
      expect((await engine.containers.inspect('disk')).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
      expect(await collect(engine.containers.logs('disk'))).toEqual({ stdout: 'hello\n', stderr: 'oops\n' });
      const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['true'] });
      await engine.containers.remove(Id);
      expect(readdirSync(join(root, 'containers'))).not.toContain(Id);
      const cat = await engine.containers.execCreate('disk', { Cmd: ['cat', '/file'] }).catch((e: Error) => e);
      expect(cat).toBeInstanceOf(Error); // not running
      expect((await engine.containers.changes('disk')).map((c) => c.Path)).toContain('/file');
    } finally {
      await engine.close();
    }
  });

  it('brings back a container that was running when the engine died as exited (255)', async () => {
    const persistence = new MemoryContainerPersistence();
    const images = memoryImageStore();
    const volumes = new MemoryVolumeBackend();
    const first = memoryEngine({ persistence, images, volumes, processMode: 'worker', workerFactory: workerFactory() });
    const { Id } = await first.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'while true; do :; done'] }, { name: 'crashy' });
    await first.containers.start(Id);
    // No close(): the engine "dies"; a second one opens the same store.
    const second = memoryEngine({ persistence, images, volumes });
    try {
      expect((await second.containers.inspect('crashy')).State).toMatchObject({ Status: 'exited', ExitCode: 255, Running: false });
    } finally {
      await first.close();
      await second.close();
    }
  });
});

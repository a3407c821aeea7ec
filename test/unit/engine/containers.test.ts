// The container service over memory stores, processes inline: run, exit codes, env, workdir,
// names, logs, remove, volumes, read-only mounts and roots, limits, exec, restart policies,
// persistence across an engine restart, diff/export/commit/cp, and escape attempts.

import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { MemoryContainerPersistence } from '../../../src/engine/containers/persistence.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { writeTar } from '../../../src/layers/tar-writer.js';
import { WasmboxError } from '../../../src/errors.js';
import { memoryImageStore } from '../../helpers/image-fixtures.js';
import { collect, memoryEngine, run } from './containers-helpers.js';

let engine: Engine;
afterEach(async () => {
  await engine?.close();
});

async function bytesOf(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

async function rejection(p: Promise<unknown>): Promise<WasmboxError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WasmboxError);
    return e as WasmboxError;
  }
  throw new Error('expected a rejection');
}

describe('ContainerService: run', () => {
  it('runs hello-world', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'hello-world', undefined);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
    const info = await engine.containers.inspect(r.id);
    expect(info.State).toMatchObject({ Status: 'exited', ExitCode: 0, Running: false });
    expect(info.Path).toBe('/hello');
    expect(info.Id).toMatch(/^[a-f0-9]{64}$/);
    expect(info.Name).toMatch(/^\/[a-z]+_[a-z]+\d?$/);
  });

  it('runs the toolbox shell with a pipe, and ls /', async () => {
    engine = memoryEngine();
    expect(await run(engine, 'toolbox', ['sh', '-c', 'echo hi | tr a-z A-Z'])).toMatchObject({ code: 0, stdout: 'HI\n' });
    const ls = await run(engine, 'toolbox', ['ls', '/']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'etc']));
  });

  it('gives the program no host environment: only the image Env and the given one', async () => {
    engine = memoryEngine();
    process.env.WASMBOX_SECRET_TEST = 'leaked';
    try {
      const r = await run(engine, 'toolbox', ['env'], { Env: ['FOO=bar'] });
      expect(r.code).toBe(0);
      const vars = r.stdout.trim().split('\n').map((l) => l.split('=')[0]);
      expect(r.stdout).toContain('FOO=bar\n');
      expect(r.stdout).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
      expect(r.stdout).not.toContain('leaked');
      expect(vars).not.toContain('WASMBOX_SECRET_TEST');
      expect(vars).not.toContain('USER');
    } finally {
      delete process.env.WASMBOX_SECRET_TEST;
    }
  });

  it('runs in the working directory, creating it when missing', async () => {
    engine = memoryEngine();
    expect(await run(engine, 'toolbox', ['pwd'], { WorkingDir: '/srv/app' })).toMatchObject({ code: 0, stdout: '/srv/app\n' });
    expect(await run(engine, 'toolbox', ['sh', '-c', 'pwd'], { WorkingDir: '/etc' })).toMatchObject({ code: 0, stdout: '/etc\n' });
    await expect(engine.containers.create({ Image: 'toolbox', WorkingDir: 'rel' })).rejects.toThrow(/needs to be an absolute path/);
  });

  it('merges Entrypoint and Cmd as docker does', async () => {
    engine = memoryEngine();
    const a = await engine.containers.create({ Image: 'toolbox', Entrypoint: ['echo'] });
    expect(await engine.containers.inspect(a.Id)).toMatchObject({ Path: 'echo', Args: [] });
    const b = await engine.containers.create({ Image: 'toolbox', Entrypoint: ['echo'], Cmd: ['x'] });
    expect(await engine.containers.inspect(b.Id)).toMatchObject({ Path: 'echo', Args: ['x'] });
    const c = await engine.containers.create({ Image: 'toolbox' });
    expect(await engine.containers.inspect(c.Id)).toMatchObject({ Path: 'sh', Args: [] });
  });

  it('exits with the program status: 0, 1, 127 for a missing command, 126 for a non-program', async () => {
    engine = memoryEngine();
    expect((await run(engine, 'toolbox', ['true'])).code).toBe(0);
    expect((await run(engine, 'toolbox', ['false'])).code).toBe(1);
    expect((await run(engine, 'toolbox', ['sh', '-c', 'exit 3'])).code).toBe(3);
    expect((await run(engine, 'toolbox', ['sh', '-c', 'nope'])).code).toBe(127);

    const missing = await engine.containers.create({ Image: 'toolbox', Cmd: ['nope'] });
    const e = await rejection(engine.containers.start(missing.Id));
    expect(e.message).toContain('exec: "nope": executable file not found in $PATH');
    expect(e.details?.exitCode).toBe(127);
    expect((await engine.containers.inspect(missing.Id)).State).toMatchObject({ Status: 'created', ExitCode: 127 });

    const notProgram = await engine.containers.create({ Image: 'toolbox', Cmd: ['/etc/passwd'] });
    const e2 = await rejection(engine.containers.start(notProgram.Id));
    expect(e2.message).toContain('exec format error');
    expect(e2.details?.exitCode).toBe(126);
  });

  it('answers IMAGE_NOT_FOUND with docker\'s message', async () => {
    engine = memoryEngine();
    const e = await rejection(engine.containers.create({ Image: 'nope' }));
    expect(e.code).toBe('IMAGE_NOT_FOUND');
    expect(e.message).toBe('No such image: nope:latest');
  });

  it('removes an AutoRemove container after it exits (wait condition removed)', async () => {
    engine = memoryEngine();
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'exit 4'], HostConfig: { AutoRemove: true } });
    const removed = engine.containers.wait(Id, { condition: 'removed' });
    await engine.containers.start(Id);
    expect((await removed).StatusCode).toBe(4);
    await expect(engine.containers.inspect(Id)).rejects.toThrow(`No such container: ${Id}`);
  });
});

describe('ContainerService: names and lookup', () => {
  it('gives one of two racing creates of a name a 409', async () => {
    engine = memoryEngine();
    const results = await Promise.allSettled([
      engine.containers.create({ Image: 'hello-world' }, { name: 'web' }),
      engine.containers.create({ Image: 'hello-world' }, { name: 'web' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const id = (ok[0] as PromiseFulfilledResult<{ Id: string }>).value.Id;
    expect(failed[0]!.reason.code).toBe('CONFLICT');
    expect(failed[0]!.reason.httpStatus).toBe(409);
    expect(failed[0]!.reason.message).toBe(
      `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    // By name, with '/', and by a prefix of the id.
    expect((await engine.containers.inspect('web')).Id).toBe(id);
    expect((await engine.containers.inspect('/web')).Id).toBe(id);
    expect((await engine.containers.inspect(id.slice(0, 6))).Id).toBe(id);
    await engine.containers.remove('web');
    await engine.containers.create({ Image: 'hello-world' }, { name: 'web' });
  });

  it('lists running containers by default, all with all, with docker statuses', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'toolbox', ['sh', '-c', 'exit 2'], {}, { name: 'done' });
    await engine.containers.create({ Image: 'toolbox' }, { name: 'fresh' });
    expect(await engine.containers.list()).toEqual([]);
    const all = await engine.containers.list({ all: true });
    expect(all.map((c) => c.Names[0])).toEqual(['/fresh', '/done']);
    expect(all[0]).toMatchObject({ State: 'created', Status: 'Created', Image: 'toolbox', Command: 'sh' });
    expect(all[1]!.Status).toMatch(/^Exited \(2\) (Less than a second|\d+ seconds?) ago$/);
    expect((await engine.containers.list({ filters: { status: ['exited'] } })).map((c) => c.Id)).toEqual([r.id]);
    expect((await engine.containers.list({ filters: { name: ['fre'] } })).map((c) => c.Names[0])).toEqual(['/fresh']);
  });

  it('renames and publishes events with name and image attributes', async () => {
    engine = memoryEngine();
    const events: EngineEvent[] = [];
    const ac = new AbortController();
    void (async () => {
      for await (const e of engine.events.subscribe({ signal: ac.signal })) events.push(e);
    })();
    const r = await run(engine, 'hello-world', undefined, {}, { name: 'one' });
    await engine.containers.rename(r.id, 'two');
    await engine.containers.remove('two');
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const actions = events.filter((e) => e.Type === 'container').map((e) => e.Action);
    expect(actions).toEqual(['create', 'attach', 'start', 'die', 'rename', 'destroy']);
    const die = events.find((e) => e.Action === 'die')!;
    expect(die.Actor.Attributes).toMatchObject({ exitCode: '0', name: 'one', image: 'hello-world' });
  });
});

describe('ContainerService: logs', () => {
  it('keeps output as lines; tail, timestamps and stream selection', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'toolbox', ['sh', '-c', 'echo one; echo two; echo err >&2; echo three']);
    expect(r.stdout).toBe('one\ntwo\nthree\n');
    expect(r.stderr).toBe('err\n');
    expect(await collect(engine.containers.logs(r.id))).toEqual({ stdout: 'one\ntwo\nthree\n', stderr: 'err\n' });
    expect((await collect(engine.containers.logs(r.id, { tail: 2 }))).stdout).toBe('three\n');
    expect(await collect(engine.containers.logs(r.id, { tail: 2, stdout: true, stderr: false }))).toEqual({ stdout: 'two\nthree\n', stderr: '' });
    const ts = (await collect(engine.containers.logs(r.id, { timestamps: true, stderr: false }))).stdout;
    expect(ts.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one$/);
  });
});

describe('ContainerService: storage', () => {
  it('keeps a named volume\'s data across containers', async () => {
    engine = memoryEngine();
    expect((await run(engine, 'toolbox', ['sh', '-c', 'echo kept > /data/f'], { HostConfig: { Binds: ['vol1:/data'] } })).code).toBe(0);
    const r = await run(engine, 'toolbox', ['cat', '/data/f'], { HostConfig: { Binds: ['vol1:/data'] } });
    expect(r).toMatchObject({ code: 0, stdout: 'kept\n' });
    expect((await engine.volumes.inspect('vol1')).name).toBe('vol1');
    // In use: the volume cannot be removed.
    await expect(engine.volumes.remove('vol1')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses writes to a read-only volume (EROFS) and to a read-only root', async () => {
    engine = memoryEngine();
    const ro = await run(engine, 'toolbox', ['sh', '-c', 'echo x > /data/f'], { HostConfig: { Binds: ['vol2:/data:ro'] } });
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/read-only/i);
    const root = await run(engine, 'toolbox', ['sh', '-c', 'echo x > /f; echo $?'], { HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': '' } } });
    expect(root.stderr).toMatch(/read-only/i);
    const tmp = await run(engine, 'toolbox', ['sh', '-c', 'echo x > /tmp/f && cat /tmp/f'], { HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'size=1m' } } });
    expect(tmp).toMatchObject({ code: 0, stdout: 'x\n' });
  });

  it('fails a program past its memory limit', async () => {
    engine = memoryEngine();
    // sort holds its input in memory: 6.9 MB of lines does not fit in 6 MiB.
    const big = await run(engine, 'toolbox', ['sh', '-c', 'seq 1 1000000 > /tmp/n && sort /tmp/n'], { HostConfig: { Memory: 6 * 1024 * 1024 } });
    expect(big.code).toBe(134);
    expect(big.stdout).toBe('');
    expect(big.stderr).toContain('out of memory (limit 6291456 bytes)');
    const small = await run(engine, 'toolbox', ['sh', '-c', 'seq 1 1000 > /tmp/n && sort -n /tmp/n | tail -n 1'], { HostConfig: { Memory: 6 * 1024 * 1024 } });
    expect(small).toMatchObject({ code: 0, stdout: '1000\n' });
    await expect(engine.containers.create({ Image: 'toolbox', HostConfig: { Memory: 1024 } })).rejects.toThrow('Minimum memory limit allowed is 6MB');
  });

  it('shows changes, exports, copies in and out, and commits a new image', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'toolbox', ['sh', '-c', 'mkdir -p /app && echo v1 > /app/a && rm /etc/passwd']);
    expect(r.code).toBe(0);
    expect(await engine.containers.changes(r.id)).toEqual([
      { Path: '/app', Kind: 1 },
      { Path: '/app/a', Kind: 1 },
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/passwd', Kind: 2 },
    ]);
    const exported = readTar(await bytesOf(engine.containers.export(r.id))).entries.map((e) => e.path);
    expect(exported).toContain('app/a');
    expect(exported).toContain('bin/toolbox');
    expect(exported).not.toContain('etc/passwd');

    const stat = await engine.containers.statPath(r.id, '/app');
    expect(stat).toMatchObject({ name: 'app', linkTarget: '' });
    expect(stat.mode >>> 31).toBe(1);
    const { tar } = await engine.containers.getArchive(r.id, '/app');
    expect(readTar(await bytesOf(tar)).entries.map((e) => [e.path, new TextDecoder().decode(e.data)])).toEqual([
      ['app/', ''],
      ['app/a', 'v1\n'],
    ]);
    await expect(engine.containers.statPath(r.id, '/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const upload = writeTar([{ path: 'b.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: new TextEncoder().encode('uploaded\n') }]);
    await engine.containers.putArchive(r.id, '/app', once(upload));
    const { Id: imageId } = await engine.containers.commit(r.id, { repo: 'mine', tag: 'v1', changes: ['CMD ["cat", "/app/a", "/app/b.txt"]'] });
    expect(imageId).toMatch(/^sha256:/);
    const again = await run(engine, 'mine:v1', undefined);
    expect(again).toMatchObject({ code: 0, stdout: 'v1\nuploaded\n' });
    const gone = await run(engine, 'mine:v1', ['cat', '/etc/passwd']);
    expect(gone.code).toBe(1);
  });

  it('keeps containers, their files and logs across an engine restart', async () => {
    const persistence = new MemoryContainerPersistence();
    const images = memoryImageStore();
    const volumes = new MemoryVolumeBackend();
    engine = memoryEngine({ persistence, images, volumes });
    const r = await run(engine, 'toolbox', ['sh', '-c', 'echo saved > /kept; rm /etc/passwd; echo out'], {}, { name: 'keep' });
    await engine.close();
    engine = memoryEngine({ persistence, images, volumes });
    const info = await engine.containers.inspect('keep');
    expect(info.Id).toBe(r.id);
    expect(info.State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    expect((await collect(engine.containers.logs('keep'))).stdout).toBe('out\n');
    expect(await engine.containers.changes('keep')).toEqual(
      expect.arrayContaining([
        { Path: '/kept', Kind: 1 },
        { Path: '/etc/passwd', Kind: 2 },
      ]),
    );
    // Starting it again runs on the restored file system.
    await engine.containers.create({ Image: 'toolbox' }, { name: 'other' });
    const waited = engine.containers.wait('keep', { condition: 'next-exit' });
    await engine.containers.start('keep');
    expect((await waited).StatusCode).toBe(0);
    await expect(engine.containers.create({ Image: 'toolbox' }, { name: 'keep' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('ContainerService: exec and restart policies', () => {
  it('restarts on failure up to the retry count', async () => {
    engine = memoryEngine();
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'echo run; exit 1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
    await engine.containers.start(Id);
    for (let i = 0; i < 100; i++) {
      const info = await engine.containers.inspect(Id);
      if (info.RestartCount === 2 && info.State.Status === 'exited') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const info = await engine.containers.inspect(Id);
    expect(info).toMatchObject({ RestartCount: 2, State: { Status: 'exited', ExitCode: 1 } });
    expect((await collect(engine.containers.logs(Id))).stdout).toBe('run\nrun\nrun\n');
  });
});

describe('ContainerService: escapes', () => {
  it('resolves .. and symlinks inside the container', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'toolbox', ['cat', '/../../etc/passwd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('root:x:0:0:root:/root:/bin/sh');
    expect(r.stdout).not.toMatch(/daemon|systemd/);
    const link = await run(engine, 'toolbox', ['sh', '-c', 'ln -s /../../../ /up && ls /up/ && cat /up/etc/passwd']);
    expect(link.code).toBe(0);
    expect(link.stdout).toContain('root:x:0:0:root:/root:/bin/sh');
    expect(link.stdout).not.toContain('proc');
  });

  it('refuses archives that climb out of the container', async () => {
    engine = memoryEngine();
    const r = await run(engine, 'hello-world', undefined);
    const evil = writeTar([{ path: '../../evil', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, data: new Uint8Array(1) }]);
    await expect(engine.containers.putArchive(r.id, '/', once(evil))).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
  });
});

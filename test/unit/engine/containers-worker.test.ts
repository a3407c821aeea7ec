// The container service with processes in worker threads (the CLI's and daemon's mode) and
// host directories from the Node platform: stop of an endless loop, exec beside the main
// process over the same file system, stdin through attach, bind mounts and their escapes.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { nodeMountFactory } from '../../../src/platform/node/container-store.js';
import { collect, memoryEngine, run, workerFactory } from './containers-helpers.js';

let engine: Engine;
afterEach(async () => {
  await engine?.close();
});

const host = mkdtempSync(join(tmpdir(), 'wasmbox-containers-'));
afterAll(() => rmSync(host, { recursive: true, force: true }));

function workerEngine(): Engine {
  return memoryEngine({ processMode: 'worker', workerFactory: workerFactory(), mountFactory: nodeMountFactory() });
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ContainerService in worker mode', () => {
  it('runs hello-world and a shell pipeline in workers', async () => {
    engine = workerEngine();
    expect((await run(engine, 'hello-world', undefined)).stdout).toContain('Hello from wasmbox!');
    expect(await run(engine, 'toolbox', ['sh', '-c', 'echo hi | tr a-z A-Z; exit 5'])).toMatchObject({ code: 5, stdout: 'HI\n' });
  });

  it('keeps an in-memory volume\'s data across worker containers', async () => {
    engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
    expect((await run(engine, 'toolbox', ['sh', '-c', 'echo kept > /data/f'], { HostConfig: { Binds: ['wvol:/data'] } })).code).toBe(0);
    expect(await run(engine, 'toolbox', ['cat', '/data/f'], { HostConfig: { Binds: ['wvol:/data'] } })).toMatchObject({ code: 0, stdout: 'kept\n' });
  });

  it('stops an endless loop within the stop timeout: 137', async () => {
    engine = workerEngine();
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'while true; do :; done'] });
    await engine.containers.start(Id);
    await new Promise((r) => setTimeout(r, 200));
    expect((await engine.containers.inspect(Id)).State.Running).toBe(true);
    const t0 = Date.now();
    await engine.containers.stop(Id, { timeout: 1 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await engine.containers.inspect(Id)).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    // kill -s TERM gives 143.
    await engine.containers.start(Id);
    await engine.containers.kill(Id, { signal: 'SIGTERM' });
    expect((await engine.containers.inspect(Id)).State.ExitCode).toBe(143);
    await expect(engine.containers.kill(Id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('exec sees the main process\'s writes and the main process sees the exec\'s', async () => {
    engine = workerEngine();
    const { Id } = await engine.containers.create({
      Image: 'toolbox',
      Cmd: ['sh', '-c', 'echo from-main > /shared; while [ ! -f /from-exec ]; do :; done; cat /from-exec'],
    });
    const session = await engine.containers.attach(Id, { stream: true });
    const out = collect(session.output);
    await engine.containers.start(Id);
    await until(async () => (await engine.containers.changes(Id)).some((c) => c.Path === '/shared'));
    const exec = await engine.containers.execCreate(Id, { Cmd: ['sh', '-c', 'cat /shared && echo from-exec > /from-exec'], AttachStdout: true });
    const started = await engine.containers.execStart(exec.Id);
    const execOut = await collect(started.output);
    expect(await started.exited).toBe(0);
    expect(execOut.stdout).toBe('from-main\n');
    expect(await engine.containers.execInspect(exec.Id)).toMatchObject({ Running: false, ExitCode: 0, ContainerID: Id });
    expect((await engine.containers.wait(Id)).StatusCode).toBe(0);
    expect((await out).stdout).toBe('from-exec\n');
  });

  it('feeds stdin from attach to the process (OpenStdin, StdinOnce)', async () => {
    engine = workerEngine();
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['tr', 'a-z', 'A-Z'], OpenStdin: true, StdinOnce: true, AttachStdin: true });
    async function* input(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('hello ');
      await new Promise((r) => setTimeout(r, 50));
      yield new TextEncoder().encode('world\n');
    }
    const session = await engine.containers.attach(Id, { stream: true, stdin: input() });
    const out = collect(session.output);
    const waited = engine.containers.wait(Id, { condition: 'next-exit' });
    await engine.containers.start(Id);
    expect((await waited).StatusCode).toBe(0);
    expect((await out).stdout).toBe('HELLO WORLD\n');
  });

  it('a TTY container gets raw keystrokes through a line discipline: echo, Enter, backspace, Ctrl-D', async () => {
    engine = workerEngine();
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh'], Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true });
    async function* keys(): AsyncIterable<Uint8Array> {
      // As a terminal in raw mode sends them: CR for Enter, DEL for backspace, ^D to end.
      for (const k of ['echo hix', '\x7f', '\r', 'exit 4', '\r']) {
        yield new TextEncoder().encode(k);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const session = await engine.containers.attach(Id, { stream: true, stdin: keys() });
    const out = collect(session.output);
    const waited = engine.containers.wait(Id, { condition: 'next-exit' });
    await engine.containers.start(Id);
    expect((await waited).StatusCode).toBe(4);
    const text = (await out).stdout;
    // The echo of what was typed (with the erase), then the program's output with ONLCR.
    expect(text).toContain('echo hix\b \b\r\n');
    expect(text).toContain('hi\r\n');
  });

  it('bind mounts a host directory; read-only refuses writes; a symlink to / stays in the container', async () => {
    engine = workerEngine();
    const dir = join(host, 'bind');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'in.txt'), 'from host\n');
    symlinkSync('/', join(dir, 'root'));
    const rw = await run(engine, 'toolbox', ['sh', '-c', 'cat /mnt/in.txt && echo from-container > /mnt/out.txt'], { HostConfig: { Binds: [`${dir}:/mnt`] } });
    expect(rw).toMatchObject({ code: 0, stdout: 'from host\n' });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('from-container\n');
    const ro = await run(engine, 'toolbox', ['sh', '-c', 'echo x > /mnt/in.txt'], { HostConfig: { Binds: [`${dir}:/mnt:ro`] } });
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/read-only/i);
    expect(readFileSync(join(dir, 'in.txt'), 'utf8')).toBe('from host\n');
    // /mnt/root -> / resolves to the container's root, not the host's.
    const esc = await run(engine, 'toolbox', ['cat', '/mnt/root/etc/passwd'], { HostConfig: { Binds: [`${dir}:/mnt`] } });
    expect(esc.stdout).toContain('root:x:0:0:root:/root:/bin/sh');
    expect(esc.stdout).not.toBe(readFileSync('/etc/passwd', 'utf8'));
    // A missing host directory is created, as docker does for -v.
    const created = join(host, 'made', 'here');
    expect((await run(engine, 'toolbox', ['true'], { HostConfig: { Binds: [`${created}:/x`] } })).code).toBe(0);
    expect(() => readFileSync(join(created, 'nothing'))).toThrow();
    await expect(engine.containers.create({ Image: 'toolbox', HostConfig: { Mounts: [{ Type: 'bind', Source: join(host, 'absent'), Target: '/y' }] } })).rejects.toThrow(
      'bind source path does not exist',
    );
  });
});

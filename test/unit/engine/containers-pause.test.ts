// `docker pause`/`unpause` of worker processes: the process blocks at its next call while
// paused (its log stops growing), goes on after unpause, and stop/kill still end it; inline
// processes are refused; states, 409s and events follow Docker.

import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { collect, memoryEngine, workerFactory } from './containers-helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICKER = ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'];

async function logLength(e: Engine, id: string): Promise<number> {
  return (await collect(e.containers.logs(id, { stdout: true, stderr: true }))).stdout.length;
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

async function startTicker(e: Engine): Promise<string> {
  const { Id } = await e.containers.create({ Image: 'toolbox', Cmd: TICKER });
  await e.containers.start(Id);
  await until(async () => (await logLength(e, Id)) > 0);
  return Id;
}

describe('pause and unpause (worker processes)', () => {
  it('stops the log from growing while paused and resumes after unpause', async () => {
    engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
    const id = await startTicker(engine);
    await engine.containers.pause(id);
    const state = (await engine.containers.inspect(id)).State;
    expect(state).toMatchObject({ Status: 'paused', Paused: true, Running: true });
    expect((await engine.containers.list()).map((c) => c.State)).toEqual(['paused']);
    expect((await engine.containers.list())[0]!.Status).toMatch(/\(Paused\)$/);
    // At most one tick may be in flight when the flag is set.
    await sleep(250);
    const frozen = await logLength(engine, id);
    await sleep(600);
    expect(await logLength(engine, id)).toBe(frozen);
    await expect(engine.containers.pause(id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already paused/) });
    await expect(engine.containers.execCreate(id, { Cmd: ['true'] })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/paused/) });
    await expect(engine.containers.start(id)).rejects.toMatchObject({ code: 'CONFLICT' });

    await engine.containers.unpause(id);
    expect((await engine.containers.inspect(id)).State).toMatchObject({ Status: 'running', Paused: false });
    await until(async () => (await logLength(engine!, id)) > frozen + 10);
    await expect(engine.containers.unpause(id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not paused/) });
    await engine.containers.stop(id);
    const events = engine.events.recent().filter((ev) => ev.Type === 'container' && ev.Actor.ID === id).map((ev) => ev.Action);
    expect(events).toEqual(expect.arrayContaining(['pause', 'unpause']));
    expect(events.indexOf('pause')).toBeLessThan(events.indexOf('unpause'));
  });

  it('stops and kills a paused container (137 / 128+signal)', async () => {
    engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
    const id = await startTicker(engine);
    await engine.containers.pause(id);
    const t0 = Date.now();
    await engine.containers.stop(id);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await engine.containers.inspect(id)).State).toMatchObject({ Status: 'exited', ExitCode: 137, Paused: false, Running: false });

    await engine.containers.start(id);
    await engine.containers.pause(id);
    await engine.containers.kill(id, { signal: 'TERM' });
    expect((await engine.containers.inspect(id)).State).toMatchObject({ Status: 'exited', ExitCode: 143 });
    await expect(engine.containers.pause(id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not running/) });
    await expect(engine.containers.unpause(id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('removes a paused container with force', async () => {
    engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
    const id = await startTicker(engine);
    await engine.containers.pause(id);
    await expect(engine.containers.remove(id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await engine.containers.remove(id, { force: true });
    await expect(engine.containers.inspect(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pauses a module blocked in its own loop of WASI calls (sleep applet)', async () => {
    engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'sleep 0.3; echo done'] });
    await engine.containers.start(Id);
    await engine.containers.pause(Id);
    await sleep(800);
    expect(await logLength(engine, Id)).toBe(0);
    await engine.containers.unpause(Id);
    expect((await engine.containers.wait(Id)).StatusCode).toBe(0);
    expect((await collect(engine.containers.logs(Id, { stdout: true }))).stdout).toBe('done\n');
  });
});

describe('pause with inline processes', () => {
  it('is refused with a message that says why', async () => {
    engine = memoryEngine({ processMode: 'inline' });
    const { Id } = await engine.containers.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'read x'], OpenStdin: true, StdinOnce: true });
    // The inline process waits for all of its stdin before it runs: it stays running until we end it.
    let endStdin!: () => void;
    const ended = new Promise<void>((r) => (endStdin = r));
    const stdin = (async function* () {
      await ended;
      yield new TextEncoder().encode('x\n');
    })();
    const session = await engine.containers.attach(Id, { stream: true, stdin, stdout: true });
    const out = collect(session.output);
    await engine.containers.start(Id);
    await expect(engine.containers.pause(Id)).rejects.toMatchObject({ code: 'NOT_IMPLEMENTED', message: expect.stringMatching(/inline/) });
    expect((await engine.containers.inspect(Id)).State.Status).toBe('running');
    endStdin();
    expect((await engine.containers.wait(Id)).StatusCode).toBe(0);
    await out;
  });
});

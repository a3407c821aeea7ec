// POST /build and /build/prune through createApi(engine).fetch, with RUN done by the builder
// tests' TypeScript stand-in: the JSON-lines stream the docker CLI reads, errors, cache, events.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createApi } from '../../../src/api/api.js';
import type { Api } from '../../../src/api/api.js';
import type { RunStep } from '../../../src/build/run-step.js';
import { ManualClock } from '../../../src/engine/clock.js';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { MemoryVolumeBackend } from '../../../src/engine/volumes.js';
import { makeTar, memoryImageStore, putTestImage } from '../../helpers/image-fixtures.js';
import type { TarFile } from '../../helpers/image-fixtures.js';
import { fakeRunStep } from '../build/fake-run.js';
import { jsonLines } from './harness.js';

function setup(options: { runStep?: RunStep } = {}): { engine: Engine; api: Api } {
  const engine = new Engine({
    images: memoryImageStore(),
    volumes: new MemoryVolumeBackend(),
    clock: new ManualClock(Date.UTC(2024, 5, 1)),
    runStep: options.runStep ?? fakeRunStep(),
  });
  return { engine, api: createApi(engine) };
}

async function post(api: Api, query: string, body: Uint8Array | null, headers: Record<string, string> = {}): Promise<Response> {
  const init = { method: 'POST', headers: { 'Content-Type': 'application/x-tar', ...headers }, body, ...(body ? { duplex: 'half' } : {}) };
  return api.fetch(new Request(`http://localhost/v1.45/build${query}`, init as RequestInit));
}

const APP: TarFile[] = [
  { name: 'Dockerfile', data: 'FROM base\nCOPY hello.txt /app/hello.txt\nRUN echo built > /app/built.txt && echo done\nCMD ["/app/run.wasm"]\n' },
  { name: 'hello.txt', data: 'hi there\n' },
];

async function withBase(engine: Engine): Promise<void> {
  await putTestImage(engine.images.store, { tags: ['base:latest'], layers: [{ 'etc/os': 'base\n' }] });
}

function streamText(lines: Record<string, unknown>[]): string {
  return lines.map((l) => (typeof l.stream === 'string' ? l.stream : '')).join('');
}

describe('POST /build', () => {
  it('streams the classic builder output, the image id as aux, and tags the image', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    const events: EngineEvent[] = [];
    const ac = new AbortController();
    void (async () => {
      for await (const e of engine.events.subscribe({ signal: ac.signal })) events.push(e);
    })();
    const res = await post(api, '?t=app:1&t=app:latest&buildargs=%7B%22UNUSED%22%3Anull%7D&labels=%7B%22team%22%3A%22core%22%7D', await makeTar(APP));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const lines = await jsonLines(res);
    const text = streamText(lines);
    expect(text).toMatch(/^Step 1\/5 : FROM base\n/);
    expect(text).toContain('Step 2/5 : COPY hello.txt /app/hello.txt\n');
    expect(text).toContain('Step 3/5 : RUN echo built > /app/built.txt && echo done\n');
    expect(text).toMatch(/ ---> Running in [0-9a-f]{12}\ndone\n/);
    expect(text).toContain('Successfully tagged app:1\n');
    expect(text).toContain('Successfully tagged app:latest\n');
    const aux = lines.find((l) => l.aux !== undefined) as { aux: { ID: string } };
    expect(aux.aux.ID).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.some((l) => l.error !== undefined)).toBe(false);
    const record = await engine.images.resolve('app:1');
    expect(record.id).toBe(aux.aux.ID);
    expect(record.config.config?.Cmd).toEqual(['/app/run.wasm']);
    expect(record.config.config?.Labels).toEqual({ team: 'core' });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    expect(events.filter((e) => e.Type === 'image' && e.Action === 'tag').map((e) => e.Actor.Attributes.name)).toEqual(['app:1', 'app:latest']);
  });

  it('uses the cache on a second build, and nocache=1 runs every step again', async () => {
    const calls: unknown[] = [];
    const { engine, api } = setup({ runStep: fakeRunStep({ calls: calls as never }) });
    await withBase(engine);
    const tar = await makeTar(APP);
    const first = await jsonLines(await post(api, '?t=app', tar));
    const second = streamText(await jsonLines(await post(api, '?t=app', tar)));
    expect(second.match(/---> Using cache/g)?.length).toBe(3);
    expect(calls.length).toBe(1);
    const ids = (lines: Record<string, unknown>[]) => (lines.find((l) => l.aux) as { aux: { ID: string } }).aux.ID;
    expect(ids(await jsonLines(await post(api, '?t=app', tar)))).toBe(ids(first));
    const third = streamText(await jsonLines(await post(api, '?t=app&nocache=1', tar)));
    expect(third).not.toContain('Using cache');
    expect(calls.length).toBe(2);
  });

  it('accepts a gzip context, another Dockerfile name, a target and build args', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    const tar = await makeTar([
      { name: 'build/app.Dockerfile', data: 'FROM base AS one\nARG WHO=nobody\nRUN echo hello $WHO\nFROM one AS two\nRUN exit 3\n' },
    ]);
    const res = await post(api, `?t=x&dockerfile=build%2Fapp.Dockerfile&target=one&buildargs=${encodeURIComponent('{"WHO":"docker"}')}`, gzipSync(tar));
    const lines = await jsonLines(res);
    expect(streamText(lines)).toContain('hello docker\n');
    expect(lines.some((l) => l.error)).toBe(false);
  });

  it('q=1 streams only the image id', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    const lines = await jsonLines(await post(api, '?q=1', await makeTar(APP)));
    const aux = lines.find((l) => l.aux) as { aux: { ID: string } };
    expect(streamText(lines)).toBe(`${aux.aux.ID}\n`);
  });

  it('a failing RUN ends the stream with errorDetail carrying its exit code, and tags nothing', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    const tar = await makeTar([{ name: 'Dockerfile', data: 'FROM base\nRUN echo before\nRUN exit 3\n' }]);
    const lines = await jsonLines(await post(api, '?t=broken', tar));
    const last = lines[lines.length - 1]!;
    expect(last).toEqual({
      errorDetail: { message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3", code: 3 },
      error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    });
    expect(streamText(lines)).toContain('Step 3/3 : RUN exit 3\n');
    await expect(engine.images.resolve('broken')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });

  it('a failure after output (missing base image) is an error line naming the Dockerfile line', async () => {
    const { api } = setup();
    const lines = await jsonLines(await post(api, '', await makeTar([{ name: 'Dockerfile', data: '# c\nFROM nosuch\n' }])));
    const last = lines[lines.length - 1] as { error: string; errorDetail: { message: string; code?: number } };
    expect(last.error).toMatch(/^Dockerfile:2: FROM failed: .*nosuch/);
    expect(last.errorDetail.code).toBeUndefined();
  });

  it('errors before any output are plain HTTP errors (missing Dockerfile, parse error)', async () => {
    const { api } = setup();
    let res = await post(api, '', await makeTar([{ name: 'x.txt', data: 'x' }]));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe('Cannot locate specified Dockerfile: Dockerfile');
    res = await post(api, '', await makeTar([{ name: 'Dockerfile', data: 'FROM base\nFLY away\n' }]));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/Dockerfile:2/);
  });

  it('refuses what it cannot do with a message saying why', async () => {
    const { api } = setup();
    const tar = await makeTar(APP);
    const message = async (res: Response) => ({ status: res.status, message: ((await res.json()) as { message: string }).message });
    expect(await message(await post(api, '?remote=https%3A%2F%2Fgithub.com%2Fa%2Fb.git', null))).toEqual({
      status: 501,
      message: expect.stringMatching(/remote build contexts are not supported \(remote=https:\/\/github.com\/a\/b.git\)/),
    });
    expect(await message(await post(api, '?version=2', tar))).toMatchObject({ status: 501, message: expect.stringMatching(/DOCKER_BUILDKIT=0/) });
    expect(await message(await post(api, '?platform=linux%2Famd64', tar))).toMatchObject({ status: 400, message: expect.stringMatching(/wasi\/wasm/) });
    expect(await message(await post(api, '?t=UPPER%3Abad', tar))).toMatchObject({ status: 400, message: expect.stringMatching(/invalid tag "UPPER:bad"/) });
    expect(await message(await post(api, '?buildargs=%7Bnope', tar))).toMatchObject({ status: 400, message: expect.stringMatching(/buildargs parameter is not valid JSON/) });
    expect(await message(await post(api, '', null))).toMatchObject({ status: 400, message: expect.stringMatching(/no build context/) });
  });

  it('accepts platform wasi/wasm and the X-Registry-Config header', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    const res = await post(api, '?platform=wasi%2Fwasm&rm=1&forcerm=0&networkmode=default', await makeTar(APP), { 'X-Registry-Config': btoa('{}') });
    expect((await jsonLines(res)).some((l) => l.aux)).toBe(true);
  });

  it('an aborted request cancels the build', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const runStep: RunStep = (ctx) =>
      new Promise((resolve) => {
        started();
        ctx.signal?.addEventListener('abort', () => resolve(137));
      });
    const { engine, api } = setup({ runStep });
    await withBase(engine);
    const ac = new AbortController();
    const tar = await makeTar([{ name: 'Dockerfile', data: 'FROM base\nRUN sleep forever\n' }]);
    const req = new Request('http://localhost/build?t=never', { method: 'POST', body: tar, signal: ac.signal, duplex: 'half' } as RequestInit);
    const res = await api.fetch(req);
    await running;
    ac.abort();
    const lines = await jsonLines(res).catch(() => []);
    expect(lines.some((l) => l.aux)).toBe(false);
    await expect(engine.images.resolve('never')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });
});

describe('POST /build/prune', () => {
  it('forgets the cache and deletes the blobs only it held; tagged images keep theirs', async () => {
    const { engine, api } = setup();
    await withBase(engine);
    await jsonLines(await post(api, '?t=app', await makeTar(APP)));
    const before = (await engine.images.store.content.list()).length;
    const res = await api.fetch(new Request('http://localhost/v1.45/build/prune', { method: 'POST' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { CachesDeleted: string[]; SpaceReclaimed: number };
    // Intermediate configs go; the final image and its layers stay.
    expect(body.CachesDeleted.length).toBeGreaterThan(0);
    expect(body.SpaceReclaimed).toBeGreaterThan(0);
    expect((await engine.images.store.content.list()).length).toBe(before - body.CachesDeleted.length);
    await engine.images.resolve('app');
    const again = streamText(await jsonLines(await post(api, '?t=app', await makeTar(APP))));
    expect(again).not.toContain('Using cache');
  });
});

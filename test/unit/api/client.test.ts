// The API client against the engine's own fetch handler (no socket): every ContainerServiceApi
// call goes over HTTP shapes and back, and the daemon's errors return as the engine's codes.

import { afterAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { createApi } from '../../../src/api/api.js';
import { ApiClient, decodeOutput, errorOfResponse, inProcessTransport } from '../../../src/api/client.js';
import { muxFrame } from '../../../src/api/stream-format.js';
import { isWasmboxError } from '../../../src/errors.js';
import type { WasmboxError } from '../../../src/errors.js';
import { collect, memoryEngine, workerFactory } from '../engine/containers-helpers.js';

// Workers: a container that loops forever must not hold the test's thread.
const engine = memoryEngine({ processMode: 'worker', workerFactory: workerFactory() });
const client = new ApiClient(inProcessTransport(createApi(engine)));
afterAll(() => engine.close());

async function runVia(image: string, cmd?: string[], options: { name?: string } = {}) {
  const { Id } = await client.create({ Image: image, ...(cmd ? { Cmd: cmd } : {}) }, options);
  const session = await client.attach(Id, { stream: true, stdout: true, stderr: true });
  const out = collect(session.output);
  const waited = client.wait(Id, { condition: 'next-exit' });
  await client.start(Id);
  const { StatusCode } = await waited;
  return { id: Id, code: StatusCode, ...(await out) };
}

async function caught(p: Promise<unknown>): Promise<WasmboxError> {
  try {
    await p;
  } catch (e) {
    if (isWasmboxError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

async function tarOf(files: Record<string, string>): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, body);
  pack.finalize();
  const chunks: Uint8Array[] = [];
  for await (const c of pack) chunks.push(c as Uint8Array);
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

describe('ApiClient over createApi(engine).fetch', () => {
  it('pings and reads the version', async () => {
    await client.ping();
    expect((await client.version()).ApiVersion).toBeTypeOf('string');
  });

  it('runs hello-world: create, attach (hijacked), wait, start', async () => {
    const r = await runVia('hello-world');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
  });

  it('separates stdout and stderr and returns the exit status', async () => {
    const r = await runVia('toolbox', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const logs = await collect(client.logs(r.id, { stdout: true, stderr: true }));
    expect(logs).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    const onlyOut = await collect(client.logs(r.id, { stdout: true, stderr: false, tail: 1 }));
    expect(onlyOut).toEqual({ stdout: 'out\n', stderr: '' });
  });

  it('feeds stdin through the hijacked attach', async () => {
    const { Id } = await client.create({ Image: 'toolbox', Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true });
    const session = await client.attach(Id, { stream: true, stdout: true, stderr: true, stdin: once(new TextEncoder().encode('piped\n')) });
    const out = collect(session.output);
    const waited = client.wait(Id);
    await client.start(Id);
    expect((await waited).StatusCode).toBe(0);
    expect((await out).stdout).toBe('piped\n');
  });

  it('lists, inspects, renames, execs, copies, commits, removes', async () => {
    const { Id } = await client.create({ Image: 'toolbox', Cmd: ['sh', '-c', 'echo ready > /ready; while true; do sleep 1; done'] }, { name: 'svc' });
    await client.start(Id);
    try {
      expect((await client.inspect('svc')).State.Running).toBe(true);
      expect((await client.list()).map((c) => c.Names[0])).toContain('/svc');
      expect((await client.list({ filters: { name: ['nomatch'] } })).length).toBe(0);
      await client.rename('svc', 'svc2');
      expect((await client.inspect(Id)).Name).toBe('/svc2');

      const exec = await client.execCreate('svc2', { Cmd: ['sh', '-c', 'ls /; echo e >&2; exit 4'], AttachStdout: true, AttachStderr: true });
      const session = await client.execStart(exec.Id);
      const out = await collect(session.output);
      expect(await session.exited).toBe(4);
      expect(out.stdout).toContain('bin');
      expect(out.stderr).toBe('e\n');
      expect((await client.execInspect(exec.Id)).ExitCode).toBe(4);

      await client.putArchive('svc2', '/', once(await tarOf({ 'copied.txt': 'copied!' })));
      const stat = await client.statPath('svc2', '/copied.txt');
      expect(stat).toMatchObject({ name: 'copied.txt', size: 7 });
      const { stat: s2, tar: archive } = await client.getArchive('svc2', '/copied.txt');
      expect(s2.size).toBe(7);
      let bytes = 0;
      for await (const c of archive) bytes += c.length;
      expect(bytes).toBeGreaterThan(512);
      expect((await client.changes('svc2')).map((c) => c.Path)).toContain('/copied.txt');
      expect((await client.top('svc2')).Titles.length).toBeGreaterThan(0);

      const { Id: imageId } = await client.commit('svc2', { repo: 'committed', tag: 'v1', changes: ['CMD ["cat", "/copied.txt"]'] });
      expect(imageId).toMatch(/^sha256:/);
      expect((await client.images.inspect('committed:v1')).Id).toBe(imageId);
      const again = await runVia('committed:v1');
      expect(again.stdout).toBe('copied!');

      await client.stop('svc2', { timeout: 0 });
      expect((await client.inspect(Id)).State.Running).toBe(false);
      let exported = 0;
      for await (const c of client.export(Id)) exported += c.length;
      expect(exported).toBeGreaterThan(1024);
    } finally {
      await client.remove(Id, { force: true });
    }
    expect((await caught(client.inspect(Id))).code).toBe('NOT_FOUND');
  });

  it('maps the daemon errors back to the engine codes and messages', async () => {
    const missing = await caught(client.create({ Image: 'nope' }));
    expect(missing.code).toBe('IMAGE_NOT_FOUND');
    const gone = await caught(client.start('does-not-exist'));
    expect(gone.code).toBe('NOT_FOUND');
    expect(gone.message).toMatch(/No such container: does-not-exist/);
    const { Id } = await client.create({ Image: 'toolbox', Cmd: ['true'] }, { name: 'dup' });
    const dup = await caught(client.create({ Image: 'toolbox', Cmd: ['true'] }, { name: 'dup' }));
    expect(dup.code).toBe('CONFLICT');
    expect((await caught(client.rename(Id, 'bad name!'))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(client.execCreate(Id, { Cmd: ['true'] }))).code).toBe('CONFLICT');
    await client.remove(Id);
    expect((await caught(client.images.inspect('nope:latest'))).code).toBe('IMAGE_NOT_FOUND');
    expect(errorOfResponse(409, 'x', 'r').code).toBe('CONFLICT');
    expect(errorOfResponse(404, 'No such image: a:latest', 'r').code).toBe('IMAGE_NOT_FOUND');
  });

  it('prunes stopped containers', async () => {
    const r = await runVia('hello-world');
    const pruned = await client.prune();
    expect(pruned.ContainersDeleted).toContain(r.id);
  });

  it('images: list, tag, history, save, load, remove', async () => {
    await runVia('hello-world');
    await client.images.tag('hello-world', 'localhost:5000/hw:v2');
    const list = await client.images.list();
    const hw = list.find((i) => i.repoTags.includes('localhost:5000/hw:v2'));
    expect(hw?.repoTags).toContain('hello-world:latest');
    expect((await client.images.history('hello-world'))[0]!.Id).toBe(hw!.id);
    const chunks: Uint8Array[] = [];
    for await (const c of await client.images.save(['localhost:5000/hw:v2'])) chunks.push(c);
    const removed = await client.images.remove('localhost:5000/hw:v2');
    expect(removed).toEqual([{ Untagged: 'localhost:5000/hw:v2' }]);
    const loaded = await client.images.load(once(Buffer.concat(chunks)));
    expect(loaded.images[0]!.repoTags).toEqual(['localhost:5000/hw:v2']);
    expect((await caught(client.images.save(['nope']))).code).toBe('IMAGE_NOT_FOUND');
  });

  it('builds from a tar context', async () => {
    const context = await tarOf({ Dockerfile: 'FROM toolbox\nRUN echo built > /b\nCMD ["cat", "/b"]\n' });
    let output = '';
    const { imageId } = await client.build({ context, tags: ['built:1'], onOutput: (t) => (output += t) });
    expect(imageId).toMatch(/^sha256:/);
    expect(output).toMatch(/Step 2\/3/);
    expect((await runVia('built:1')).stdout).toBe('built\n');
    const bad = await caught(client.build({ context: await tarOf({ Dockerfile: 'FROM toolbox\nRUN exit 7\n' }) }));
    expect(bad.code).toBe('BUILD_FAILED');
    expect(bad.details?.exitCode).toBe(7);
  });
});

describe('decodeOutput', () => {
  it('splits multiplexed frames across chunk boundaries; raw bytes with a TTY', async () => {
    const bytes = Buffer.concat([muxFrame(1, new TextEncoder().encode('ab')), muxFrame(2, new TextEncoder().encode('c'))]);
    async function* split() {
      yield bytes.subarray(0, 5);
      yield bytes.subarray(5);
    }
    const frames = [];
    for await (const f of decodeOutput(split(), { tty: false })) frames.push([f.stream, new TextDecoder().decode(f.data)]);
    expect(frames).toEqual([['stdout', 'ab'], ['stderr', 'c']]);
    const raw = [];
    for await (const f of decodeOutput(split(), { tty: true })) raw.push(f.stream);
    expect(raw).toEqual(['stdout', 'stdout']);
  });
});

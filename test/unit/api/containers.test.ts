// The container and exec routes through api.fetch (no socket), over a scripted container
// service: what reaches the service from each request, and the bytes and statuses that come
// back (multiplexed vs raw streams, wait's early headers, archive stat headers, errors).

import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import type {
  AttachOptions,
  ContainerCreateBody,
  ContainerInspect,
  ContainerServiceApi,
  ExecInspect,
  OutputFrame,
  PathStat,
} from '../../../src/engine/container-types.js';
import { isHijackResponse } from '../../../src/api/hijack.js';
import type { HijackResponse } from '../../../src/api/hijack.js';
import { MuxDecoder } from '../../../src/api/stream-format.js';
import { rfc3339Nano } from '../../../src/api/routes/stdio.js';
import { harness } from './harness.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A live output channel: push frames, end it; records whether its consumer let go. */
class Channel implements AsyncIterable<OutputFrame> {
  readonly #queue: OutputFrame[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  released = false;

  push(stream: 'stdout' | 'stderr', text: string, time = 1_700_000_000_000): void {
    this.#queue.push({ stream, data: enc.encode(text), time });
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  [Symbol.asyncIterator](): AsyncGenerator<OutputFrame> {
    return this.iterate();
  }

  /** Like a real service, a reader's signal ends its wait for the next frame. */
  async *iterate(signal?: AbortSignal): AsyncGenerator<OutputFrame> {
    signal?.addEventListener('abort', () => this.#wake?.(), { once: true });
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (signal?.aborted) return;
        if (next) yield next;
        else if (this.#ended) return;
        else await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.released = true;
    }
  }
}

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  tty: boolean;
  output: Channel;
  exit: { resolve(code: number): void; promise: Promise<number> };
}

function deferredExit(): FakeContainer['exit'] {
  let resolve!: (code: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  return { resolve, promise };
}

/** Only what the routes call; calls are recorded for assertions. */
class FakeContainers implements Partial<ContainerServiceApi> {
  readonly byId = new Map<string, FakeContainer>();
  readonly calls: { method: string; args: unknown[] }[] = [];
  stdinSeen: string[] = [];
  execStdin = '';
  #n = 0;

  find(id: string): FakeContainer {
    for (const c of this.byId.values()) if (c.id === id || c.name === id || (id.length >= 3 && c.id.startsWith(id))) return c;
    throw new WasmboxError('NOT_FOUND', `No such container: ${id}`);
  }

  async create(body: ContainerCreateBody, options: { name?: string } = {}) {
    this.calls.push({ method: 'create', args: [body, options] });
    if (body.Image === 'nope') throw new WasmboxError('IMAGE_NOT_FOUND', 'No such image: nope:latest');
    await Promise.resolve();
    const name = options.name ?? `fake_${++this.#n}`;
    for (const c of this.byId.values()) {
      if (c.name === name) throw new WasmboxError('CONFLICT', `Conflict. The container name "/${name}" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const id = (this.byId.size + 1).toString(16).padStart(64, 'a');
    this.byId.set(id, { id, name, running: false, tty: body.Tty === true, output: new Channel(), exit: deferredExit() });
    return { Id: id, Warnings: [] };
  }

  async inspect(id: string) {
    const c = this.find(id);
    return { Id: c.id, Name: `/${c.name}`, State: { Running: c.running, Paused: false }, Config: { Tty: c.tty } } as unknown as ContainerInspect;
  }

  async list(options: unknown) {
    this.calls.push({ method: 'list', args: [options] });
    return [];
  }

  async start(id: string) {
    this.find(id).running = true;
    this.calls.push({ method: 'start', args: [id] });
  }

  async stop(id: string, options: unknown) {
    this.calls.push({ method: 'stop', args: [id, options] });
    const c = this.find(id);
    c.running = false;
    c.exit.resolve(143);
  }

  async kill(id: string, options: unknown) {
    this.calls.push({ method: 'kill', args: [id, options] });
  }

  async wait(id: string, options: { condition?: string; signal?: AbortSignal } = {}) {
    this.calls.push({ method: 'wait', args: [id, options.condition] });
    return { StatusCode: await this.find(id).exit.promise };
  }

  async remove(id: string, options: { force?: boolean } = {}) {
    const c = this.find(id);
    if (c.running && !options.force) {
      throw new WasmboxError('CONFLICT', `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    }
    this.byId.delete(c.id);
  }

  async attach(id: string, options: AttachOptions = {}) {
    this.calls.push({ method: 'attach', args: [id, { ...options, stdin: options.stdin ? 'stdin' : undefined, signal: undefined }] });
    const c = this.find(id);
    if (options.stdin) {
      void (async () => {
        for await (const chunk of options.stdin!) this.stdinSeen.push(dec.decode(chunk));
        this.stdinSeen.push('<eof>');
      })();
    }
    return { output: c.output.iterate(options.signal), tty: c.tty };
  }

  logs(id: string, options: unknown): AsyncIterable<OutputFrame> {
    this.calls.push({ method: 'logs', args: [id, { ...(options as object), signal: undefined }] });
    return this.find(id).output.iterate((options as { signal?: AbortSignal }).signal);
  }

  async statPath(id: string, path: string): Promise<PathStat> {
    this.find(id);
    if (path !== '/etc/motd') throw new WasmboxError('ENOENT', `Could not find the file ${path} in container ${id}`);
    return { name: 'motd', size: 5, mode: 0o644, mtime: '2024-01-01T00:00:00Z', linkTarget: '' };
  }

  async getArchive(id: string, path: string) {
    const stat = await this.statPath(id, path);
    return {
      stat,
      tar: (async function* () {
        yield enc.encode('TAR-BYTES');
      })(),
    };
  }

  async putArchive(id: string, path: string, tar: AsyncIterable<Uint8Array>, options: unknown) {
    let text = '';
    for await (const c of tar) text += dec.decode(c);
    this.calls.push({ method: 'putArchive', args: [id, path, text, options] });
  }

  async commit(id: string, options: unknown) {
    this.calls.push({ method: 'commit', args: [id, options] });
    return { Id: `sha256:${'c'.repeat(64)}` as `sha256:${string}` };
  }

  async prune() {
    return { ContainersDeleted: [], SpaceReclaimed: 0 };
  }

  async execCreate(id: string, body: unknown) {
    this.find(id);
    this.calls.push({ method: 'execCreate', args: [id, body] });
    return { Id: 'e'.repeat(64) };
  }

  async execInspect(execId: string): Promise<ExecInspect> {
    if (execId !== 'e'.repeat(64)) throw new WasmboxError('NOT_FOUND', `No such exec instance: ${execId}`);
    return {
      ID: execId, ContainerID: 'x', Running: false, ExitCode: 0, Pid: 0,
      ProcessConfig: { entrypoint: 'sh', arguments: [], tty: false, user: '', privileged: false },
      OpenStdin: true, OpenStdout: true, OpenStderr: true, CanRemove: false, DetachKeys: '',
    };
  }

  async execStart(execId: string, options: { stdin?: AsyncIterable<Uint8Array>; detach?: boolean; tty?: boolean } = {}) {
    this.calls.push({ method: 'execStart', args: [execId, { detach: options.detach, tty: options.tty }] });
    const stdin = options.stdin;
    const output = (async function* (self: FakeContainers) {
      // An echo program: its stdin comes back on stdout, then "bye" on stderr.
      if (stdin) for await (const chunk of stdin) { self.execStdin += dec.decode(chunk); yield { stream: 'stdout' as const, data: chunk, time: 0 }; }
      yield { stream: 'stderr' as const, data: enc.encode('bye'), time: 0 };
    })(this);
    return { output, exited: Promise.resolve(0), tty: options.tty === true };
  }
}

function setup() {
  const h = harness();
  const fake = new FakeContainers();
  Object.defineProperty(h.engine, 'containers', { value: fake, configurable: true });
  return { ...h, fake };
}

/** Hands a HijackResponse a connection; returns what the client would receive, and its stdin writer. */
function hijack(res: Response) {
  expect(isHijackResponse(res)).toBe(true);
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const chunks: Uint8Array[] = [];
  const done = (res as HijackResponse).hijack({
    readable: input.readable,
    writable: new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }),
  });
  const stdin = input.writable.getWriter();
  const bytes = () => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  };
  return { done: Promise.resolve(done), stdin, bytes };
}

function demux(bytes: Uint8Array): string[] {
  return new MuxDecoder().push(bytes).map((f) => `${f.stream}:${dec.decode(f.data)}`);
}

describe('container routes', () => {
  it('creates with a name, rejects bad names and bodies, and maps the service errors', async () => {
    const { callJson, fake } = setup();
    const ok = await callJson<{ Id: string; Warnings: string[] }>('POST', '/v1.45/containers/create?name=web', { json: { Image: 'toolbox', Cmd: 'ls', Module: { bytes: [1], path: '/x' } } });
    expect(ok.status).toBe(201);
    expect(ok.body.Id).toMatch(/^[a-f0-9]{64}$/);
    expect(ok.body.Warnings).toEqual([]);
    const [body, options] = fake.calls.find((c) => c.method === 'create')!.args as [ContainerCreateBody, { name?: string }];
    expect(body.Cmd).toEqual(['ls']);
    expect(body.Module).toBeUndefined();
    expect(options).toEqual({ name: 'web' });

    const dup = await callJson<{ message: string }>('POST', '/containers/create?name=web', { json: { Image: 'toolbox' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/name "\/web" is already in use/);

    expect((await callJson<{ message: string }>('POST', '/containers/create', { json: { Image: 'nope' } })).body).toEqual({ message: 'No such image: nope:latest' });
    expect((await callJson('POST', '/containers/create', { json: { Image: 'nope' } })).status).toBe(404);
    const badName = await callJson<{ message: string }>('POST', '/containers/create?name=a%20b', { json: { Image: 'toolbox' } });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toBe('Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    expect((await callJson('POST', '/containers/create', { json: { Cmd: ['x'] } })).status).toBe(400);
    expect((await callJson('POST', '/containers/create', { json: { Image: 'toolbox', Env: 'A=1' } })).status).toBe(400);
    expect((await callJson('POST', '/containers/create', { body: '{nope' })).status).toBe(400);
  });

  it('two racing creates of one name: one 201, one 409', async () => {
    const { callJson } = setup();
    const results = await Promise.all([1, 2].map(() => callJson('POST', '/containers/create?name=race', { json: { Image: 'toolbox' } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('passes list parameters through and parses filters', async () => {
    const { callJson, fake } = setup();
    const res = await callJson('GET', `/containers/json?all=1&limit=3&size=true&filters=${encodeURIComponent('{"status":{"exited":true},"name":["web"]}')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(fake.calls.at(-1)!.args[0]).toEqual({ all: true, size: true, limit: 3, filters: { status: ['exited'], name: ['web'] } });
    expect((await callJson('GET', '/containers/json?limit=x')).status).toBe(400);
    expect((await callJson('GET', '/containers/json?filters=nope')).status).toBe(400);
  });

  it('life cycle: 404 for unknown ids, 304 for no-ops, 409 removing a running container', async () => {
    const { callJson, call, fake } = setup();
    const { body } = await callJson<{ Id: string }>('POST', '/containers/create?name=web', { json: { Image: 'toolbox' } });
    expect(await callJson('GET', '/containers/ghost/json')).toMatchObject({ status: 404, body: { message: 'No such container: ghost' } });
    expect((await call('POST', '/containers/web/stop')).status).toBe(304);
    expect((await call('POST', '/containers/web/start')).status).toBe(204);
    expect((await call('POST', '/containers/web/start')).status).toBe(304);
    const busy = await callJson<{ message: string }>('DELETE', '/containers/web');
    expect(busy.status).toBe(409);
    expect(busy.body.message).toBe(`You cannot remove a running container ${body.Id}. Stop the container before attempting removal or force remove`);
    expect((await call('POST', '/containers/web/stop?t=abc')).status).toBe(400);
    expect((await call('POST', '/containers/web/kill?signal=SIGUSR1')).status).toBe(204);
    expect(fake.calls.find((c) => c.method === 'kill')!.args[1]).toEqual({ signal: 'SIGUSR1' });
    expect((await call('POST', '/containers/web/stop?t=3')).status).toBe(204);
    expect(fake.calls.find((c) => c.method === 'stop')!.args[1]).toEqual({ timeout: 3 });
    expect((await call('DELETE', `/containers/${body.Id.slice(0, 12)}?force=1`)).status).toBe(204);
    expect((await call('DELETE', '/containers/web')).status).toBe(404);
  });

  it('wait answers its headers at once and its body when the container exits', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=ww', { json: { Image: 'toolbox' } });
    expect((await call('POST', '/containers/ww/wait?condition=bogus')).status).toBe(400);
    expect((await call('POST', '/containers/ghost/wait')).status).toBe(404);
    const res = await call('POST', '/containers/ww/wait?condition=removed');
    expect(res.status).toBe(200);
    expect(fake.calls.find((c) => c.method === 'wait')!.args).toEqual(['ww', 'removed']);
    let body: string | undefined;
    const reading = res.text().then((t) => (body = t));
    await new Promise((r) => setTimeout(r, 20));
    expect(body).toBeUndefined();
    fake.find('ww').exit.resolve(3);
    await reading;
    expect(JSON.parse(body!)).toEqual({ StatusCode: 3 });
  });

  it('attach without a TTY: multiplexed frames, stdin forwarded until the half-close', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=aa', { json: { Image: 'toolbox' } });
    const res = await call('POST', '/v1.50/containers/aa/attach?stream=1&stdin=1&stdout=1&stderr=1', { headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.multiplexed-stream');
    expect(fake.calls.find((c) => c.method === 'attach')!.args[1]).toMatchObject({ stdin: 'stdin', stdout: true, stderr: true, stream: true, logs: false });
    const conn = hijack(res);
    await conn.stdin.write(enc.encode('hello'));
    await conn.stdin.close();
    const c = fake.find('aa');
    c.output.push('stdout', 'out\n');
    c.output.push('stderr', 'err\n');
    c.output.end();
    await conn.done;
    expect(demux(conn.bytes())).toEqual(['1:out\n', '2:err\n']);
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.stdinSeen).toEqual(['hello', '<eof>']);
  });

  it('attach with a TTY is raw, and only the asked streams are sent', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=tt', { json: { Image: 'toolbox', Tty: true } });
    const res = await call('POST', '/containers/tt/attach?stream=1&stdout=1');
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.raw-stream');
    const conn = hijack(res);
    const c = fake.find('tt');
    c.output.push('stdout', 'raw');
    c.output.push('stderr', 'hidden');
    c.output.end();
    await conn.done;
    expect(dec.decode(conn.bytes())).toBe('raw');
  });

  it('a client that leaves mid-attach releases the output stream', async () => {
    const { api, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=gone', { json: { Image: 'toolbox' } });
    const client = new AbortController();
    const res = await api.fetch(new Request('http://localhost/containers/gone/attach?stream=1&stdout=1&stdin=1', { method: 'POST', signal: client.signal }));
    const conn = hijack(res);
    fake.find('gone').output.push('stdout', 'one');
    await new Promise((r) => setTimeout(r, 10));
    client.abort();
    await conn.done;
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.find('gone').output.released).toBe(true);
    expect(fake.stdinSeen).toEqual(['<eof>']);
  });

  it('logs: multiplexed, timestamps per line, tail and since parsed, client cancel ends a follow', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=ll', { json: { Image: 'toolbox' } });
    expect((await callJson<{ message: string }>('GET', '/containers/ll/logs')).body.message).toBe('Bad parameters: you must choose at least one stream');
    expect((await call('GET', '/containers/ll/logs?stdout=1&tail=x')).status).toBe(400);
    const c = fake.find('ll');
    c.output.push('stdout', 'a\nb\n', Date.UTC(2024, 0, 2, 3, 4, 5, 120));
    c.output.push('stderr', 'oops\n', Date.UTC(2024, 0, 2, 3, 4, 6));
    const res = await call('GET', '/containers/ll/logs?stdout=1&stderr=1&timestamps=1&tail=10&since=1700000000.5&follow=1');
    expect(fake.calls.at(-1)!.args[1]).toMatchObject({ follow: true, stdout: true, stderr: true, tail: 10, since: 1700000000.5 });
    const reader = res.body!.getReader();
    const frames: string[] = [];
    const decoder = new MuxDecoder();
    while (frames.length < 2) {
      const { value } = await reader.read();
      frames.push(...decoder.push(value!).map((f) => `${f.stream}:${dec.decode(f.data)}`));
    }
    expect(frames).toEqual(['1:2024-01-02T03:04:05.12Z a\n2024-01-02T03:04:05.12Z b\n', '2:2024-01-02T03:04:06Z oops\n']);
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 10));
    expect(c.output.released).toBe(true);
  });

  it('formats times as Go RFC3339Nano', () => {
    expect(rfc3339Nano(Date.UTC(2024, 0, 1, 0, 0, 0, 500))).toBe('2024-01-01T00:00:00.5Z');
    expect(rfc3339Nano(Date.UTC(2024, 0, 1))).toBe('2024-01-01T00:00:00Z');
  });

  it('archive: HEAD and GET carry the base64 path stat, PUT streams the tar in', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=cp', { json: { Image: 'toolbox' } });
    const head = await call('HEAD', '/containers/cp/archive?path=/etc/motd');
    expect(head.status).toBe(200);
    const stat = JSON.parse(atob(head.headers.get('x-docker-container-path-stat')!)) as PathStat;
    expect(stat).toEqual({ name: 'motd', size: 5, mode: 0o644, mtime: '2024-01-01T00:00:00Z', linkTarget: '' });
    const get = await call('GET', '/containers/cp/archive?path=/etc/motd');
    expect(get.headers.get('content-type')).toBe('application/x-tar');
    expect(await get.text()).toBe('TAR-BYTES');
    expect(await callJson('GET', '/containers/cp/archive?path=/nope')).toMatchObject({ status: 404, body: { message: 'Could not find the file /nope in container cp' } });
    expect((await call('GET', '/containers/cp/archive')).status).toBe(400);
    const put = await call('PUT', '/containers/cp/archive?path=/tmp&noOverwriteDirNonDir=true', { body: 'IN-TAR' });
    expect(put.status).toBe(200);
    expect(fake.calls.find((c) => c.method === 'putArchive')!.args).toEqual(['cp', '/tmp', 'IN-TAR', { noOverwriteDirNonDir: true }]);
  });

  it('commit takes its options from the query and the config from the body; prune says null', async () => {
    const { callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=cc', { json: { Image: 'toolbox' } });
    const res = await callJson('POST', '/commit?container=cc&repo=me/app&tag=v1&comment=hi&author=me&changes=CMD%20%5B%22ls%22%5D&changes=ENV%20A%3D1&pause=1', { json: { Env: ['B=2'] } });
    expect(res).toMatchObject({ status: 201, body: { Id: `sha256:${'c'.repeat(64)}` } });
    expect(fake.calls.find((c) => c.method === 'commit')!.args).toEqual([
      'cc',
      { repo: 'me/app', tag: 'v1', comment: 'hi', author: 'me', changes: ['CMD ["ls"]', 'ENV A=1'], config: { Env: ['B=2'] } },
    ]);
    expect((await callJson('POST', '/commit')).status).toBe(400);
    // The docker CLI sends a `null` config when there are no overrides.
    expect((await callJson('POST', '/commit?container=cc', { body: 'null' })).status).toBe(201);
    expect(fake.calls.at(-1)!.args).toEqual(['cc', {}]);
    expect((await callJson('POST', '/containers/prune')).body).toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
  });

  it('exec: create, start hijacked with stdin, inspect; detach answers at once', async () => {
    const { call, callJson, fake } = setup();
    await callJson('POST', '/containers/create?name=xx', { json: { Image: 'toolbox' } });
    expect((await callJson('POST', '/containers/xx/exec', { json: { Cmd: [] } })).status).toBe(400);
    expect((await callJson('POST', '/containers/ghost/exec', { json: { Cmd: ['ls'] } })).status).toBe(404);
    const created = await callJson<{ Id: string }>('POST', '/containers/xx/exec', { json: { Cmd: ['sh'], AttachStdin: true, AttachStdout: true, Tty: false, Env: ['A=1'] } });
    expect(created.status).toBe(201);
    expect(fake.calls.find((c) => c.method === 'execCreate')!.args[1]).toEqual({ Cmd: ['sh'], Env: ['A=1'], AttachStdin: true, AttachStdout: true, Tty: false });
    const res = await call('POST', `/exec/${created.body.Id}/start`, { json: { Detach: false, Tty: false } });
    const conn = hijack(res);
    await conn.stdin.write(enc.encode('echo hi\n'));
    await conn.stdin.close();
    await conn.done;
    expect(demux(conn.bytes())).toEqual(['1:echo hi\n', '2:bye']);
    expect(fake.execStdin).toBe('echo hi\n');
    expect((await callJson('GET', `/exec/${created.body.Id}/json`)).body).toMatchObject({ ExitCode: 0, Running: false });
    expect(await callJson('GET', '/exec/nope/json')).toMatchObject({ status: 404, body: { message: 'No such exec instance: nope' } });
    const detached = await call('POST', `/exec/${created.body.Id}/start`, { json: { Detach: true } });
    expect(detached.status).toBe(200);
    expect(isHijackResponse(detached)).toBe(false);
    expect(fake.calls.at(-1)).toEqual({ method: 'execStart', args: [created.body.Id, { detach: true, tty: false }] });
    expect((await call('POST', `/exec/${created.body.Id}/resize?h=x`)).status).toBe(400);
  });
});

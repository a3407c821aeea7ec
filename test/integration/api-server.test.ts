// The Node adapter over real sockets: streamed responses arrive chunk by chunk, a hijacked
// connection answers `101 UPGRADED` and carries raw bytes both ways (with half-close), the
// no-Upgrade hijack streams a 200 (dockerode), stale sockets are replaced, close cleans up.

import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/api.js';
import type { Api } from '../../src/api/api.js';
import { HijackResponse, MULTIPLEXED_STREAM } from '../../src/api/hijack.js';
import { MuxDecoder, muxFrame } from '../../src/api/stream-format.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryVolumeBackend } from '../../src/engine/volumes.js';
import { parseListenAddress, serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';
import { memoryImageStore, putTestImage } from '../helpers/image-fixtures.js';

let dir: string;
let socket: string;
let engine: Engine;
let api: Api;
let server: ApiServer;

function get(path: string, init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: socket, path, method: init.method ?? 'GET', headers: init.headers }, resolve);
    req.on('error', reject);
    req.end(init.body);
  });
}

async function text(res: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of res) s += String(c);
  return s;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-server-'));
  socket = join(dir, 'api.sock');
  engine = new Engine({ images: memoryImageStore(), volumes: new MemoryVolumeBackend(), version: '1.2.3' });
  api = createApi(engine);
  // A test resource with a hijacked endpoint: echoes stdin as stdout frames, then says bye on stderr.
  api.router.post('/echo/{id}/attach', ({ params }) =>
    new HijackResponse(
      async ({ readable, writable }) => {
        const writer = writable.getWriter();
        const reader = readable.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await writer.write(muxFrame(1, value));
        }
        await writer.write(muxFrame(2, new TextEncoder().encode(`bye ${params.id}`)));
        await writer.close();
      },
      { mediaType: MULTIPLEXED_STREAM },
    ),
  );
  server = await serve(api, { listen: [{ kind: 'unix', path: socket }, { kind: 'tcp', host: '127.0.0.1', port: 0 }] });
});

afterAll(async () => {
  await engine.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Node API server', () => {
  it('listens on a unix socket and on TCP, reporting DOCKER_HOST values', async () => {
    expect(server.hosts[0]).toBe(`unix://${socket}`);
    expect(server.hosts[1]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(server.hosts[1]!.split(':').at(-1));
    const res = await fetch(`http://127.0.0.1:${port}/_ping`);
    expect(await res.text()).toBe('OK');
    expect(res.headers.get('api-version')).toBe('1.50');
  });

  it('sends JSON with a Content-Length, and HEAD without a body', async () => {
    const res = await get('/v1.50/version');
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(10);
    expect(JSON.parse(await text(res))).toMatchObject({ Version: '1.2.3' });
    const head = await get('/_ping', { method: 'HEAD' });
    expect(head.headers['builder-version']).toBe('1');
    expect(await text(head)).toBe('');
  });

  it('streams events: headers at once, each event when it happens', async () => {
    await putTestImage(engine.images.store, { tags: ['s:1'] });
    const res = await get('/v1.50/events');
    expect(res.statusCode).toBe(200);
    const first = new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(String(c))));
    await engine.images.tag('s:1', 's:2');
    const line = JSON.parse(await first) as { Action: string };
    expect(line.Action).toBe('tag');
    res.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.events.listeners).toBe(0);
  });

  it('streams a request body into the handler (load) and the answer back', async () => {
    const res = await get('/v1.50/images/load', { method: 'POST', body: 'x'.repeat(2000), headers: { 'Content-Type': 'application/x-tar' } });
    const lines = (await text(res)).trim().split('\n').map((l) => JSON.parse(l) as { error?: string });
    expect(lines.at(-1)!.error).toEqual(expect.any(String));
  });

  it('hijacks with 101 UPGRADED and carries raw bytes both ways, with half-close', async () => {
    const conn = connect(socket);
    await new Promise((r) => conn.once('connect', r));
    conn.write('POST /v1.50/echo/c1/attach?stream=1 HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
    const chunks: Buffer[] = [];
    conn.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((r) => conn.once('end', r));
    await new Promise((r) => setTimeout(r, 100));
    conn.write('hello ');
    conn.write('world');
    conn.end();
    await ended;
    const all = Buffer.concat(chunks);
    const split = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, split).toString();
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 UPGRADED');
    expect(head).toMatch(/\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream/);
    expect(head).toMatch(/\r\nUpgrade: tcp/);
    const frames = new MuxDecoder().push(all.subarray(split + 4));
    expect(frames.filter((f) => f.stream === 1).map((f) => Buffer.from(f.data).toString()).join('')).toBe('hello world');
    expect(frames.at(-1)).toEqual({ stream: 2, data: new Uint8Array(Buffer.from('bye c1')) });
  });

  it('hijacks without Upgrade as a streamed 200, input from the request body (dockerode)', async () => {
    const res = await get('/v1.50/echo/c2/attach', { method: 'POST', body: 'typed' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(MULTIPLEXED_STREAM);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const frames = new MuxDecoder().push(Buffer.concat(chunks));
    expect(frames.map((f) => [f.stream, Buffer.from(f.data).toString()])).toEqual([
      [1, 'typed'],
      [2, 'bye c2'],
    ]);
  });

  it('answers an Upgrade request to an ordinary route with an ordinary response', async () => {
    const conn = connect(socket);
    conn.write('GET /v1.50/images/nope/json HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    let out = '';
    for await (const c of conn) out += String(c);
    expect(out.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(out).toMatch(/\{"message":"No such image: nope:latest"\}/);
  });

  it('replaces a stale socket file, refuses a live one, and removes its socket on close', async () => {
    const stale = join(dir, 'stale.sock');
    // A daemon killed while listening leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(stale)).toBe(true);
    const s2 = await serve(api, { listen: [{ kind: 'unix', path: stale }] });
    await expect(serve(api, { listen: [{ kind: 'unix', path: stale }] })).rejects.toThrow(/another daemon is already listening/);
    await s2.close();
    expect(existsSync(stale)).toBe(false);
  });

  it('parses -H values', () => {
    expect(parseListenAddress('unix:///run/w.sock')).toEqual({ kind: 'unix', path: '/run/w.sock' });
    expect(parseListenAddress('/run/w.sock')).toEqual({ kind: 'unix', path: '/run/w.sock' });
    expect(parseListenAddress('tcp://0.0.0.0:2375')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 2375 });
    expect(parseListenAddress('tcp://:2376')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2376 });
    expect(parseListenAddress('tcp://[::1]:1')).toEqual({ kind: 'tcp', host: '::1', port: 1 });
    expect(() => parseListenAddress('fd://')).toThrow(/expected unix:\/\/\/path or tcp:\/\/host:port/);
    expect(() => parseListenAddress('unix://')).toThrow(/needs a path/);
  });
});

// dockerode (the second client) against wasmbox's API server: create, attach (its
// plain-200 stream and the hijacked variant with stdin), start, wait, logs, exec, remove, and a
// follow that the client abandons.

import { PassThrough } from 'node:stream';
import type { Duplex } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApi } from '../../src/api/api.js';
import type { Engine } from '../../src/engine/engine.js';
import { MuxDecoder } from '../../src/api/stream-format.js';
import { openNodeEngine } from '../../src/platform/node/engine.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';

let dir: string;
let engine: Engine;
let server: ApiServer;
let docker: Docker;

/** stdout and stderr of a dockerode (multiplexed) stream, read to its end. */
function demuxed(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve({ stdout, stderr }));
    stream.on('close', () => resolve({ stdout, stderr }));
    stream.on('error', reject);
  });
}

function demuxBuffer(buffer: Buffer): { stdout: string; stderr: string } {
  const frames = new MuxDecoder().push(new Uint8Array(buffer));
  const text = (id: number) => frames.filter((f) => f.stream === id).map((f) => Buffer.from(f.data).toString()).join('');
  return { stdout: text(1), stderr: text(2) };
}

beforeAll(async () => {
  installNodeSha256();
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-dockerode-'));
  engine = await openNodeEngine(join(dir, 'root'));
  const socketPath = join(dir, 'd.sock');
  server = await serve(createApi(engine), { listen: [{ kind: 'unix', path: socketPath }] });
  docker = new Docker({ socketPath });
}, 60000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dockerode against wasmbox', () => {
  it('create, attach, start, wait, logs, inspect, remove', async () => {
    const container = await docker.createContainer({
      Image: 'toolbox',
      name: 'node-made',
      Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 5'],
      AttachStdout: true,
      AttachStderr: true,
    });
    expect(container.id).toMatch(/^[a-f0-9]{64}$/);
    onTestFinished(() => container.remove({ force: true }).catch(() => undefined));
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const output = demuxed(stream);
    // Registered before start: the default condition (not-running) would answer at once.
    const waited = container.wait({ condition: 'next-exit' });
    await container.start();
    expect(await waited).toMatchObject({ StatusCode: 5 });
    expect(await output).toEqual({ stdout: 'to-out\n', stderr: 'to-err\n' });
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    expect(demuxBuffer(logs)).toEqual({ stdout: 'to-out\n', stderr: 'to-err\n' });
    const info = await container.inspect();
    expect(info.State).toMatchObject({ Status: 'exited', ExitCode: 5, Running: false });
    expect(info.Name).toBe('/node-made');
    const listed = await docker.listContainers({ all: true, filters: { name: ['node-made'] } });
    expect(listed.map((c) => c.Names[0])).toEqual(['/node-made']);
    await container.remove();
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('hijacked attach with stdin', async () => {
    const container = await docker.createContainer({ Image: 'toolbox', Cmd: ['sh', '-c', 'cat; echo end'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
    const output = demuxed(stream);
    await container.start();
    stream.end('piped in\n');
    expect(await container.wait()).toMatchObject({ StatusCode: 0 });
    expect((await output).stdout).toBe('piped in\nend\n');
    await container.remove();
  });

  it('exec in a running container, and a follow the client abandons', async () => {
    const container = await docker.createContainer({ Image: 'toolbox', Cmd: ['sh', '-c', 'while true; do echo beat; sleep 1; done'] });
    onTestFinished(() => container.remove({ force: true }).catch(() => undefined));
    await container.start();
    const exec = await container.exec({ Cmd: ['sh', '-c', 'ls / && exit 2'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const { stdout } = await demuxed(stream);
    expect(stdout.split('\n')).toContain('bin');
    expect(await exec.inspect()).toMatchObject({ ExitCode: 2, Running: false });

    const follow = (await container.logs({ stdout: true, follow: true })) as NodeJS.ReadableStream & { destroy(): void };
    await new Promise<void>((resolve) => follow.once('data', () => resolve()));
    follow.destroy();
    // The daemon still answers, and the container keeps running.
    expect((await container.inspect()).State.Running).toBe(true);
    await container.remove({ force: true });
    expect(await docker.listContainers({ all: true, filters: { id: [container.id] } })).toEqual([]);
  }, 30000);
});

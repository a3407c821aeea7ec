// The real docker CLI (28.x) against wasmbox's API server: image, volume and system commands
// with DOCKER_HOST pointing at a unix socket served in this process over a temp wasmbox root.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/api.js';
import type { Engine } from '../../src/engine/engine.js';
import { exportImages } from '../../src/image/archive.js';
import { openNodeEngine, wasmboxVersion } from '../../src/platform/node/engine.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';
import { collect, memoryImageStore, putTestImage } from '../helpers/image-fixtures.js';

let dir: string;
let root: string;
let engine: Engine;
let server: ApiServer;
let env: NodeJS.ProcessEnv;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile('docker', args, { env, cwd: dir }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) {
    throw new Error('the docker CLI is not installed; this test drives the real client (docker 28.x) and will not be skipped');
  }
  installNodeSha256();
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-docker-cli-'));
  root = join(dir, 'root');
  engine = await openNodeEngine(root);
  const socket = join(dir, 'd.sock');
  server = await serve(createApi(engine), { listen: [{ kind: 'unix', path: socket }] });
  env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  // An archive made by another store, as `wasmbox save` on another machine would.
  const source = memoryImageStore();
  await putTestImage(source, { tags: ['hello:latest'], config: { config: { Cmd: ['/hello.wasm'], Labels: { org: 'wasmbox' } } } });
  await writeFile(join(dir, 'hello.tar'), await collect(exportImages(source, ['hello:latest'])));
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docker CLI against wasmbox', () => {
  it('docker version and docker info', async () => {
    const v = await ok('version');
    expect(v).toMatch(/^Server: wasmbox /m);
    expect(v).toMatch(/API version:\s+1\.50 \(minimum version 1\.24\)/);
    expect((await ok('version', '--format', '{{.Server.Version}}')).trim()).toBe(wasmboxVersion());
    expect((await ok('info', '--format', '{{.ServerVersion}} {{.OSType}} {{.Images}} {{.DockerRootDir}}')).trim()).toBe(`${wasmboxVersion()} linux 0 ${root}`);
    expect(await ok('info')).toMatch(/Storage Driver: wasmbox/);
  });

  it('load, images, tag, inspect, history, save, rmi, and events for all of it', async () => {
    const since = Math.floor(Date.now() / 1000);
    expect(await ok('images', '-q')).toBe('');
    expect(await ok('load', '-i', 'hello.tar')).toBe('Loaded image: hello:latest\n');
    expect(await ok('images', '--format', '{{.Repository}}:{{.Tag}}')).toBe('hello:latest\n');
    const table = await ok('images');
    expect(table.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table).toMatch(/^hello\s+latest\s+[a-f0-9]{12}\s+/m);

    expect(await ok('tag', 'hello', 'localhost:5000/team/app:1')).toBe('');
    expect((await ok('images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n').sort()).toEqual(['', 'hello:latest', 'localhost:5000/team/app:1']);
    const id = (await ok('image', 'inspect', '--format', '{{.Id}}', 'hello')).trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((await ok('image', 'inspect', '--format', '{{.Os}}/{{.Architecture}} {{index .Config.Labels "org"}} {{len .RepoTags}}', 'localhost:5000/team/app:1')).trim()).toBe('wasi/wasm wasmbox 2');
    const inspected = JSON.parse(await ok('image', 'inspect', 'hello')) as { Id: string; RootFS: { Layers: string[] } }[];
    expect(inspected[0]!.Id).toBe(id);
    expect(inspected[0]!.RootFS.Layers).toHaveLength(1);
    expect(await ok('history', '--format', '{{.ID}}', 'hello')).toBe(`${id.slice(7, 19)}\n`);

    await ok('save', '-o', 'both.tar', 'hello', 'localhost:5000/team/app:1');
    expect(await ok('rmi', 'localhost:5000/team/app:1')).toBe('Untagged: localhost:5000/team/app:1\n');
    expect(await ok('rmi', 'hello')).toBe(`Untagged: hello:latest\nDeleted: ${id}\n`);
    expect(await ok('images', '-q')).toBe('');
    expect((await ok('load', '-i', 'both.tar')).split('\n').sort()).toEqual(['', 'Loaded image: hello:latest', 'Loaded image: localhost:5000/team/app:1']);
    expect((await ok('images', '-q', '--no-trunc')).trim().split('\n')).toEqual([id, id]);

    // The window closes a second from now; the CLI waits for it and exits.
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = await ok('events', '--since', String(since), '--until', String(until), '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}');
    const lines = events.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'image load hello:latest',
        'image tag localhost:5000/team/app:1',
        'image untag localhost:5000/team/app:1',
        'image untag hello:latest',
        `image delete ${id}`,
      ]),
    );
    const filtered = await ok('events', '--since', String(since), '--until', String(until), '--filter', 'event=delete', '--format', '{{.Action}}');
    expect(filtered).toBe('delete\n');
  });

  it('docker events streams live events', async () => {
    await ok('load', '-i', 'hello.tar');
    const child = spawn('docker', ['events', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { env });
    try {
      let out = '';
      const line = new Promise<string>((resolve) =>
        child.stdout.on('data', (c: Buffer) => {
          out += String(c);
          if (out.includes('\n')) resolve(out);
        }),
      );
      // Let the CLI connect before the event happens.
      for (let i = 0; i < 50 && engine.events.listeners === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(engine.events.listeners).toBe(1);
      await ok('tag', 'hello', 'live:1');
      expect(await line).toBe('tag live:1\n');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('errors as docker prints them, with exit status 1', async () => {
    const rmi = await docker('rmi', 'nope');
    expect(rmi.code).toBe(1);
    expect(rmi.stderr).toBe('Error response from daemon: No such image: nope:latest\n');
    const inspect = await docker('image', 'inspect', 'nope:2');
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toMatch(/No such image: nope:2/);
    // Nothing listens on port 1: the daemon's registry error, without touching the network.
    const pull = await docker('pull', '127.0.0.1:1/nope:1');
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/^Error response from daemon: .*127\.0\.0\.1:1/);
    const tag = await docker('tag', 'nope', 'x:1');
    expect(tag.code).toBe(1);
    expect(tag.stderr).toMatch(/No such image: nope:latest/);
  });

  it('docker volume create, ls, inspect, rm, prune and system df', async () => {
    expect(await ok('volume', 'create', 'data')).toBe('data\n');
    expect(await ok('volume', 'create', '--label', 'tier=db', 'db')).toBe('db\n');
    const anon = (await ok('volume', 'create')).trim();
    expect(anon).toMatch(/^[a-f0-9]{64}$/);
    expect((await ok('volume', 'ls', '--format', '{{.Name}}')).trim().split('\n').sort()).toEqual([anon, 'data', 'db'].sort());
    expect(await ok('volume', 'ls', '-q', '--filter', 'label=tier=db')).toBe('db\n');
    const mountpoint = (await ok('volume', 'inspect', '--format', '{{.Mountpoint}}', 'data')).trim();
    expect(mountpoint).toBe(join(root, 'volumes', 'data', '_data'));
    await writeFile(join(mountpoint, 'file'), 'x'.repeat(1000));

    const df = await ok('system', 'df');
    expect(df).toMatch(/^Images\s+1\s+0\s+/m);
    expect(df).toMatch(/^Local Volumes\s+3\s+0\s+1kB/m);
    expect(await ok('system', 'df', '-v', '--format', '{{range .Volumes}}{{.Name}}={{.Size}} {{end}}')).toMatch(/data=1kB/);

    const missing = await docker('volume', 'rm', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error response from daemon: get nope: no such volume\n');
    const bad = await docker('volume', 'create', 'bad/name');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/includes invalid characters for a local volume name/);

    expect(await ok('volume', 'prune', '-f')).toMatch(new RegExp(`Deleted Volumes:\\n${anon}\\n`));
    expect(await ok('volume', 'rm', 'db')).toBe('db\n');
    expect(await ok('volume', 'prune', '-af')).toMatch(/Deleted Volumes:\ndata\n\nTotal reclaimed space: 1kB/);
    expect(await ok('volume', 'ls', '-q')).toBe('');
    expect(await readdir(join(root, 'volumes'))).toEqual([]);
  });
});

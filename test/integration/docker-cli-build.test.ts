// The real docker CLI's classic builder (DOCKER_BUILDKIT=0) against wasmbox's API on a temp
// unix socket: `docker build` sends the context as a tar to POST /build and prints our JSON
// stream; RUN runs toolbox programs under the built-in shell.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/api.js';
import type { Engine } from '../../src/engine/engine.js';
import type { RunStep } from '../../src/build/run-step.js';
import { workerRunStep } from '../../src/build/worker-run-step.js';
import { openNodeEngine } from '../../src/platform/node/engine.js';
import { createNodeWorkerFactory } from '../../src/platform/node/worker.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';

let dir: string;
let engine: Engine;
let server: ApiServer;
let env: NodeJS.ProcessEnv;
/** Exit statuses of the RUN steps the daemon ran, in order (to see a cancelled one end). */
const runExits: number[] = [];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(args: string[], options: { cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile('docker', args, { env, cwd: options.cwd ?? dir }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function context(name: string, files: Record<string, string>): Promise<string> {
  const ctx = join(dir, name);
  await mkdir(ctx, { recursive: true });
  for (const [p, data] of Object.entries(files)) {
    await mkdir(join(ctx, p, '..'), { recursive: true });
    await writeFile(join(ctx, p), data);
  }
  return ctx;
}

const APP = {
  Dockerfile: 'FROM toolbox\nWORKDIR /app\nCOPY . ./\nRUN cat greeting.txt && tr a-z A-Z < greeting.txt > loud.txt\nCMD ["cat", "/app/loud.txt"]\n',
  'greeting.txt': 'hello from the context\n',
  '.dockerignore': 'secret.txt\nDockerfile\n.dockerignore\n',
  'secret.txt': 'not for the image\n',
};

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) {
    throw new Error('the docker CLI is not installed; this test drives the real client (docker 28.x) and will not be skipped');
  }
  installNodeSha256();
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-docker-build-'));
  const worker = workerRunStep({ workerFactory: createNodeWorkerFactory() });
  const runStep: RunStep = async (ctx) => {
    try {
      const code = await worker(ctx);
      runExits.push(code);
      return code;
    } catch (e) {
      runExits.push(-1);
      throw e;
    }
  };
  engine = await openNodeEngine(join(dir, 'root'), { runStep });
  const socket = join(dir, 'd.sock');
  server = await serve(createApi(engine), { listen: [{ kind: 'unix', path: socket }] });
  env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_BUILDKIT: '0' };
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('DOCKER_BUILDKIT=0 docker build against wasmbox', () => {
  it('streams the steps, runs RUN with toolbox, tags the image; history shows the steps', async () => {
    const ctx = await context('app', APP);
    const r = await docker(['build', '-t', 'app', '.'], { cwd: ctx });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Sending build context to Docker daemon/m);
    expect(r.stdout).toContain('Step 1/5 : FROM toolbox\n');
    expect(r.stdout).toContain('Step 4/5 : RUN cat greeting.txt && tr a-z A-Z < greeting.txt > loud.txt\n');
    // The RUN's own output comes through the stream.
    expect(r.stdout).toContain('hello from the context\n');
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged app:latest\n/);

    const history = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'app']);
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toBe('/bin/sh -c #(nop)  CMD ["cat" "/app/loud.txt"]');
    expect(lines[1]).toBe('/bin/sh -c cat greeting.txt && tr a-z A-Z < greeting.txt > loud.txt');
    expect(lines[2]).toMatch(/^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/app $/);
    expect(lines[3]).toBe('/bin/sh -c #(nop) WORKDIR /app');

    // The layer the RUN made holds the upper-cased file; .dockerignore kept the secret out.
    const record = await engine.images.resolve('app');
    const { root } = await engine.layers.view(record.manifest.layers.map((l) => l.digest));
    const app = root.entries.get('app');
    expect(app?.kind).toBe('dir');
    const names = app?.kind === 'dir' ? [...app.entries.keys()].sort() : [];
    expect(names).toEqual(['greeting.txt', 'loud.txt']);
  });

  it('docker run --rm runs the built image', async () => {
    const r = await docker(['run', '--rm', 'app']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('HELLO FROM THE CONTEXT\n');
  });

  it('a second build comes from the cache', async () => {
    const ctx = await context('app', APP);
    const r = await docker(['build', '-t', 'app', '.'], { cwd: ctx });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/ ---> Using cache\n/g)?.length).toBe(4);
    expect(r.stdout).not.toContain('Running in');
  });

  it('-q prints only the image id; --iidfile gets it from the aux message', async () => {
    const ctx = await context('app', APP);
    const iid = join(dir, 'iid');
    const r = await docker(['build', '-q', '--iidfile', iid, '.'], { cwd: ctx });
    expect(r.code, r.stderr).toBe(0);
    const id = (await engine.images.resolve('app')).id;
    expect(r.stdout.trim()).toBe(id);
    // With -q the CLI writes what the stream said (Docker's daemon ends the id with a newline).
    expect((await readFile(iid, 'utf8')).trim()).toBe(id);
  });

  it('a failing RUN shows its output and docker\'s message, and exits with its status', async () => {
    const ctx = await context('fail', { Dockerfile: 'FROM toolbox\nRUN echo about to fail && false\n' });
    const r = await docker(['build', '-t', 'broken', '.'], { cwd: ctx });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('about to fail\n');
    expect(r.stderr).toContain("The command '/bin/sh -c echo about to fail && false' returned a non-zero code: 1");
    expect((await docker(['image', 'inspect', 'broken'])).code).toBe(1);

    const ctx3 = await context('fail3', { Dockerfile: 'FROM toolbox\nRUN exit 3\n' });
    const r3 = await docker(['build', '.'], { cwd: ctx3 });
    expect(r3.code).toBe(3);
  });

  it('errors before the build starts reach the CLI as daemon errors', async () => {
    const ctx = await context('bad', { Dockerfile: 'FROM toolbox\nFLY away\n' });
    const r = await docker(['build', '.'], { cwd: ctx });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error response from daemon: .*Dockerfile:2/);
    const p = await docker(['build', '--platform', 'linux/amd64', '.'], { cwd: await context('app', APP) });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/platform "linux\/amd64" is not supported: wasmbox builds wasi\/wasm images/);
  });

  it('an endless RUN ends when the client goes away (Ctrl-C)', async () => {
    const ctx = await context('spin', { Dockerfile: 'FROM toolbox\nRUN echo spinning && while true; do :; done\n' });
    const before = runExits.length;
    const child = spawn('docker', ['build', '.'], { env, cwd: ctx, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no RUN output in 20 s:\n${out}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('spinning')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const deadline = Date.now() + 10_000;
    while (runExits.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(runExits.slice(before)).toEqual([-1]);
  });

  it('docker builder prune empties the cache', async () => {
    const r = await docker(['builder', 'prune', '-f']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Total reclaimed space: /);
    const again = await docker(['build', '-t', 'app', '.'], { cwd: await context('app', APP) });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('Using cache');
  });
});

// The real docker CLI (28.x) against `wasmbox daemon` (a process, from source) and Debian's
// docker-registry on 127.0.0.1: push, pull, a missing tag, login with htpasswd, search over the
// catalog, docker import, and loading archives skopeo made from what was pushed.

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportImages } from '../../src/image/archive.js';
import { collect, makeTar, memoryImageStore, putTestImage } from '../helpers/image-fixtures.js';
import { startRegistry } from '../helpers/registry.js';
import type { TestRegistry } from '../helpers/registry.js';
import { ensureTool } from '../helpers/tools.js';

const ROOT_DIR = resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);

let dir: string;
let env: NodeJS.ProcessEnv;
let daemon: ChildProcess & { output: () => string };
let open: TestRegistry;
let locked: TestRegistry;
let skopeo: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(args: string[], options: { input?: string } = {}): Promise<Result> {
  return new Promise((done) => {
    const child = spawn('docker', args, { env, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    // A hung CLI fails its test with what it printed, instead of the test's timeout.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}\n--- daemon:\n${daemon.output().slice(-3000)}`);
  return r.stdout;
}

/** Runs the CLI from source (tsx), as `wasmbox <args>`, the way daemon.test.ts does. */
function startWasmbox(args: string[], childEnv: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const script = `import('./src/cli/main.ts').then((m) => m.main(['node', 'wasmbox', ...${JSON.stringify(args)}])).then((c) => { process.exitCode = c; })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT_DIR, env: { ...childEnv, PATH: process.env.PATH } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += String(c)));
  child.stderr!.on('data', (c: Buffer) => (out += String(c)));
  return Object.assign(child, { output: () => out });
}

async function waitFor(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) {
    throw new Error('the docker CLI is not installed; this test drives the real client (docker 28.x) and will not be skipped');
  }
  skopeo = await ensureTool('skopeo');
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-docker-registry-'));
  [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: { kind: 'htpasswd', users: { ann: 's3cret' } } })]);
  const socket = join(dir, 'd.sock');
  daemon = startWasmbox(['daemon', '-H', `unix://${socket}`, '--root', join(dir, 'root'), '--insecure-registry', 'registry.invalid:5000'], { HOME: dir });
  await waitFor(() => daemon.output().includes('API listening on') || daemon.exitCode !== null, 'the daemon to listen');
  if (daemon.exitCode !== null) throw new Error(`wasmbox daemon exited ${daemon.exitCode}:\n${daemon.output()}`);
  env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  const source = memoryImageStore();
  await putTestImage(source, { tags: ['hello:latest'], layers: [{ 'hello.txt': 'hi' }, { 'b/c.txt': 'c' }], config: { config: { Cmd: ['/hello.wasm'] } } });
  await writeFile(join(dir, 'hello.tar'), await collect(exportImages(source, ['hello:latest'])));
}, 120_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  await open?.stop();
  await locked?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docker push / pull against a real registry through wasmbox', () => {
  let id: string;

  it('pushes with docker\'s progress lines and exit 0; the registry holds a wasi/wasm image', async () => {
    expect(await ok('load', '-i', 'hello.tar')).toBe('Loaded image: hello:latest\n');
    id = (await ok('image', 'inspect', '--format', '{{.Id}}', 'hello')).trim();
    await ok('tag', 'hello', `${open.host}/x:1`);
    const out = await ok('push', `${open.host}/x:1`);
    expect(out).toContain(`The push refers to repository [${open.host}/x]`);
    expect(out.match(/^[a-f0-9]{12}: Pushed$/gm)).toHaveLength(2);
    const digestLine = /^1: digest: (sha256:[a-f0-9]{64}) size: (\d+)$/m.exec(out);
    expect(digestLine).not.toBeNull();
    const info = JSON.parse((await exec(skopeo, ['inspect', '--tls-verify=false', `docker://${open.host}/x:1`])).stdout) as { Digest: string; Os: string; Architecture: string };
    expect(info).toMatchObject({ Digest: digestLine![1], Os: 'wasi', Architecture: 'wasm' });
    // Pushed again: docker says the layers are there.
    expect((await ok('push', `${open.host}/x:1`)).match(/: Layer already exists$/gm)).toHaveLength(2);
  });

  it('pulls the image back after rmi: exit 0, same id, Digest and Status lines', async () => {
    await ok('rmi', `${open.host}/x:1`, 'hello');
    expect(await ok('images', '-q')).toBe('');
    const out = await ok('pull', `${open.host}/x:1`);
    expect(out).toContain('1: Pulling from x');
    expect(out.match(/^[a-f0-9]{12}: Pull complete$/gm)).toHaveLength(2);
    expect(out).toMatch(/^Digest: sha256:[a-f0-9]{64}$/m);
    expect(out).toContain(`Status: Downloaded newer image for ${open.host}/x:1`);
    expect(out.trim().split('\n').at(-1)).toBe(`${open.host}/x:1`);
    expect((await ok('image', 'inspect', '--format', '{{.Id}}', `${open.host}/x:1`)).trim()).toBe(id);
    expect(await ok('pull', `${open.host}/x:1`)).toContain(`Status: Image is up to date for ${open.host}/x:1`);
  });

  it('fails a pull of a missing tag with exit 1 and docker\'s message', async () => {
    const r = await docker(['pull', `${open.host}/x:nope`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Error response from daemon: manifest for ${open.host}/x:nope not found: manifest unknown: manifest unknown`);
  });

  it('fails a push of an image that is not there with exit 1', async () => {
    const r = await docker(['push', `${open.host}/absent:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/An image does not exist locally with the tag: 127\.0\.0\.1:\d+\/absent/);
  });

  it('searches the registry catalog', async () => {
    const out = await ok('search', '--format', '{{.Name}}', `${open.host}/x`);
    expect(out).toBe(`${open.host}/x\n`);
  });
});

describe('docker login against an htpasswd registry through wasmbox', () => {
  it('refuses a push without login and a wrong password; after login, push and pull work', async () => {
    await ok('tag', `${open.host}/x:1`, `${locked.host}/team/app:2`);
    const anonymous = await docker(['push', `${locked.host}/team/app:2`]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stdout + anonymous.stderr).toMatch(/401|unauthorized|no basic auth credentials/i);

    const wrong = await docker(['login', locked.host, '-u', 'ann', '--password-stdin'], { input: 'nope\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`login attempt to http://${locked.host}/v2/ failed with status: 401 Unauthorized`);

    const login = await docker(['login', locked.host, '-u', 'ann', '--password-stdin'], { input: 's3cret\n' });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Login Succeeded');

    const pushed = await ok('push', `${locked.host}/team/app:2`);
    expect(pushed).toMatch(/^2: digest: sha256:[a-f0-9]{64} size: \d+$/m);
    await ok('rmi', `${locked.host}/team/app:2`);
    const pulled = await ok('pull', `${locked.host}/team/app:2`);
    // The layers are still there under the other name.
    expect(pulled.match(/^[a-f0-9]{12}: Already exists$/gm)).toHaveLength(2);
    expect(pulled).toContain(`Status: Downloaded newer image for ${locked.host}/team/app:2`);
    expect(await ok('pull', `${locked.host}/team/app:2`)).toContain(`Status: Image is up to date for ${locked.host}/team/app:2`);
    await ok('rmi', `${locked.host}/team/app:2`, `${open.host}/x:1`);
    const fresh = await ok('pull', `${locked.host}/team/app:2`);
    expect(fresh.match(/^[a-f0-9]{12}: Pull complete$/gm)).toHaveLength(2);

    expect((await ok('logout', locked.host)).trim()).toBe(`Removing login credentials for ${locked.host}`);
    const denied = await docker(['pull', `${locked.host}/team/app:2`]);
    expect(denied, daemon.output().slice(-2000)).toMatchObject({ code: 1 });
    // dockerd's words and a 404, so the CLI does not fall back to an interactive login prompt.
    expect(denied.stderr).toContain(`Error response from daemon: pull access denied for ${locked.host}/team/app, repository does not exist or may require 'docker login'`);
  });
});

describe('docker import and archives of pushed images', () => {
  it('docker import FILE and - make one-layer wasi/wasm images with -c and -m', async () => {
    await writeFile(join(dir, 'fs.tar'), await makeTar([{ name: 'app/', type: 'directory' }, { name: 'app/run.txt', data: 'run' }]));
    const out = await ok('import', '-c', 'CMD ["/app/x.wasm"]', '-c', 'ENV MODE=prod', '-m', 'imported by a test', 'fs.tar', 'imp:1');
    expect(out).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const inspected = (await ok('image', 'inspect', '--format', '{{.Id}} {{.Os}}/{{.Architecture}} {{json .Config.Cmd}} {{json .Config.Env}} {{.Comment}} {{len .RootFS.Layers}}', 'imp:1')).trim();
    expect(inspected).toBe(`${out.trim()} wasi/wasm ["/app/x.wasm"] ["MODE=prod"] imported by a test 1`);
    expect(await ok('history', '--format', '{{.Comment}}', 'imp:1')).toBe('imported by a test\n');

    const fromStdin = await new Promise<Result>((done) => {
      const child = spawn('sh', ['-c', 'docker import - imp:2 < fs.tar'], { env, cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
      child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
      child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect((await ok('image', 'inspect', '--format', '{{.Comment}} {{index .RootFS.Layers 0}}', 'imp:2')).trim()).toBe(
      `Imported from - ${(await ok('image', 'inspect', '--format', '{{index .RootFS.Layers 0}}', 'imp:1')).trim()}`,
    );

    const bad = await docker(['import', '-c', 'RUN echo no', 'fs.tar']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('RUN is not a valid change command');
  });

  it('docker load reads the oci-archive and docker-archive skopeo copies from the registry', async () => {
    const ociArchive = join(dir, 'skopeo-oci.tar');
    const dockerArchive = join(dir, 'skopeo-docker.tar');
    await exec(skopeo, ['copy', '--src-tls-verify=false', `docker://${open.host}/x:1`, `oci-archive:${ociArchive}:from-oci:1`]);
    await exec(skopeo, ['copy', '--src-tls-verify=false', `docker://${open.host}/x:1`, `docker-archive:${dockerArchive}:from-docker:1`]);
    const fromOci = /^Loaded image(?: ID)?: (\S+)$/m.exec(await ok('load', '-i', ociArchive));
    expect(fromOci).not.toBeNull();
    expect(await ok('load', '-i', dockerArchive)).toBe('Loaded image: from-docker:1\n');
    for (const name of [fromOci![1]!, 'from-docker:1']) {
      expect((await ok('image', 'inspect', '--format', '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}} {{json .Config.Cmd}}', name)).trim()).toBe('wasi/wasm 2 ["/hello.wasm"]');
    }
  });
});

// The real docker CLI (28.x) running containers on wasmbox's API server: run (attached, detached,
// --rm, exit codes), ps, logs -f, exec (with piped stdin), cp both ways, stop, inspect, diff,
// commit, volumes, rm -f, events; and a daemon that survives clients leaving mid-stream.

import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApi } from '../../src/api/api.js';
import { MuxDecoder } from '../../src/api/stream-format.js';
import type { Engine } from '../../src/engine/engine.js';
import { openNodeEngine } from '../../src/platform/node/engine.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';

let dir: string;
let socket: string;
let engine: Engine;
let server: ApiServer;
let env: NodeJS.ProcessEnv;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the docker CLI; `input` is piped to its stdin (then closed). */
function docker(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30000} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A raw HTTP call on the daemon's socket (for races the CLI cannot stage). */
function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Starts a docker command that streams; resolves once its stdout matched `until`, then kills the client. */
function streamUntil(args: string[], until: (stdout: string) => boolean, timeoutMs = 20000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')}: no match in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (until(stdout)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(stdout);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (!until(stdout)) reject(new Error(`docker ${args.join(' ')} ended before matching:\n${stdout}\n${stderr}`));
    });
  });
}

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) {
    throw new Error('the docker CLI is not installed; this test drives the real client (docker 28.x) and will not be skipped');
  }
  installNodeSha256();
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-docker-run-'));
  engine = await openNodeEngine(join(dir, 'root'));
  socket = join(dir, 'd.sock');
  server = await serve(createApi(engine), { listen: [{ kind: 'unix', path: socket }] });
  env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
}, 60000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('docker CLI runs wasmbox containers', () => {
  it('docker run --rm hello-world prints its message and leaves nothing behind', async () => {
    const r = await docker(['run', '--rm', 'hello-world']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
    expect(await ok('ps', '-aq')).toBe('');
  });

  it('passes exit codes through: 0, 1, the program own status, 125, 127', async () => {
    expect((await docker(['run', '--rm', 'toolbox', 'true'])).code).toBe(0);
    expect((await docker(['run', '--rm', 'toolbox', 'false'])).code).toBe(1);
    expect((await docker(['run', '--rm', 'toolbox', 'sh', '-c', 'echo out; echo err >&2; exit 3']))).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const notFound = await docker(['run', '--rm', 'toolbox', 'nope']);
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toContain('exec: "nope": executable file not found in $PATH');
    const noImage = await docker(['run', '--rm', 'nope']);
    expect(noImage.code).toBe(125);
    expect(noImage.stderr).toContain("Unable to find image 'nope:latest' locally");
    expect(noImage.stderr).toMatch(/docker: Error response from daemon: /);
    expect(await ok('ps', '-aq')).toBe('');
  });

  it('docker run -i pipes stdin to the container', async () => {
    const r = await docker(['run', '--rm', '-i', 'toolbox', 'sh', '-c', 'cat; echo done'], { input: 'line 1\nline 2\n' });
    expect(r).toEqual({ code: 0, stdout: 'line 1\nline 2\ndone\n', stderr: '' });
  });

  it('docker run -t: one raw stream, stderr merged into it', async () => {
    const r = await docker(['run', '--rm', '-t', 'toolbox', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.replace(/\r\n/g, '\n')).toBe('out\nerr\n');
  });

  it('a detached container: ps, logs -f, exec, exec -i, cp both ways, stop, inspect, rm', async () => {
    onTestFinished(async () => void (await docker(['rm', '-f', 'web'])));
    const id = (await ok('run', '-d', '--name', 'web', 'toolbox', 'sh', '-c', 'while true; do echo tick; sleep 1; done')).trim();
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    const ps = await ok('ps');
    expect(ps.split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+toolbox\\s+".*"\\s+.*\\s+Up .*\\s+web$`, 'm'));
    // The daemon quotes arguments that hold a space in COMMAND (moby daemon/list.go); the
    // docker CLI then cuts it to 20 characters with an ellipsis.
    expect(ps).toContain(`"sh -c 'while true; …"`);
    expect((await ok('ps', '--filter', 'name=web', '--format', '{{.Names}} {{.State}}')).trim()).toBe('web running');

    // logs -f: read two ticks, then the client goes away; the daemon must not care.
    const followed = await streamUntil(['logs', '-f', 'web'], (out) => out.split('tick\n').length > 2);
    expect(followed.startsWith('tick\ntick\n')).toBe(true);

    expect((await ok('exec', 'web', 'ls', '/')).split('\n')).toContain('bin');
    const piped = await docker(['exec', '-i', 'web', 'sh'], { input: 'echo hello from exec\ncd /tmp && pwd\nexit 4\n' });
    expect(piped).toEqual({ code: 4, stdout: 'hello from exec\n/tmp\n', stderr: '' });
    expect((await docker(['exec', 'web', 'nope'])).code).toBe(127);

    await writeFile(join(dir, 'note.txt'), 'from the host\n');
    await mkdir(join(dir, 'tree/sub'), { recursive: true });
    await writeFile(join(dir, 'tree/sub/a.txt'), 'A');
    await ok('cp', 'note.txt', 'web:/tmp/');
    await ok('cp', 'tree', 'web:/tmp/tree');
    expect(await ok('exec', 'web', 'cat', '/tmp/note.txt', '/tmp/tree/sub/a.txt')).toBe('from the host\nA');
    await ok('exec', 'web', 'sh', '-c', 'mkdir -p /out && echo made inside > /out/made.txt');
    await ok('cp', 'web:/out/made.txt', join(dir, 'made.txt'));
    expect(await readFile(join(dir, 'made.txt'), 'utf8')).toBe('made inside\n');
    await ok('cp', 'web:/out', join(dir, 'outdir'));
    expect(await readFile(join(dir, 'outdir/made.txt'), 'utf8')).toBe('made inside\n');
    const missing = await docker(['cp', 'web:/nope', join(dir, 'x')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Could not find the file \/nope in container/);
    expect(missing.stderr).toContain('Could not find the file /nope in container web');

    const removeRunning = await docker(['rm', 'web']);
    expect(removeRunning.code).toBe(1);
    // Docker 25+ words it so; older daemons said "You cannot remove a running container <id>…".
    expect(removeRunning.stderr).toMatch(new RegExp(`cannot remove container "/web": container is running: stop the container before removing or force remove|You cannot remove a running container ${id}`));

    const t0 = Date.now();
    expect(await ok('stop', '-t', '2', 'web')).toBe('web\n');
    expect(Date.now() - t0).toBeLessThan(6000);
    expect((await ok('inspect', '--format', '{{.State.Status}} {{.State.Running}}', 'web')).trim()).toBe('exited false');
    expect((await ok('inspect', '--format', '{{.State.ExitCode}}', 'web')).trim()).toMatch(/^(137|143)$/);
    expect(await ok('ps', '-q')).toBe('');
    expect(await ok('ps', '-a', '--format', '{{.Names}} {{.Status}}')).toMatch(/^web Exited \((137|143)\) .*ago$/m);
    expect(await ok('rm', 'web')).toBe('web\n');
    expect((await docker(['inspect', 'web'])).stderr).toContain('No such object: web');
  }, 60000);

  it('diff, commit and run the committed image; save | load round trip', async () => {
    const r = await docker(['run', '--name', 'changer', 'toolbox', 'sh', '-c', 'mkdir /data2 && echo x > /data2/f && rm /bin/ls']);
    expect(r.code).toBe(0);
    const diff = (await ok('diff', 'changer')).trim().split('\n').sort();
    expect(diff).toEqual(expect.arrayContaining(['A /data2', 'A /data2/f', 'C /bin', 'D /bin/ls']));
    const imageId = (await ok('commit', '--change', 'CMD ["cat", "/data2/f"]', 'changer', 'changed:1')).trim();
    expect(imageId).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await ok('run', '--rm', 'changed:1')).toBe('x\n');
    expect((await docker(['run', '--rm', 'changed:1', 'ls'])).code).toBe(127);
    await ok('save', '-o', 'changed.tar', 'changed:1');
    await ok('rm', 'changer');
    await ok('rmi', 'changed:1');
    expect(await ok('load', '-i', 'changed.tar')).toBe('Loaded image: changed:1\n');
    expect(await ok('run', '--rm', 'changed:1')).toBe('x\n');
  }, 60000);

  it('a named volume keeps data across containers', async () => {
    await ok('run', '--rm', '-v', 'keep:/data', 'toolbox', 'sh', '-c', 'echo kept > /data/k');
    expect(await ok('run', '--rm', '-v', 'keep:/data', 'toolbox', 'cat', '/data/k')).toBe('kept\n');
    expect((await ok('volume', 'ls', '--format', '{{.Name}}')).split('\n')).toContain('keep');
  });

  it('rm -f kills a running container; container events are published', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok('run', '-d', '--name', 'doomed', 'toolbox', 'sleep', '100');
    expect(await ok('rm', '-f', 'doomed')).toBe('doomed\n');
    expect(await ok('ps', '-aq', '--filter', 'name=doomed')).toBe('');
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = await ok('events', '--since', String(since), '--until', String(until), '--filter', 'container=doomed', '--format', '{{.Type}} {{.Action}}');
    expect(events.trim().split('\n')).toEqual(expect.arrayContaining(['container create', 'container start', 'container die', 'container destroy']));
  });

  it('create + start -a, wait, logs --tail -t, rename, restart, top, stats, kill, export, prune', async () => {
    onTestFinished(async () => void (await docker(['rm', '-f', 'svc', 'svc2', 'counted'])));
    await ok('create', '--name', 'counted', 'toolbox', 'sh', '-c', 'echo one; echo two; echo three >&2; exit 2');
    const started = await docker(['start', '-a', 'counted']);
    expect(started).toEqual({ code: 2, stdout: 'one\ntwo\n', stderr: 'three\n' });
    expect(await ok('wait', 'counted')).toBe('2\n');
    // --tail counts the lines of both streams together, as Docker's log does.
    expect(await docker(['logs', '--tail', '2', 'counted'])).toMatchObject({ stdout: 'two\n', stderr: 'three\n' });
    expect((await ok('logs', '-t', 'counted')).split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z one$/);

    await ok('run', '-d', '--name', 'svc', 'toolbox', 'sh', '-c', 'echo started; while true; do sleep 1; done');
    expect(await ok('rename', 'svc', 'svc2')).toBe('');
    expect((await ok('inspect', '--format', '{{.Name}}', 'svc2')).trim()).toBe('/svc2');
    const top = await ok('top', 'svc2');
    expect(top.split('\n')[0]).toMatch(/PID/);
    expect(top).toContain('sh');
    const stats = JSON.parse(await ok('stats', '--no-stream', '--format', '{{json .}}', 'svc2')) as { Name: string; MemUsage: string };
    expect(stats.Name).toBe('svc2');
    expect(await ok('restart', '-t', '1', 'svc2')).toBe('svc2\n');
    expect((await ok('inspect', '--format', '{{.State.Running}} {{.RestartCount}}', 'svc2')).trim()).toMatch(/^true \d+$/);
    // The log keeps the first run's output; the second run writes once its worker is up.
    await expect.poll(() => ok('logs', 'svc2'), { timeout: 5000 }).toBe('started\nstarted\n');
    expect(await ok('kill', 'svc2')).toBe('svc2\n');
    expect((await ok('inspect', '--format', '{{.State.ExitCode}}', 'svc2')).trim()).toBe('137');

    await ok('export', '-o', 'svc2.tar', 'svc2');
    const listing = spawnSync('tar', ['-tf', join(dir, 'svc2.tar')], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing.some((l) => /^(\.\/)?bin\/toolbox$/.test(l))).toBe(true);

    const pruned = await ok('container', 'prune', '-f');
    expect(pruned).toMatch(/^Deleted Containers:\n/);
    expect(await ok('ps', '-aq', '--filter', 'name=svc2', '--filter', 'name=counted')).toBe('');
  }, 60000);

  it('many containers at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => docker(['run', '--rm', 'toolbox', 'echo', `n${i}`])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `n${i}\n`));
    expect(results.every((r) => r.code === 0)).toBe(true);
  }, 60000);

  it('a client killed mid-attach leaves the daemon and the container fine', async () => {
    await streamUntil(['run', '--name', 'orphan', 'toolbox', 'sh', '-c', 'while true; do echo alive; sleep 1; done'], (out) => out.includes('alive'));
    // The container outlives its client, as with Docker.
    expect((await ok('inspect', '--format', '{{.State.Running}}', 'orphan')).trim()).toBe('true');
    const again = await streamUntil(['attach', 'orphan'], (out) => out.includes('alive'));
    expect(again).toContain('alive');
    expect(await ok('rm', '-f', 'orphan')).toBe('orphan\n');
    expect(await ok('ps', '-aq', '--filter', 'name=orphan')).toBe('');
  }, 30000);

  it('exec start over a raw upgrade: a body that trails the headers is not taken as stdin', async () => {
    onTestFinished(async () => void (await docker(['rm', '-f', 'rawexec'])));
    await ok('run', '-d', '--name', 'rawexec', 'toolbox', 'sh', '-c', 'while true; do sleep 1; done');
    const created = await http('POST', '/v1.45/containers/rawexec/exec', { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    expect(created.status).toBe(201);
    const execId = (JSON.parse(created.body) as { Id: string }).Id;
    const body = JSON.stringify({ Detach: false, Tty: false });
    const conn = connect(socket);
    const received: Buffer[] = [];
    conn.on('data', (d: Buffer) => received.push(d));
    const closed = new Promise<void>((resolve) => conn.on('close', () => resolve()));
    const pause = () => new Promise((r) => setTimeout(r, 30));
    conn.write(`POST /v1.45/exec/${execId}/start HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    await pause();
    conn.write(body.slice(0, 5));
    await pause();
    conn.write(body.slice(5) + 'stdin bytes');
    conn.end();
    await closed;
    const all = Buffer.concat(received);
    const split = all.indexOf('\r\n\r\n');
    expect(all.subarray(0, split).toString()).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    const frames = new MuxDecoder().push(new Uint8Array(all.subarray(split + 4)));
    expect(frames.map((f) => `${f.stream}:${Buffer.from(f.data).toString()}`).join('')).toBe('1:stdin bytes');
    expect(JSON.parse((await http('GET', `/v1.45/exec/${execId}/json`)).body)).toMatchObject({ ExitCode: 0, Running: false });
  });

  it('two clients racing for one name: one wins, the other gets 409', async () => {
    const [a, b] = await Promise.all([http('POST', '/v1.45/containers/create?name=racer', { Image: 'toolbox' }), http('POST', '/v1.45/containers/create?name=racer', { Image: 'toolbox' })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(JSON.parse(loser.body).message).toMatch(/The container name "\/racer" is already in use/);
    expect(await ok('rm', 'racer')).toBe('racer\n');
  });
});

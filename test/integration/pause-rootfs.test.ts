// `wasmbox run --rootfs DIR COMMAND` from the CLI (worker processes, as a user runs it) and
// `docker pause`/`unpause` with the real docker CLI against wasmbox's API server: the log
// stops growing while paused, goes on after unpause, and stop of a paused container is 137.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/api.js';
import type { Engine } from '../../src/engine/engine.js';
import { builtinImagesDir } from '../../src/platform/node/builtin-images.js';
import { openNodeEngine } from '../../src/platform/node/engine.js';
import { installNodeSha256 } from '../../src/platform/node/hash.js';
import { serve } from '../../src/platform/node/server.js';
import type { ApiServer } from '../../src/platform/node/server.js';
import { BUILTIN_SHELL_MARKER } from '../../src/runner/types.js';

const ROOT_DIR = resolve(import.meta.dirname, '../..');
const TOOLBOX = join(builtinImagesDir(), 'toolbox', 'toolbox.wasm');
let dir: string;
let socket: string;
let engine: Engine;
let server: ApiServer;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT_DIR, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** The CLI from source (tsx), in-process engine with worker processes, as `wasmbox <args>`. */
function wasmbox(args: string[]): Promise<Result> {
  const script = `import('./src/cli/main.ts').then((m) => m.main(['node', 'wasmbox', ...${JSON.stringify(args)}])).then((c) => { process.exitCode = c; })`;
  return runChild(process.execPath, ['--import', 'tsx', '-e', script], { PATH: process.env.PATH, HOME: dir, WASMBOX_ROOT: join(dir, 'cli-root') });
}

function docker(...args: string[]): Promise<Result> {
  return runChild('docker', args, { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') }, 30_000);
}

async function ok(...args: string[]): Promise<string> {
  const r = await docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function makeRoot(name: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'etc'));
  copyFileSync(TOOLBOX, join(root, 'bin', 'toolbox'));
  for (const applet of ['cat', 'ls', 'echo']) symlinkSync('toolbox', join(root, 'bin', applet));
  writeFileSync(join(root, 'bin', 'sh'), BUILTIN_SHELL_MARKER);
  writeFileSync(join(root, 'etc', 'passwd'), 'inside:x:0:0\n');
  symlinkSync('/etc/passwd', join(root, 'passwd-link'));
  return root;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) {
    throw new Error('the docker CLI is not installed; this test drives the real client (docker 28.x) and will not be skipped');
  }
  installNodeSha256();
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-pause-rootfs-'));
  engine = await openNodeEngine(join(dir, 'root'));
  socket = join(dir, 'd.sock');
  server = await serve(createApi(engine), { listen: [{ kind: 'unix', path: socket }] });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('wasmbox run --rootfs (CLI, worker processes)', () => {
  it('runs a command from the directory, writes into it, keeps symlinks inside', async () => {
    const root = makeRoot('cli-rootfs');
    const r = await wasmbox(['run', '--rm', '--rootfs', root, 'sh', '-c', 'cat /passwd-link; echo from-container > /made.txt']);
    expect(r).toMatchObject({ code: 0, stdout: 'inside:x:0:0\n' });
    expect(readFileSync(join(root, 'made.txt'), 'utf8')).toBe('from-container\n');
  }, 60_000);

  it('--read-only refuses writes; a host ./prog.wasm runs against the directory; a missing command is 127', async () => {
    const root = makeRoot('cli-rootfs-ro');
    const ro = await wasmbox(['run', '--rm', '--read-only', '--rootfs', root, 'sh', '-c', 'echo x > /nope']);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/read-only/i);
    expect(existsSync(join(root, 'nope'))).toBe(false);
    const prog = join(dir, 'cat.wasm');
    copyFileSync(TOOLBOX, prog);
    const mod = await wasmbox(['run', '--rm', '--rootfs', root, prog, '/etc/passwd']);
    expect(mod).toMatchObject({ code: 0, stdout: 'inside:x:0:0\n' });
    expect(existsSync(join(root, 'cat.wasm'))).toBe(false);
    const missing = await wasmbox(['run', '--rm', '--rootfs', root, '/bin/nope']);
    expect(missing.code).toBe(127);
  }, 90_000);

  it('documents the form in wasmbox run --help', async () => {
    const r = await wasmbox(['run', '--help']);
    expect(r.stdout).toContain('--rootfs DIR COMMAND');
  }, 30_000);
});

describe('docker pause / unpause through the daemon', () => {
  it('freezes the log while paused, resumes it, stops a paused container with 137', async () => {
    await ok('run', '-d', '--name', 'ticker', 'toolbox', 'sh', '-c', 'while true; do echo tick; sleep 0.1; done');
    const ticks = async () => (await ok('logs', 'ticker')).split('tick\n').length - 1;
    for (let i = 0; i < 100 && (await ticks()) === 0; i++) await sleep(50);
    await ok('pause', 'ticker');
    expect((await ok('inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'ticker')).trim()).toBe('paused true');
    expect(await ok('ps', '--format', '{{.Names}} {{.Status}}')).toMatch(/ticker Up .*\(Paused\)/);
    await sleep(250);
    const frozen = await ticks();
    await sleep(700);
    expect(await ticks()).toBe(frozen);
    const again = await docker('pause', 'ticker');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already paused/);

    await ok('unpause', 'ticker');
    for (let i = 0; i < 100 && (await ticks()) < frozen + 3; i++) await sleep(50);
    expect(await ticks()).toBeGreaterThanOrEqual(frozen + 3);
    const notPaused = await docker('unpause', 'ticker');
    expect(notPaused.code).not.toBe(0);
    expect(notPaused.stderr).toMatch(/not paused/);

    await ok('pause', 'ticker');
    await ok('stop', 'ticker');
    expect((await ok('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ticker')).trim()).toBe('exited 137');
    const stopped = await docker('pause', 'ticker');
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toMatch(/not running/);
    await ok('rm', 'ticker');
  }, 60_000);
});

// `wasmbox daemon` as a process: listens on -H (or the default socket under XDG_RUNTIME_DIR),
// serves the docker CLI, logs requests with -D, and stops cleanly on SIGTERM.

import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT_DIR = resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);
let dir: string;

/** Runs the CLI from source (tsx), as `wasmbox <args>`. */
function startWasmbox(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const script = `import('./src/cli/main.ts').then((m) => m.main(['node', 'wasmbox', ...${JSON.stringify(args)}])).then((c) => { process.exitCode = c; })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT_DIR, env: { ...env, PATH: process.env.PATH } });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += String(c)));
  child.stderr!.on('data', (c: Buffer) => (out += String(c)));
  return Object.assign(child, { output: () => out });
}

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

beforeAll(async () => {
  if (spawnSync('docker', ['--version']).status !== 0) throw new Error('the docker CLI is not installed; this test needs it and will not be skipped');
  dir = await mkdtemp(join(tmpdir(), 'wasmbox-daemon-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('wasmbox daemon', () => {
  it('serves -H unix://… for the docker CLI, logs requests with -D, and stops on SIGTERM', async () => {
    const socket = join(dir, 'h.sock');
    const daemon = startWasmbox(['daemon', '-D', '-H', `unix://${socket}`, '--root', join(dir, 'root')], { HOME: dir });
    try {
      await waitFor(() => daemon.output().includes('API listening on') || daemon.exitCode !== null, 'the daemon to listen');
      expect(daemon.output()).toContain(`API listening on unix://${socket}`);
      const env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cfg') };
      const { stdout } = await exec('docker', ['info', '--format', '{{.DockerRootDir}}'], { env });
      expect(stdout.trim()).toBe(join(dir, 'root'));
      await waitFor(() => daemon.output().includes('GET /v1.50/info'), 'the request log line');
    } finally {
      daemon.kill('SIGTERM');
    }
    expect(await exited(daemon)).toBe(0);
    expect(daemon.output()).toContain('daemon shutdown complete');
    expect(existsSync(socket)).toBe(false);
  });

  it('listens on $XDG_RUNTIME_DIR/wasmbox.sock by default', async () => {
    const runtime = join(dir, 'run');
    await exec('mkdir', ['-p', runtime]);
    const daemon = startWasmbox(['daemon', '--root', join(dir, 'root2')], { HOME: dir, XDG_RUNTIME_DIR: runtime });
    try {
      await waitFor(() => existsSync(join(runtime, 'wasmbox.sock')) || daemon.exitCode !== null, 'the default socket');
      expect(existsSync(join(runtime, 'wasmbox.sock'))).toBe(true);
    } finally {
      daemon.kill('SIGINT');
    }
    expect(await exited(daemon)).toBe(0);
  });

  it('refuses a bad -H with a usage-style error', async () => {
    const daemon = startWasmbox(['daemon', '-H', 'fd://'], { HOME: dir, WASMBOX_ROOT: join(dir, 'root3') });
    expect(await exited(daemon)).toBe(1);
    expect(daemon.output()).toMatch(/invalid host fd:\/\//);
  });
});

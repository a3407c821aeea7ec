// The wasmbox CLI as a client of a running `wasmbox daemon --detach` (from source, through tsx):
// -H and WASMBOX_HOST select it, containers outlive the command (`run -d`), and the output and
// exit codes are the in-process ones.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT_DIR = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'wasmbox-cli-daemon-'));
const root = join(dir, 'root');
const socket = join(dir, 'd.sock');
const host = `unix://${socket}`;
const entry = join(dir, 'wasmbox-entry.mts');
const pidfile = join(root, 'wasmbox.pid');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `wasmbox …args` from source in a child process. */
function wasmbox(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: ROOT_DIR,
      env: { PATH: process.env.PATH ?? '', HOME: dir, WASMBOX_ROOT: join(dir, 'client-root'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const viaH = (...args: string[]) => wasmbox(['-H', host, ...args]);

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  writeFileSync(
    entry,
    `import { main } from ${JSON.stringify(join(ROOT_DIR, 'src/cli/main.ts'))};\nmain(process.argv).then((c) => { process.exitCode = c; });\n`,
  );
  const started = await wasmbox(['daemon', '--detach', '--root', root, '-H', host]);
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toContain(host);
}, 60_000);

afterAll(() => {
  const pid = Number(existsSync(pidfile) ? readFileSync(pidfile, 'utf8').trim() : NaN);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('wasmbox CLI against a daemon', () => {
  it('daemon --detach wrote the pid file; a second one refuses', async () => {
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    expect(() => process.kill(pid, 0)).not.toThrow();
    const again = await wasmbox(['daemon', '--detach', '--root', root, '-H', `unix://${join(dir, 'other.sock')}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`already running (pid ${pid}`);
  });

  it('run --rm hello-world through -H and through WASMBOX_HOST', async () => {
    const r = await viaH('run', '--rm', 'hello-world');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
    const e = await wasmbox(['run', '--rm', 'toolbox', 'sh', '-c', 'echo env-host; exit 3'], { WASMBOX_HOST: host });
    expect(e).toMatchObject({ code: 3, stdout: 'env-host\n' });
  });

  it('run -d, ps, logs, exec, stop, rm: the container lives in the daemon', async () => {
    const started = await viaH('run', '-d', '--name', 'web', 'toolbox', 'sh', '-c', 'while true; do echo tick; sleep 1; done');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    const ps = await viaH('ps');
    expect(ps.stdout).toMatch(/web\n/);
    await new Promise((r) => setTimeout(r, 1200));
    const logs = await viaH('logs', 'web');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^tick\n/);
    const exec = await viaH('exec', 'web', 'ls', '/');
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain('bin');
    const failing = await viaH('exec', 'web', 'sh', '-c', 'exit 6');
    expect(failing.code).toBe(6);
    expect((await viaH('stop', '-t', '0', 'web')).code).toBe(0);
    expect((await viaH('rm', 'web')).stdout).toBe('web\n');
    expect((await viaH('ps', '-a')).stdout).not.toMatch(/web\n/);
  });

  it('exit codes are the in-process ones: 125, 127, 1', async () => {
    const missingImage = await viaH('run', '--rm', 'nope-image');
    expect(missingImage.code).toBe(125);
    expect(missingImage.stderr).toContain('No such image: nope-image:latest');
    const missingCommand = await viaH('run', '--rm', 'toolbox', 'no-such-command');
    expect(missingCommand.code).toBe(127);
    const missingContainer = await viaH('rm', 'ghost');
    expect(missingContainer.code).toBe(1);
    expect(missingContainer.stderr).toContain('Error response from daemon: No such container: ghost');
  });

  it('images, tag, rmi, build with a context over POST /build', async () => {
    const ctxDir = join(dir, 'ctx');
    mkdirSync(ctxDir, { recursive: true });
    writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM toolbox\nCOPY msg.txt /msg.txt\nCMD ["cat", "/msg.txt"]\n');
    writeFileSync(join(ctxDir, 'msg.txt'), 'from the context\n');
    const built = await viaH('build', '-q', '-t', 'ctx-image:1', ctxDir);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await viaH('run', '--rm', 'ctx-image:1')).stdout).toBe('from the context\n');
    expect((await viaH('tag', 'ctx-image:1', 'ctx-image:2')).code).toBe(0);
    const images = await viaH('images', '--format', '{{.Repository}}:{{.Tag}}');
    expect(images.stdout.split('\n')).toEqual(expect.arrayContaining(['ctx-image:1', 'ctx-image:2', 'toolbox:latest']));
    expect((await viaH('rmi', 'ctx-image:2')).stdout).toBe('Untagged: ctx-image:2\n');
    const inspect = await viaH('image', 'inspect', '--format', '{{.Id}}', 'ctx-image:1');
    expect(inspect.stdout.trim()).toBe(built.stdout.trim());
    const history = await viaH('history', '-q', 'ctx-image:1');
    expect(history.stdout.split('\n')[0]).toBe(built.stdout.trim().slice(7, 19));
  });
});

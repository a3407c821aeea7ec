// `wasmbox run` as a user types it: the built binary (`npm run build`, `node bin/wasmbox.js`)
// in a child process with its own WASMBOX_ROOT and real workers — hello-world (the README's
// main job), a toolbox pipeline, a timed-out infinite loop, and flite writing a WAV to a bind mount.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT_DIR = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT_DIR, 'bin', 'wasmbox.js');

let work: string;
let env: NodeJS.ProcessEnv;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function wasmbox(args: string[], options: { stdin?: string; timeoutMs?: number; signalAfterMs?: number } = {}): Promise<Result> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    if (options.signalAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), options.signalAfterMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT_DIR, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(join(ROOT_DIR, 'dist', 'cli', 'main.js'))) {
    throw new Error(`npm run build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  work = mkdtempSync(join(tmpdir(), 'wasmbox-cli-run-'));
  env = { PATH: process.env.PATH, HOME: work, WASMBOX_ROOT: join(work, 'root') };
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('wasmbox run (built binary, worker processes)', () => {
  it('runs hello-world and exits 0, leaving no container behind', async () => {
    const r = await wasmbox(['run', '--rm', 'hello-world']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
    const ps = await wasmbox(['ps', '-a', '-q']);
    expect(ps.stdout).toBe('');
  }, 60_000);

  it('runs a toolbox pipeline with stdin, and exits with the shell status', async () => {
    const r = await wasmbox(['run', '-i', '--rm', 'toolbox', 'sh', '-c', 'tr a-z A-Z | sort; exit 4'], { stdin: 'b\na\n' });
    expect(r.stdout).toBe('A\nB\n');
    expect(r.code).toBe(4);
  }, 60_000);

  it('reports a missing command with 127 and a missing image with 125', async () => {
    let r = await wasmbox(['run', '--rm', 'toolbox', 'nope']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "nope": executable file not found in $PATH');
    r = await wasmbox(['run', '--rm', 'nope-image']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe("wasmbox: Error response from daemon: No such image: nope-image:latest.\nSee 'wasmbox run --help'.\n");
  }, 60_000);

  it('ends an infinite loop when we get SIGTERM (sig-proxy), instead of hanging', async () => {
    const r = await wasmbox(['run', '--rm', '--stop-timeout', '1', 'toolbox', 'sh', '-c', 'while true; do :; done'], { signalAfterMs: 2000, timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect([137, 143]).toContain(r.code);
    expect(r.ms).toBeLessThan(15_000);
    expect((await wasmbox(['ps', '-a', '-q'])).stdout).toBe('');
  }, 60_000);

  it('writes a WAV through a bind mount with the flite image', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const r = await wasmbox(['run', '--rm', '-v', `${out}:/out`, 'flite', '-t', 'hello', '-o', '/out/hello.wav'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wav = readFileSync(join(out, 'hello.wav'));
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    expect(wav.length).toBeGreaterThan(1000);
  }, 120_000);
});

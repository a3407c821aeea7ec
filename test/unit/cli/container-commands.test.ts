// The container commands in-process against a real engine (inline processes, a temp
// WASMBOX_ROOT, built-in images): docker's output, messages and exit statuses for run, the
// create → start → ps → logs → rm flow, volumes and mounts, limits, and cp/diff/export/commit.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, type CliIO, createCliContext } from '../../../src/cli/context.js';
import { run } from '../../../src/cli/program.js';
import type { Engine } from '../../../src/engine/engine.js';
import { readTar } from '../../../src/layers/tar-reader.js';
import { openNodeEngine } from '../../../src/platform/node/engine.js';
import { Capture } from './harness.js';

let root: string;
let work: string;
let engine: Promise<Engine>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wasmbox-containers-'));
  work = mkdtempSync(join(tmpdir(), 'wasmbox-containers-host-'));
  // Inline processes for speed (what WASMBOX_PROCESS_MODE=inline selects for the CLI's own engine).
  engine = openNodeEngine(root, { processMode: 'inline' });
});

afterAll(async () => {
  await (await engine).close();
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Uint8Array;
}

/** `wasmbox …argv` in-process over the shared engine. */
async function wasmbox(argv: string[], options: { stdin?: string | Uint8Array; env?: Record<string, string> } = {}): Promise<Result> {
  const stdout = new Capture();
  const stderr = new Capture();
  const input = typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : (options.stdin ?? new Uint8Array(0));
  const stdin = Object.assign(
    (async function* () {
      if (input.length > 0) yield input;
    })(),
    { isTTY: false },
  );
  const io: CliIO = { stdout, stderr, stdin, env: { WASMBOX_ROOT: root, ...options.env } };
  const ctx: CliContext = createCliContext(io, { openEngine: () => engine });
  const code = await run(argv, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text(), bytes: stdout.bytes() };
}

describe('wasmbox run', () => {
  it('runs hello-world with --rm: its output, status 0, nothing left', async () => {
    const r = await wasmbox(['run', '--rm', 'hello-world']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
    expect((await wasmbox(['ps', '-aq'])).stdout).toBe('');
  });

  it("exits with the container's status", async () => {
    const r = await wasmbox(['run', '--rm', 'toolbox', 'sh', '-c', 'echo a; echo b >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'a\n', stderr: 'b\n' });
  });

  it('a missing command: 127 and docker message', async () => {
    const r = await wasmbox(['run', '--rm', 'toolbox', 'nope']);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe(
      "wasmbox: Error response from daemon: failed to create task for container: exec: \"nope\": executable file not found in $PATH: unknown.\nSee 'wasmbox run --help'.\n",
    );
    expect((await wasmbox(['ps', '-aq'])).stdout).toBe('');
  });

  it('a missing image: 125 and docker message', async () => {
    const r = await wasmbox(['run', '--rm', 'nope-image']);
    expect(r).toMatchObject({ code: 125, stdout: '', stderr: "wasmbox: Error response from daemon: No such image: nope-image:latest.\nSee 'wasmbox run --help'.\n" });
  });

  it('-e, --env-file, -w and --entrypoint; host env only through -e K', async () => {
    const envFile = join(work, 'env.list');
    writeFileSync(envFile, '# settings\nFILE_VAR=from file\nHOSTVAR\n');
    const r = await wasmbox(
      ['run', '--rm', '-e', 'A=1', '-e', 'HOSTVAR', '--env-file', envFile, '-w', '/tmp', '--entrypoint', 'sh', 'toolbox', '-c', 'echo "$A|$HOSTVAR|$FILE_VAR|$SECRET"; pwd'],
      { env: { HOSTVAR: 'h', SECRET: 's' } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1|h|from file|\n/tmp\n');
  });

  it('pipes stdin with -i', async () => {
    expect((await wasmbox(['run', '-i', '--rm', 'toolbox', 'cat'], { stdin: 'hi\n' })).stdout).toBe('hi\n');
  });

  it('keeps a named volume across runs', async () => {
    expect((await wasmbox(['run', '--rm', '-v', 'c2data:/data', 'toolbox', 'sh', '-c', 'echo kept > /data/f'])).code).toBe(0);
    const r = await wasmbox(['run', '--rm', '-v', 'c2data:/data', 'toolbox', 'cat', '/data/f']);
    expect(r).toMatchObject({ code: 0, stdout: 'kept\n' });
  });

  it('reads a bind mount and refuses writes to a :ro one', async () => {
    const dir = join(work, 'bind');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'in.txt'), 'host file\n');
    let r = await wasmbox(['run', '--rm', '-v', `${dir}:/in:ro`, 'toolbox', 'cat', '/in/in.txt']);
    expect(r).toMatchObject({ code: 0, stdout: 'host file\n' });
    r = await wasmbox(['run', '--rm', '-v', `${dir}:/in:ro`, 'toolbox', 'sh', '-c', 'echo x > /in/new.txt']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read-only/i);
    r = await wasmbox(['run', '--rm', '--mount', `type=bind,source=${dir},target=/rw`, 'toolbox', 'sh', '-c', 'echo out > /rw/out.txt']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('out\n');
  });

  it('--read-only refuses writes to the root but not to a --tmpfs', async () => {
    let r = await wasmbox(['run', '--rm', '--read-only', 'toolbox', 'sh', '-c', 'echo x > /f']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read-only/i);
    r = await wasmbox(['run', '--rm', '--read-only', '--tmpfs', '/scratch', 'toolbox', 'sh', '-c', 'echo ok > /scratch/f && cat /scratch/f']);
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n' });
  });

  it('-m caps memory and refuses limits below 6MB', async () => {
    const r = await wasmbox(['run', '--rm', '-m', '1m', 'hello-world']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('Minimum memory limit allowed is 6MB');
    expect((await wasmbox(['run', '--rm', '-m', '32m', 'hello-world'])).code).toBe(0);
  });

  it('runs a host .wasm file directly', async () => {
    const hello = join(import.meta.dirname, '../../../images/hello-world/hello.wasm');
    const r = await wasmbox(['run', '--rm', hello]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from wasmbox!');
  });
});

describe('container lifecycle', () => {
  it('create → start → ps → logs → inspect → rm', async () => {
    const created = await wasmbox(['create', '--name', 'flow', '-l', 'team=c2', 'toolbox', 'sh', '-c', 'echo out; echo err >&2; exit 2']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    let ps = await wasmbox(['ps', '-a']);
    const [header, line] = ps.stdout.split('\n');
    expect(header).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    // docker's daemon quotes arguments with spaces ("sh -c 'echo out; e…"); COMMAND is cut at 20 columns.
    expect(line).toMatch(new RegExp(`^${id.slice(0, 12)} +toolbox +"sh -c 'echo out[^"]*…" +(Less than a second|\\d+ seconds?) ago +Created +flow$`));
    expect(line!.match(/"[^"]*…"/)![0]).toHaveLength(22);
    expect((await wasmbox(['ps'])).stdout.split('\n').length).toBe(2);

    const started = await wasmbox(['start', 'flow']);
    expect(started).toMatchObject({ code: 0, stdout: 'flow\n' });
    ps = await wasmbox(['ps', '-a', '--filter', 'label=team=c2', '--format', '{{.Names}}\t{{.Status}}\t{{.Labels}}']);
    expect(ps.stdout).toMatch(/^flow\tExited \(2\) (Less than a second|\d+ seconds?) ago\t.*team=c2\n$/);
    expect((await wasmbox(['ps', '-a', '--filter', 'label=team=other', '-q'])).stdout).toBe('');
    expect((await wasmbox(['ps', '-a', '--format', 'json'])).stdout).toContain('"Names":"flow"');

    const logs = await wasmbox(['logs', 'flow']);
    expect(logs).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    const stamped = await wasmbox(['logs', '-t', '--tail', '1', 'flow']);
    expect(stamped.stdout + stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err)\n$/);

    expect((await wasmbox(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.Name}}', 'flow'])).stdout).toBe('exited 2 /flow\n');
    expect((await wasmbox(['container', 'inspect', '--format', '{{.Config.Labels.team}}', id.slice(0, 8)])).stdout).toBe('c2\n');
    const json = JSON.parse((await wasmbox(['inspect', 'flow'])).stdout) as { Id: string }[];
    expect(json[0]!.Id).toBe(id);
    expect((await wasmbox(['wait', 'flow'])).stdout).toBe('2\n');

    expect(await wasmbox(['rm', 'flow', 'ghost'])).toMatchObject({ code: 1, stdout: 'flow\n', stderr: 'Error response from daemon: No such container: ghost\n' });
    expect((await wasmbox(['ps', '-aq'])).stdout).toBe('');
    expect((await wasmbox(['inspect', 'flow'])).stderr).toBe('Error: No such object: flow\n');
  });

  it('start -a attaches and exits with the status; rename; container prune', async () => {
    await wasmbox(['create', '--name', 'att', 'toolbox', 'sh', '-c', 'echo attached; exit 5']);
    expect(await wasmbox(['start', '-a', 'att'])).toMatchObject({ code: 5, stdout: 'attached\n' });
    expect((await wasmbox(['rename', 'att', 'renamed'])).code).toBe(0);
    expect((await wasmbox(['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('renamed\n');
    const pruned = await wasmbox(['container', 'prune', '-f']);
    expect(pruned.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: .*B\n$/);
    expect((await wasmbox(['container', 'ls', '-aq'])).stdout).toBe('');
  });

  it('prints a usage error for a missing container argument', async () => {
    const r = await wasmbox(['stop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'wasmbox stop' requires at least 1 argument");
  });
});

describe('file system commands', () => {
  it('diff, cp both ways, export and commit round trip', async () => {
    await wasmbox(['create', '--name', 'fs', 'toolbox', 'sh', '-c', 'mkdir -p /app && echo made > /app/made.txt && rm /bin/wc']);
    expect((await wasmbox(['start', 'fs'])).code).toBe(0);

    const diff = (await wasmbox(['diff', 'fs'])).stdout.split('\n');
    expect(diff).toContain('A /app');
    expect(diff).toContain('A /app/made.txt');
    expect(diff).toContain('D /bin/wc');
    expect(diff).toContain('C /bin');

    // container → host
    const out = join(work, 'cp-out');
    mkdirSync(out, { recursive: true });
    expect((await wasmbox(['cp', 'fs:/app/made.txt', join(out, 'copy.txt')])).code).toBe(0);
    expect(readFileSync(join(out, 'copy.txt'), 'utf8')).toBe('made\n');
    expect((await wasmbox(['cp', 'fs:/app', out])).code).toBe(0);
    expect(readFileSync(join(out, 'app', 'made.txt'), 'utf8')).toBe('made\n');
    const tar = await wasmbox(['cp', 'fs:/app/made.txt', '-']);
    expect(readTar(tar.bytes).entries.map((e) => e.path)).toEqual(['made.txt']);

    // host → container
    const src = join(work, 'cp-in');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'a.txt'), 'from host\n');
    chmodSync(join(src, 'sub', 'a.txt'), 0o644);
    expect((await wasmbox(['cp', join(src, 'sub'), 'fs:/app'])).code).toBe(0);
    expect((await wasmbox(['cp', join(src, 'sub', 'a.txt'), 'fs:/app/renamed.txt'])).code).toBe(0);
    expect((await wasmbox(['cp', '-', 'fs:/app'], { stdin: tar.bytes })).code).toBe(0);

    // export holds all of it
    const exported = join(work, 'fs.tar');
    expect((await wasmbox(['export', '-o', exported, 'fs'])).code).toBe(0);
    const paths = readTar(new Uint8Array(readFileSync(exported))).entries.map((e) => e.path.replace(/^\.?\//, '').replace(/\/$/, ''));
    expect(paths).toEqual(expect.arrayContaining(['app/made.txt', 'app/sub/a.txt', 'app/renamed.txt', 'bin/sh']));
    expect(paths).not.toContain('bin/wc');

    // commit → a new image with the changes
    const commit = await wasmbox(['commit', '-m', 'c2 test', '-c', 'CMD ["cat", "/app/sub/a.txt"]', 'fs', 'c2-committed:v1']);
    expect(commit.code).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const r = await wasmbox(['run', '--rm', 'c2-committed:v1', 'sh', '-c', 'cat /app/sub/a.txt /app/renamed.txt /app/made.txt; ls /bin/wc']);
    expect(r.stderr).toMatch(/wc/);
    expect(r.stdout).toBe('from host\nfrom host\nmade\n');
    expect(r.code).not.toBe(0);
    expect((await wasmbox(['history', '--format', '{{.Comment}}', 'c2-committed:v1'])).stdout.split('\n')[0]).toBe('c2 test');
    expect((await wasmbox(['rm', 'fs'])).code).toBe(0);
  });
});

describe('with an engine that outlives each command (worker processes)', () => {
  let daemonRoot: string;
  let daemonEngine: Promise<Engine>;

  beforeAll(() => {
    daemonRoot = mkdtempSync(join(tmpdir(), 'wasmbox-containers-daemon-'));
    daemonEngine = openNodeEngine(daemonRoot, { processMode: 'worker' });
  });

  afterAll(async () => {
    await (await daemonEngine).close();
    rmSync(daemonRoot, { recursive: true, force: true });
  });

  async function daemon(argv: string[]): Promise<Result> {
    const stdout = new Capture();
    const stderr = new Capture();
    const stdin = Object.assign((async function* () {})(), { isTTY: false });
    const ctx = createCliContext({ stdout, stderr, stdin, env: { WASMBOX_ROOT: daemonRoot } }, { openEngine: () => daemonEngine, daemon: true });
    const code = await run(argv, ctx);
    return { code, stdout: stdout.text(), stderr: stderr.text(), bytes: stdout.bytes() };
  }

  it('run -d, exec, top, stats, stop -t', async () => {
    const started = await daemon(['run', '-d', '--name', 'bg', 'toolbox', 'sh', '-c', 'echo up; while true; do sleep 1; done']);
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await daemon(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('bg running\n');
    // The worker's first output arrives asynchronously: poll `logs` of the running container.
    let logs = '';
    for (let i = 0; i < 100 && logs === ''; i++) {
      logs = (await daemon(['logs', 'bg'])).stdout;
      if (logs === '') await new Promise((r) => setTimeout(r, 50));
    }
    expect(logs).toBe('up\n');

    const exec = await daemon(['exec', '-e', 'X=42', '-w', '/tmp', 'bg', 'sh', '-c', 'echo "$X $(pwd)"; exit 4']);
    expect(exec).toMatchObject({ code: 4, stdout: '42 /tmp\n' });
    const missing = await daemon(['exec', 'bg', 'nope']);
    expect(missing.code).toBe(127);

    const top = await daemon(['top', 'bg']);
    expect(top.code).toBe(0);
    expect(top.stdout.split('\n')[0]).toMatch(/^UID +PID/);
    const stats = await daemon(['stats', '--no-stream', 'bg']);
    expect(stats.stdout.split('\n')[0]).toMatch(/^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
    expect(stats.stdout.split('\n')[1]).toMatch(/^[0-9a-f]{12} +bg /);

    const t0 = Date.now();
    expect(await daemon(['stop', '-t', '1', 'bg'])).toMatchObject({ code: 0, stdout: 'bg\n' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await daemon(['inspect', '-f', '{{.State.Status}}', 'bg'])).stdout).toBe('exited\n');
    expect((await daemon(['logs', 'bg'])).stdout).toBe('up\n');
    expect((await daemon(['rm', 'bg'])).code).toBe(0);
  }, 30_000);
});

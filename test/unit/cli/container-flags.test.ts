// The container commands against a scripted service: how run/create flags become the create
// body docker sends, docker's exit statuses and messages, and the ps table's columns.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMemory, parseMount, parseVolume } from '../../../src/cli/container-flags.js';
import type { CliIO } from '../../../src/cli/context.js';
import { containerContext, ellipsis } from '../../../src/cli/commands/ps.js';
import { splitCpArg } from '../../../src/cli/commands/cp.js';
import { parseTimeArg } from '../../../src/cli/commands/logs.js';
import { run } from '../../../src/cli/program.js';
import { WasmboxError } from '../../../src/errors.js';
import { Capture } from './harness.js';
import { FakeContainers, fakeContext } from './fake-containers.js';

let fake: FakeContainers;
let dir: string;
beforeEach(() => {
  fake = new FakeContainers();
  dir = mkdtempSync(join(tmpdir(), 'wasmbox-flags-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function wasmbox(argv: string[], options: { stdin?: string; env?: Record<string, string>; daemon?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const input = new TextEncoder().encode(options.stdin ?? '');
  const stdin = Object.assign(
    (async function* () {
      if (input.length > 0) yield input;
    })(),
    { isTTY: false },
  );
  const io: CliIO = { stdout, stderr, stdin, env: options.env ?? {} };
  const code = await run(argv, fakeContext(io, fake, { daemon: options.daemon === true }));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('run/create flags → create body', () => {
  it('maps env, env-file, workdir, entrypoint, labels, limits, mounts and policy', async () => {
    const envFile = join(dir, 'env');
    writeFileSync(envFile, '# comment\n\nFROM_FILE=1\nHOST_ONLY\n  SPACED=a b\n');
    const r = await wasmbox(
      ['create', '--name', 'web', '-e', 'A=1', '-e', 'FROM_HOST', '-e', 'UNSET', '--env-file', envFile, '-w', '/work', '--entrypoint', '/bin/sh',
        '-l', 'k=v', '-l', 'flag', '-m', '32m', '--stop-timeout', '3', '--read-only', '--restart', 'on-failure:2', '-h', 'box', '-u', '1000',
        '-v', 'data:/data', '-v', '/host/dir:/in:ro', '-v', '/anon', '--mount', 'type=bind,source=/src,target=/dst,readonly', '--tmpfs', '/tmp:size=1m',
        '--network', 'none', 'toolbox', 'sh', '-c', 'echo hi'],
      { env: { FROM_HOST: 'h', HOST_ONLY: 'x', SECRET: 'never' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const { body, name } = fake.created[0]!;
    expect(name).toBe('web');
    expect(body).toMatchObject({
      Image: 'toolbox',
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: ['/bin/sh'],
      Env: ['FROM_FILE=1', 'HOST_ONLY=x', 'SPACED=a b', 'A=1', 'FROM_HOST=h'],
      WorkingDir: '/work',
      User: '1000',
      Hostname: 'box',
      Labels: { k: 'v', flag: '' },
      StopTimeout: 3,
      Volumes: { '/anon': {} },
      HostConfig: {
        Binds: ['data:/data', '/host/dir:/in:ro'],
        Mounts: [{ Type: 'bind', Source: '/src', Target: '/dst', ReadOnly: true }],
        Tmpfs: { '/tmp': 'size=1m' },
        ReadonlyRootfs: true,
        Memory: 32 * 1024 * 1024,
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
        NetworkMode: 'none',
      },
    });
    // Deny by default: nothing else of the host's environment reaches the container.
    expect(JSON.stringify(body.Env)).not.toContain('never');
  });

  it('leaves Cmd and Entrypoint to the image when not given', async () => {
    await wasmbox(['create', 'hello-world']);
    expect(fake.created[0]!.body).toMatchObject({ Cmd: null, Entrypoint: null, Tty: false, OpenStdin: false, HostConfig: { AutoRemove: false } });
  });

  it('passes options after the image to the container command', async () => {
    await wasmbox(['run', '--rm', 'toolbox', 'ls', '-l', '--all', '-e']);
    expect(fake.created[0]!.body.Cmd).toEqual(['ls', '-l', '--all', '-e']);
    expect(fake.created[0]!.body.HostConfig?.AutoRemove).toBe(true);
  });

  it('runs a host .wasm file directly as a module', async () => {
    const prog = join(dir, 'prog.wasm');
    writeFileSync(prog, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await wasmbox(['run', '--rm', prog, 'a', 'b']);
    const { body } = fake.created[0]!;
    expect(body.Image).toBe('');
    expect(body.Module?.path).toBe('/prog.wasm');
    expect([...body.Module!.bytes]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(body.Entrypoint).toEqual(['/prog.wasm']);
    expect(body.Cmd).toEqual(['a', 'b']);
  });

  it('refuses bad values with docker usage statuses', async () => {
    expect((await wasmbox(['run', '-m', 'lots', 'toolbox'])).code).toBe(125);
    expect((await wasmbox(['run', '--restart', 'sometimes', 'toolbox'])).code).toBe(125);
    expect((await wasmbox(['run', '--rm', '--restart', 'always', 'toolbox'])).stderr).toContain('Conflicting options: --restart and --rm');
    expect((await wasmbox(['run', '-v', 'data:relative', 'toolbox'])).code).toBe(125);
    expect((await wasmbox(['run', '--bogus', 'toolbox'])).code).toBe(125);
    expect(fake.created).toEqual([]);
  });

  it('parses sizes, volumes and mounts like docker', () => {
    expect(parseMemory('32m')).toBe(33554432);
    expect(parseMemory('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseMemory('512kb')).toBe(512 * 1024);
    expect(parseMemory('1000')).toBe(1000);
    expect(parseVolume('./rel:/x').bind).toBe(`${process.cwd()}/rel:/x`);
    expect(parseVolume('vol:/x:rw')).toEqual({ bind: 'vol:/x:rw' });
    expect(parseMount('type=volume,src=v,dst=/d')).toEqual({ Type: 'volume', Source: 'v', Target: '/d' });
    expect(parseMount('type=tmpfs,target=/t,ro=false')).toEqual({ Type: 'tmpfs', Target: '/t' });
  });
});

describe('run exit statuses and messages', () => {
  it('copies stdout and stderr and exits with the container status', async () => {
    fake.script = { output: [{ stream: 'stdout', text: 'out\n' }, { stream: 'stderr', text: 'err\n' }], status: 3 };
    const r = await wasmbox(['run', '--rm', 'toolbox']);
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('with -t everything is stdout', async () => {
    fake.script = { output: [{ stream: 'stderr', text: 'err\n' }] };
    const r = await wasmbox(['run', '-t', 'toolbox']);
    expect(r).toEqual({ code: 0, stdout: 'err\n', stderr: '' });
  });

  it('pipes stdin with -i only', async () => {
    fake.script = { echoStdin: true };
    expect((await wasmbox(['run', '-i', '--rm', 'toolbox', 'cat'], { stdin: 'hi\n' })).stdout).toBe('hi\n');
    expect((await wasmbox(['run', '--rm', 'toolbox', 'cat'], { stdin: 'hi\n' })).stdout).toBe('');
  });

  it('a missing image: 125 and docker message', async () => {
    const r = await wasmbox(['run', '--rm', 'nope']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe("wasmbox: Error response from daemon: No such image: nope:latest.\nSee 'wasmbox run --help'.\n");
  });

  it('a command not found: 127; not executable: 126; other start failures: 125', async () => {
    fake.script = { startError: new WasmboxError('ENOENT', 'failed to create task: exec: "nope": executable file not found in $PATH: unknown') };
    let r = await wasmbox(['run', '--rm', 'toolbox', 'nope']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "nope": executable file not found in $PATH');
    expect(r.stderr).toContain("See 'wasmbox run --help'.");
    expect(fake.calls.some((c) => c.startsWith('rm '))).toBe(true);
    fake.script = { startError: new WasmboxError('INVALID_MODULE', 'exec: "/etc/passwd": exec format error') };
    r = await wasmbox(['run', 'toolbox', '/etc/passwd']);
    expect(r.code).toBe(126);
    fake.script = { startError: new WasmboxError('INTERNAL', 'boom') };
    expect((await wasmbox(['run', 'toolbox'])).code).toBe(125);
  });

  it('-d needs a daemon in-process, and prints the id with one', async () => {
    let r = await wasmbox(['run', '-d', 'toolbox']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('wasmbox run -d needs a daemon: start one with `wasmbox daemon`\n');
    r = await wasmbox(['run', '-d', 'toolbox'], { daemon: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
  });
});

describe('run -t on a terminal', () => {
  it('puts our stdin in raw mode, sizes the TTY like ours, resizes on SIGWINCH, and restores', async () => {
    const listeners: (() => void)[] = [];
    const stdout = Object.assign(new Capture(), {
      isTTY: true,
      rows: 30,
      columns: 100,
      on: (_e: 'resize', l: () => void) => listeners.push(l),
      off: (_e: 'resize', l: () => void) => listeners.splice(listeners.indexOf(l), 1),
    });
    const raw: boolean[] = [];
    const stdin = Object.assign((async function* () {})(), { isTTY: true, setRawMode: (m: boolean) => raw.push(m) });
    fake.script = { output: [{ stream: 'stdout', text: 'tty\r\n' }] };
    const ctx = fakeContext({ stdout, stderr: new Capture(), stdin, env: {} }, fake);
    const api = await ctx.containers();
    const realStart = api.start.bind(api);
    api.start = async (id) => {
      await realStart(id);
      stdout.rows = 40;
      listeners.forEach((l) => l());
    };
    expect(await run(['run', '-it', '--rm', 'toolbox', 'sh'], ctx)).toBe(0);
    expect(raw).toEqual([true, false]);
    expect(listeners).toEqual([]);
    expect(fake.calls.filter((c) => c.startsWith('resize'))).toEqual(expect.arrayContaining([expect.stringMatching(/ 40x100$/), expect.stringMatching(/ 30x100$|40x100$/)]));
    expect(fake.created[0]!.body).toMatchObject({ Tty: true, OpenStdin: true, AttachStdin: true, StdinOnce: true });
  });

  it('refuses -it when our stdin is not a terminal', async () => {
    const r = await wasmbox(['run', '-it', 'toolbox']);
    expect(r).toMatchObject({ code: 1, stderr: 'the input device is not a TTY\n' });
  });
});

describe('lifecycle commands', () => {
  it('print each name, report missing ones and exit 1', async () => {
    const id = (await wasmbox(['create', '--name', 'a', 'toolbox'])).stdout.trim();
    let r = await wasmbox(['stop', '-t', '2', 'a', 'missing']);
    expect(r.stdout).toBe('a\n');
    expect(r.stderr).toBe('Error response from daemon: No such container: missing\n');
    expect(r.code).toBe(1);
    r = await wasmbox(['kill', '-s', 'TERM', id.slice(0, 12)]);
    expect(r.stdout).toBe(`${id.slice(0, 12)}\n`);
    r = await wasmbox(['rm', '-f', '-v', 'a']);
    expect(fake.calls).toEqual(['stop a {"timeout":2}', `kill ${id.slice(0, 12)} {"signal":"TERM"}`, 'rm a {"force":true,"volumes":true}']);
  });
});

describe('ps', () => {
  it('prints docker columns, quoted truncated command and -q ids', async () => {
    await wasmbox(['create', '--name', 'looper', 'toolbox', 'sh', '-c', 'while true; do sleep 1; done']);
    let r = await wasmbox(['ps', '-a']);
    const [header, line] = r.stdout.split('\n');
    expect(header).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    expect(line).toContain('"sh -c \'while true; …"');
    expect(line).toMatch(/^a{12} +toolbox +.* Less than a second ago +Created +looper$/);
    r = await wasmbox(['ps', '-aq']);
    expect(r.stdout).toBe('aaaaaaaaaaaa\n');
    r = await wasmbox(['ps', '-a', '--format', '{{.Names}} {{.State}} {{.Command}}', '--no-trunc']);
    expect(r.stdout).toBe('looper created "sh -c \'while true; do sleep 1; done\'"\n');
    expect((await wasmbox(['ps'])).stdout.split('\n').length).toBe(2);
  });

  it('formats like docker', () => {
    expect(ellipsis('abcdef', 4)).toBe('abc…');
    const ctx = containerContext(
      { Id: 'f'.repeat(64), Names: ['/x'], Image: 'toolbox', ImageID: '', Command: 'ls', Created: 1000, State: 'exited', Status: 'Exited (0) 2 minutes ago', Ports: [], Labels: { a: 'b' }, HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: {} }, Mounts: [], SizeRw: 12, SizeRootFs: 2048 },
      { now: 1000_000 + 120_000 },
    ) as Record<string, string>;
    expect(ctx).toMatchObject({ ID: 'ffffffffffff', Command: '"ls"', RunningFor: '2 minutes ago', Labels: 'a=b', Size: '12B (virtual 2.05kB)' });
  });
});

describe('small parsers', () => {
  it('splits cp arguments like docker', () => {
    expect(splitCpArg('c:/etc/x')).toEqual({ container: 'c', path: '/etc/x' });
    expect(splitCpArg('/tmp/a:b')).toEqual({ path: '/tmp/a:b' });
    expect(splitCpArg('./a:b')).toEqual({ path: './a:b' });
    expect(splitCpArg('-')).toEqual({ path: '-' });
  });

  it('reads --since as a duration, unix seconds or RFC 3339', () => {
    expect(parseTimeArg('10m', '--since', 1_000_000)).toBe(1000 - 600);
    expect(parseTimeArg('1h30m', '--since', 10_000_000)).toBe(10_000 - 5400);
    expect(parseTimeArg('1700000000.5', '--since')).toBe(1700000000.5);
    expect(parseTimeArg('2024-01-02T00:00:00Z', '--since')).toBe(Date.parse('2024-01-02T00:00:00Z') / 1000);
    expect(() => parseTimeArg('yesterday', '--since')).toThrow(/failed to parse/);
  });
});

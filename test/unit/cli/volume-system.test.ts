// `wasmbox volume …`, `system df/prune` and `info` in-process over a fresh WASMBOX_ROOT:
// docker's output, confirmation prompts, exit statuses, and volumes that outlive containers.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, createHarness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.cleanup());

describe('wasmbox volume', () => {
  it('creates, lists, inspects and removes volumes as docker does', async () => {
    expect(await h.wasmbox(['volume', 'create', 'data'])).toMatchObject({ code: 0, stdout: 'data\n' });
    expect(await h.wasmbox(['volume', 'create', '--label', 'team=a', 'other'])).toMatchObject({ code: 0, stdout: 'other\n' });
    const ls = await h.wasmbox(['volume', 'ls']);
    expect(ls.stdout).toBe('DRIVER    VOLUME NAME\nlocal     data\nlocal     other\n');
    expect((await h.wasmbox(['volume', 'ls', '-q', '--filter', 'label=team=a'])).stdout).toBe('other\n');
    const inspect = await h.wasmbox(['volume', 'inspect', 'data']);
    const [doc] = JSON.parse(inspect.stdout) as Record<string, unknown>[];
    expect(doc).toMatchObject({ Name: 'data', Driver: 'local', Scope: 'local', Labels: {} });
    expect(doc!.Mountpoint).toBe(`${h.root}/volumes/data/_data`);
    expect((await h.wasmbox(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'other'])).stdout).toBe('other local\n');
    const missing = await h.wasmbox(['volume', 'inspect', 'nope']);
    expect(missing).toMatchObject({ code: 1, stdout: '[]\n', stderr: 'Error: No such volume: nope\n' });
    expect(await h.wasmbox(['volume', 'rm', 'data', 'other'])).toMatchObject({ code: 0, stdout: 'data\nother\n' });
    expect((await h.wasmbox(['volume', 'rm', 'data'])).code).toBe(1);
    expect((await h.wasmbox(['volume', 'ls', '-q'])).stdout).toBe('');
  });

  it('keeps data across containers, refuses to remove a volume in use by a container, prunes after a prompt', async () => {
    expect((await h.wasmbox(['run', '-v', 'keep:/data', '--name', 'writer', 'toolbox', 'sh', '-c', 'echo saved > /data/f'])).code).toBe(0);
    expect(await h.wasmbox(['run', '--rm', '-v', 'keep:/data', 'toolbox', 'cat', '/data/f'])).toMatchObject({ code: 0, stdout: 'saved\n' });
    const inUse = await h.wasmbox(['volume', 'rm', 'keep']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/^Error response from daemon: .*in use/);
    expect((await h.wasmbox(['rm', 'writer'])).code).toBe(0);
    // No answer: nothing is removed.
    const declined = await h.wasmbox(['volume', 'prune', '-a'], { stdin: 'n\n' });
    expect(declined.stdout).toContain('Are you sure you want to continue? [y/N] ');
    expect((await h.wasmbox(['volume', 'ls', '-q'])).stdout).toBe('keep\n');
    const pruned = await h.wasmbox(['volume', 'prune', '-a'], { stdin: 'y\n' });
    expect(pruned.stdout).toMatch(/Deleted Volumes:\nkeep\n\nTotal reclaimed space: 6B\n$/);
    expect((await h.wasmbox(['volume', 'ls', '-q'])).stdout).toBe('');
  });
});

describe('wasmbox system and info', () => {
  it('system df shows images, containers, volumes and build cache in docker columns', async () => {
    await h.wasmbox(['volume', 'create', 'vol']);
    await h.wasmbox(['create', '--name', 'idle', 'hello-world']);
    const df = await h.wasmbox(['system', 'df']);
    expect(df.code).toBe(0);
    const lines = df.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$/);
    expect(lines[1]).toMatch(/^Images +1 +1 +\S+ +0B \(0%\)$/);
    expect(lines[2]).toMatch(/^Containers +1 +0 +/);
    expect(lines[3]).toMatch(/^Local Volumes +1 +0 +0B +0B$/);
    expect(lines[4]).toMatch(/^Build Cache +0 +0 +0B +0B$/);
    expect((await h.wasmbox(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}'])).stdout).toBe('Images=1\nContainers=1\nLocal Volumes=1\nBuild Cache=0\n');
  });

  it('system prune removes stopped containers and dangling images after the prompt', async () => {
    await h.wasmbox(['create', '--name', 'stopped', 'hello-world']);
    const out = await h.wasmbox(['system', 'prune', '-f']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
    expect((await h.wasmbox(['ps', '-aq'])).stdout).toBe('');
  });

  it('info reports counts and the engine', async () => {
    await h.wasmbox(['create', 'hello-world']);
    const info = await h.wasmbox(['info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(' Containers: 1\n  Running: 0\n  Paused: 0\n  Stopped: 1\n Images: 1\n');
    expect(info.stdout).toContain(` Docker Root Dir: ${h.root}\n`);
    expect(info.stdout).toMatch(/ Total Memory: [\d.]+[KMGT]iB\n/);
    expect((await h.wasmbox(['system', 'info'])).stdout).toBe(info.stdout);
  });
});

describe('wasmbox stats', () => {
  it('streams until nothing shown is running: with only stopped containers, one frame', async () => {
    await h.wasmbox(['create', '--name', 'idle', 'hello-world']);
    const live = await h.wasmbox(['stats', '-a']);
    expect(live.code).toBe(0);
    const lines = live.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[1])).toEqual(['idle']);
    // Not a terminal: no screen clearing.
    expect(live.stdout).not.toContain('\x1b[2J');
    expect((await h.wasmbox(['stats', '-a', '--no-stream'])).stdout).toBe(live.stdout);
  });
});

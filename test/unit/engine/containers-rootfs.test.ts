// `--rootfs HOSTDIR`: the container's root is a host directory, confined as a bind mount
// (symlinks and `..` resolve inside it), writable unless read-only, in inline and worker
// processes; a module from the directory or from the host; diff/commit refused, export tars it.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { builtinImagesDir } from '../../../src/platform/node/builtin-images.js';
import { createBody } from '../../../src/cli/container-flags.js';
import { nodeMountFactory } from '../../../src/platform/node/container-store.js';
import { BUILTIN_SHELL_MARKER } from '../../../src/runner/types.js';
import { memoryEngine, run, workerFactory } from './containers-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'wasmbox-rootfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const TOOLBOX = join(builtinImagesDir(), 'toolbox', 'toolbox.wasm');
let dirs = 0;

/** A minimal root: /bin/sh (the built-in shell), toolbox applets, /etc/hostname, and a symlink that points at the host's /etc/passwd. */
function makeRoot(): string {
  const root = join(work, `root${dirs++}`);
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'etc'));
  copyFileSync(TOOLBOX, join(root, 'bin', 'toolbox'));
  for (const applet of ['cat', 'ls', 'echo', 'sleep', 'touch']) symlinkSync('toolbox', join(root, 'bin', applet));
  writeFileSync(join(root, 'bin', 'sh'), BUILTIN_SHELL_MARKER);
  writeFileSync(join(root, 'etc', 'passwd'), 'inside:x:0:0\n');
  writeFileSync(join(root, 'etc', 'hostname'), 'rootfs-test\n');
  symlinkSync('/etc/passwd', join(root, 'passwd-link'));
  symlinkSync('../../../../../../etc/passwd', join(root, 'dotdot-link'));
  return root;
}

const modes = [
  ['inline', () => memoryEngine({ processMode: 'inline', mountFactory: nodeMountFactory() })],
  ['worker', () => memoryEngine({ processMode: 'worker', workerFactory: workerFactory(), mountFactory: nodeMountFactory() })],
] as const;

describe.each(modes)('--rootfs with %s processes', (_mode, make) => {
  it('runs a program from the directory and reads its files', async () => {
    engine = make();
    const root = makeRoot();
    const r = await run(engine, '', ['/bin/cat', '/etc/hostname'], { HostConfig: { Rootfs: root } });
    expect(r).toMatchObject({ code: 0, stdout: 'rootfs-test\n' });
    // PATH lookup inside the directory, and the shell from it.
    expect(await run(engine, '', ['sh', '-c', 'echo hi; ls /bin > /dev/null'], { HostConfig: { Rootfs: root } })).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('writes into the host directory', async () => {
    engine = make();
    const root = makeRoot();
    const r = await run(engine, '', ['sh', '-c', 'echo written > /out.txt; mkdir -p /new/sub 2>/dev/null; touch /new-file'], { HostConfig: { Rootfs: root } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('written\n');
    expect(existsSync(join(root, 'new-file'))).toBe(true);
  });

  it('keeps symlinks and .. inside the directory', async () => {
    engine = make();
    const root = makeRoot();
    const cat = (path: string) => run(engine!, '', ['/bin/cat', path], { HostConfig: { Rootfs: root } });
    expect(await cat('/passwd-link')).toMatchObject({ code: 0, stdout: 'inside:x:0:0\n' });
    expect(await cat('/dotdot-link')).toMatchObject({ code: 0, stdout: 'inside:x:0:0\n' });
    expect(await cat('/../../../../etc/passwd')).toMatchObject({ code: 0, stdout: 'inside:x:0:0\n' });
    // Writing through the escaping symlink lands inside too.
    const w = await run(engine, '', ['sh', '-c', 'echo changed > /passwd-link'], { HostConfig: { Rootfs: root } });
    expect(w.code).toBe(0);
    expect(readFileSync(join(root, 'etc', 'passwd'), 'utf8')).toBe('changed\n');
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('changed');
  });

  it('refuses writes with --read-only', async () => {
    engine = make();
    const root = makeRoot();
    const r = await run(engine, '', ['sh', '-c', 'echo x > /ro.txt'], { HostConfig: { Rootfs: root, ReadonlyRootfs: true } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read-only/i);
    expect(existsSync(join(root, 'ro.txt'))).toBe(false);
    expect(await run(engine, '', ['/bin/cat', '/etc/hostname'], { HostConfig: { Rootfs: root, ReadonlyRootfs: true } })).toMatchObject({ code: 0, stdout: 'rootfs-test\n' });
  });

  it('runs a module given by the host (wasmbox run --rootfs DIR ./prog.wasm) without writing it into the directory', async () => {
    engine = make();
    const root = makeRoot();
    const bytes = new Uint8Array(readFileSync(TOOLBOX));
    const r = await run(engine, '', ['/etc/hostname'], { Module: { bytes, path: '/cat.wasm' }, Entrypoint: ['/cat.wasm'], HostConfig: { Rootfs: root } });
    expect(r).toMatchObject({ code: 0, stdout: 'rootfs-test\n' });
    expect(existsSync(join(root, 'cat.wasm'))).toBe(false);
  });

  it('sees tmpfs mounts over the directory', async () => {
    engine = make();
    const root = makeRoot();
    const r = await run(engine, '', ['sh', '-c', 'echo t > /scratch/f; cat /scratch/f'], { HostConfig: { Rootfs: root, Tmpfs: { '/scratch': '' } } });
    expect(r).toMatchObject({ code: 0, stdout: 't\n' });
    expect(existsSync(join(root, 'scratch', 'f'))).toBe(false);
  });
});

describe('--rootfs containers and the engine', () => {
  it('refuses diff and commit, exports the directory', async () => {
    engine = modes[0][1]();
    const root = makeRoot();
    const { id } = await run(engine, '', ['/bin/cat', '/etc/hostname'], { HostConfig: { Rootfs: root } });
    await expect(engine.containers.changes(id)).rejects.toThrow(/--rootfs/);
    await expect(engine.containers.commit(id)).rejects.toThrow(new RegExp(`host directory ${root}`));
    const chunks: Uint8Array[] = [];
    for await (const c of engine.containers.export(id)) chunks.push(c);
    const tar = Buffer.concat(chunks).toString('latin1');
    expect(tar).toContain('etc/hostname');
    expect(tar).toContain('rootfs-test');
  });

  it('names a missing directory, and refuses an image with --rootfs', async () => {
    engine = modes[0][1]();
    await expect(engine.containers.create({ Image: '', Cmd: ['/bin/x'], HostConfig: { Rootfs: join(work, 'missing') } })).rejects.toThrow(/missing/);
    await expect(engine.containers.create({ Image: 'toolbox', Cmd: ['/bin/x'], HostConfig: { Rootfs: makeRoot() } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reports a command missing from the directory as 127', async () => {
    engine = modes[0][1]();
    const root = makeRoot();
    const { Id } = await engine.containers.create({ Image: '', Cmd: ['/bin/nope'], HostConfig: { Rootfs: root } });
    await expect(engine.containers.start(Id)).rejects.toMatchObject({ details: { exitCode: 127 } });
  });
});

describe('wasmbox run --rootfs DIR COMMAND (the create request)', () => {
  it('takes the first argument as the command, with no image', () => {
    const root = makeRoot();
    const body = createBody({ rootfs: root }, '/bin/cat', ['/etc/hostname'], {});
    expect(body).toMatchObject({ Image: '', Cmd: ['/bin/cat', '/etc/hostname'], HostConfig: { Rootfs: root } });
    expect(body.Module).toBeUndefined();
  });

  it('runs a host ./prog.wasm as the module', () => {
    const body = createBody({ rootfs: makeRoot() }, TOOLBOX, ['/etc/hostname'], {});
    expect(body).toMatchObject({ Image: '', Entrypoint: ['/toolbox.wasm'], Cmd: ['/etc/hostname'] });
    expect(body.Module?.path).toBe('/toolbox.wasm');
  });
});

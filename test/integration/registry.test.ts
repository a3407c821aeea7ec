// Pull and push against a real registry (Debian's docker-registry 2.8): round trips with equal
// digests, skopeo reading what we push and pushing what we pull, Basic (htpasswd) and token
// auth, the CLI commands, and faults from a misbehaving registry over real sockets.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import type { CliIO } from '../../src/cli/context.js';
import { digestOf } from '../../src/content/digest.js';
import { isWasmboxError } from '../../src/errors.js';
import { createImageConfig } from '../../src/image/config.js';
import type { ImageStore } from '../../src/image/image-store.js';
import { MediaType } from '../../src/image/media-types.js';
import { MemoryCredentialStore } from '../../src/image/registry/auth.js';
import { RegistryClient } from '../../src/image/registry/client.js';
import { pull } from '../../src/image/registry/pull.js';
import { push } from '../../src/image/registry/push.js';
import type { ProgressEvent } from '../../src/image/registry/progress.js';
import { imageLayoutDir, openNodeImageStore } from '../../src/platform/node/stores.js';
import { FakeRegistry } from '../helpers/fake-registry.js';
import { makeTar, memoryImageStore, putTestImage } from '../helpers/image-fixtures.js';
import { type TestRegistry, type TokenServer, startRegistry, startTokenServer } from '../helpers/registry.js';
import { ensureTool } from '../helpers/tools.js';

const exec = promisify(execFile);
let work: string;
let skopeo: string;
let plain: TestRegistry;
let basic: TestRegistry;
let tokens: TokenServer;
let tokenRegistry: TestRegistry;
const client = new RegistryClient({ retry: { retries: 2, baseDelayMs: 20 } });

async function skopeoRun(...args: string[]): Promise<string> {
  // skopeo as root writes a blob-info cache under /var/lib/containers; keep it in the temp dir.
  const env = { ...process.env, TMPDIR: work, XDG_RUNTIME_DIR: work, HOME: work };
  const { stdout } = await exec(skopeo, ['--insecure-policy', ...args], { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function nodeStore(name: string): Promise<ImageStore> {
  return openNodeImageStore(join(work, name));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wasmbox-registry-it-'));
  skopeo = await ensureTool('skopeo');
  tokens = await startTokenServer({ users: { alice: 'wonderland' } });
  [plain, basic, tokenRegistry] = await Promise.all([
    startRegistry(),
    startRegistry({ auth: { kind: 'htpasswd', users: { bob: 'builder' } } }),
    startRegistry({ auth: { kind: 'token', server: tokens } }),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.stop(), basic?.stop(), tokenRegistry?.stop()]);
  await tokens?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('push and pull against docker-registry', () => {
  it('round-trips a multi-layer image with identical digests and content', async () => {
    const source = memoryImageStore();
    const ref = `${plain.host}/rt/multi:1`;
    const image = await putTestImage(source, {
      tags: [ref],
      gzip: true,
      layers: [{ 'a.txt': 'a' }, { 'dir/b.txt': 'b'.repeat(5000) }, { 'c.txt': 'c' }],
    });
    const pushEvents: ProgressEvent[] = [];
    const pushed = await push(source, ref, { client, chunkSize: 1024, onProgress: (e) => pushEvents.push(e) });
    expect(pushed.digest).toBe(image.manifestDigest);
    expect(pushEvents.filter((e) => e.status === 'Pushed')).toHaveLength(3);
    expect(pushEvents.at(-1)!.status).toBe(`1: digest: ${image.manifestDigest} size: ${pushed.size}`);

    const target = await nodeStore('rt');
    const pulled = await pull(target, ref, { client });
    expect(pulled.digest).toBe(image.manifestDigest);
    expect(pulled.image.id).toBe(image.id);
    expect(pulled.image.repoTags).toEqual([ref]);
    for (const l of image.manifest.layers) expect(await target.content.get(l.digest)).toEqual(await source.content.get(l.digest));

    // Pushing again finds every layer in place.
    const again: ProgressEvent[] = [];
    await push(source, ref, { client, onProgress: (e) => again.push(e) });
    expect(again.filter((e) => e.status === 'Layer already exists')).toHaveLength(3);

    // By digest: the same image, untagged.
    const byDigest = await pull(await nodeStore('rt-digest'), `${plain.host}/rt/multi@${image.manifestDigest}`, { client });
    expect(byDigest.image.manifestDigest).toBe(image.manifestDigest);
    expect(await client.listTags({ domain: plain.host, path: 'rt/multi' })).toEqual(['1']);
  });

  it('mounts blobs from another repository of the same registry', async () => {
    const store = memoryImageStore();
    const first = `${plain.host}/mount/base:1`;
    await putTestImage(store, { tags: [first], layers: [{ 'base.txt': 'base' }] });
    await push(store, first, { client });
    await store.tag(first, `${plain.host}/mount/app:1`);
    const events: ProgressEvent[] = [];
    await push(store, `${plain.host}/mount/app:1`, { client, onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.status)).toContain('Mounted from mount/base');
  });

  it('skopeo inspects what we pushed, and we pull what skopeo pushed', async () => {
    const store = memoryImageStore();
    const ref = `${plain.host}/interop/ours:1`;
    const image = await putTestImage(store, { tags: [ref], gzip: true, layers: [{ 'x.txt': 'x' }, { 'y.txt': 'y' }] });
    await push(store, ref, { client });
    const info = JSON.parse(await skopeoRun('inspect', '--tls-verify=false', `docker://${ref}`)) as { Digest: string; Os: string; Architecture: string; Layers: string[] };
    expect(info.Digest).toBe(image.manifestDigest);
    expect(info.Os).toBe('wasi');
    expect(info.Architecture).toBe('wasm');
    expect(info.Layers).toEqual(image.manifest.layers.map((l) => l.digest));

    // An OCI layout written by wasmbox, pushed by skopeo, pulled back by wasmbox.
    const layoutStore = await nodeStore('skopeo-src');
    const mine = await putTestImage(layoutStore, { tags: ['docker.io/library/fromskopeo:1'], layers: [{ 'z.txt': 'z' }] });
    const digestFile = join(work, 'skopeo-digest');
    await skopeoRun('copy', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${imageLayoutDir(join(work, 'skopeo-src'))}:docker.io/library/fromskopeo:1`, `docker://${plain.host}/interop/theirs:2`);
    const skopeoDigest = (await readFile(digestFile, 'utf8')).trim();
    const pulled = await pull(await nodeStore('skopeo-dst'), `${plain.host}/interop/theirs:2`, { client });
    expect(pulled.digest).toBe(skopeoDigest);
    expect(pulled.image.id).toBe(mine.id);
  });

  it('pulls a CNCF wasm artifact pushed to the registry and converts it', async () => {
    const module = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const repo = { domain: plain.host, path: 'artifacts/hello' };
    const layer = { mediaType: MediaType.WasmLayer, digest: digestOf(module), size: module.length, annotations: { 'org.opencontainers.image.title': 'hello.wasm' } };
    const configBytes = new TextEncoder().encode(JSON.stringify({ architecture: 'wasm', os: 'wasip1', layerDigests: [layer.digest] }));
    const config = { mediaType: MediaType.WasmConfig, digest: digestOf(configBytes), size: configBytes.length };
    for (const [d, bytes] of [[layer, module], [config, configBytes]] as const) {
      await client.pushBlob(repo, d, async function* () {
        yield bytes;
      });
    }
    const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: MediaType.WasmConfig, config, layers: [layer] }));
    await client.putManifest(repo, 'v1', manifest, MediaType.OciManifest);
    const r = await pull(memoryImageStore(), `${plain.host}/artifacts/hello:v1`, { client });
    expect(r.converted).toBe(true);
    expect(r.image.config.config?.Entrypoint).toEqual(['/hello.wasm']);
  });
});

describe('authentication', () => {
  it('htpasswd: pushes with credentials, refuses without', async () => {
    const store = memoryImageStore();
    const ref = `${basic.host}/secure/app:1`;
    await putTestImage(store, { tags: [ref] });
    const anonymous = await push(store, ref, { client }).catch((e: unknown) => e);
    expect(isWasmboxError(anonymous, 'UNAUTHORIZED')).toBe(true);
    const wrong = new RegistryClient({ credentials: new MemoryCredentialStore({ [basic.host]: { username: 'bob', password: 'nope' } }) });
    expect(isWasmboxError(await push(store, ref, { client: wrong }).catch((e: unknown) => e), 'UNAUTHORIZED')).toBe(true);
    const bob = new RegistryClient({ credentials: new MemoryCredentialStore({ [basic.host]: { username: 'bob', password: 'builder' } }) });
    const pushed = await push(store, ref, { client: bob });
    expect((await pull(memoryImageStore(), ref, { client: bob })).digest).toBe(pushed.digest);
  });

  it('token auth: credentialed push, anonymous pull, cached tokens, anonymous push refused', async () => {
    const store = memoryImageStore();
    const ref = `${tokenRegistry.host}/tok/app:1`;
    await putTestImage(store, { tags: [ref], layers: [{ a: '1' }, { b: '2' }, { c: '3' }] });
    const alice = new RegistryClient({ credentials: new MemoryCredentialStore({ [tokenRegistry.host]: { username: 'alice', password: 'wonderland' } }) });
    const pushed = await push(store, ref, { client: alice });
    // One token for the push scope serves every blob and the manifest.
    expect(alice.tokenRequests).toBe(1);
    expect(tokens.requests.some((r) => r.user === 'alice' && r.scopes.includes('repository:tok/app:pull,push'))).toBe(true);
    const anon = new RegistryClient();
    const pulled = await pull(memoryImageStore(), ref, { client: anon });
    expect(pulled.digest).toBe(pushed.digest);
    expect(anon.tokenRequests).toBe(1);
    const refused = await push(store, `${tokenRegistry.host}/tok/app:1`, { client: anon }).catch((e: unknown) => e);
    expect(isWasmboxError(refused, 'UNAUTHORIZED')).toBe(true);
    const badLogin = await new RegistryClient().login(tokenRegistry.host, { username: 'alice', password: 'x' }).catch((e: unknown) => e);
    expect(isWasmboxError(badLogin, 'UNAUTHORIZED')).toBe(true);
    await new RegistryClient().login(tokenRegistry.host, { username: 'alice', password: 'wonderland' });
  });
});

describe('the CLI', () => {
  async function wasmbox(env: Record<string, string>, argv: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (c) => void (stdout += String(c)), isTTY: false },
      stderr: { write: (c) => void (stderr += String(c)) },
      stdin: Object.assign(
        (async function* () {
          if (stdin) yield new TextEncoder().encode(stdin);
        })(),
        { isTTY: false },
      ),
      env,
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  }

  it('login, push, pull, search and logout like docker', async () => {
    const home = await mkdtemp(join(work, 'cli-'));
    const env = { HOME: home, WASMBOX_ROOT: join(home, 'root'), WASMBOX_CONFIG: join(home, 'config') };
    const ref = `${basic.host}/cli/hello:1`;
    const store = await openNodeImageStore(env.WASMBOX_ROOT);
    const image = await putTestImage(store, { tags: [ref], layers: [{ 'hello.wasm': 'wasm' }, { 'etc/x': 'x' }] });

    const denied = await wasmbox(env, ['push', ref]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/unauthorized/i);

    const bad = await wasmbox(env, ['login', '-u', 'bob', '--password-stdin', basic.host], 'wrong\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`login attempt to http://${basic.host}/v2/ failed with status: 401`);
    const login = await wasmbox(env, ['login', '-u', 'bob', '--password-stdin', basic.host], 'builder\n');
    expect(login).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    const config = JSON.parse(await readFile(join(env.WASMBOX_CONFIG, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(config.auths[basic.host]!.auth).toBe(btoa('bob:builder'));

    const pushed = await wasmbox(env, ['push', ref]);
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const lines = pushed.stdout.trim().split('\n');
    expect(lines[0]).toBe(`The push refers to repository [${basic.host}/cli/hello]`);
    expect(lines).toContain(`${image.manifest.layers[0]!.digest.slice(7, 19)}: Pushed`);
    expect(lines.at(-1)).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/);
    expect(pushed.stdout).not.toContain('Pushing');

    await wasmbox(env, ['rmi', ref]);
    const pulled = await wasmbox(env, ['pull', ref]);
    expect(pulled.code).toBe(0);
    const plines = pulled.stdout.trim().split('\n');
    expect(plines[0]).toBe('1: Pulling from cli/hello');
    expect(plines.at(-3)).toBe(`Digest: ${image.manifestDigest}`);
    expect(plines.at(-2)).toBe(`Status: Downloaded newer image for ${ref}`);
    expect(plines.at(-1)).toBe(ref);
    const quiet = await wasmbox(env, ['pull', '-q', ref]);
    expect(quiet.stdout).toBe(`${ref}\n`);
    const images = await wasmbox(env, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout).toContain(ref);

    const search = await wasmbox(env, ['search', `${basic.host}/cli`]);
    expect(search.code).toBe(0);
    expect(search.stdout.split('\n')[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    expect(search.stdout).toContain(`${basic.host}/cli/hello`);

    const logout = await wasmbox(env, ['logout', basic.host]);
    expect(logout.stdout).toBe(`Removing login credentials for ${basic.host}\n`);
    expect((await wasmbox(env, ['logout', basic.host])).stdout).toBe(`Not logged in to ${basic.host}\n`);
    const after = await wasmbox(env, ['pull', '-a', `${basic.host}/cli/hello`]);
    expect(after.code).toBe(1);
  });

  it('pull -a pulls every tag; --platform names what it wants', async () => {
    const home = await mkdtemp(join(work, 'cli-'));
    const env = { HOME: home, WASMBOX_ROOT: join(home, 'root'), WASMBOX_CONFIG: join(home, 'config') };
    const src = memoryImageStore();
    for (const t of ['a', 'b']) {
      await putTestImage(src, { tags: [`${plain.host}/cli/all:${t}`], layers: [{ f: t }] });
      await push(src, `${plain.host}/cli/all:${t}`, { client });
    }
    const r = await wasmbox(env, ['pull', '-a', `${plain.host}/cli/all`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`${plain.host}/cli/all`);
    const tags = (await (await openNodeImageStore(env.WASMBOX_ROOT)).list()).flatMap((s) => s.repoTags).sort();
    expect(tags).toEqual([`${plain.host}/cli/all:a`, `${plain.host}/cli/all:b`]);
    const wrong = await wasmbox(env, ['pull', '--platform', 'linux/amd64', `${plain.host}/cli/all:a`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not linux/amd64');
  });
});

describe('faults over real sockets', () => {
  async function faultyImage(reg: FakeRegistry) {
    const tars = [await makeTar([{ name: 'big.bin', data: 'x'.repeat(300_000) }]), await makeTar([{ name: 'small', data: 's' }])];
    const layers = tars.map((t) => reg.addBlob(t, MediaType.OciLayer));
    const config = reg.addBlob(new TextEncoder().encode(JSON.stringify(createImageConfig({ rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) } }))), MediaType.OciConfig);
    reg.addManifest('f/app', '1', { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers }, MediaType.OciManifest);
    return layers;
  }

  async function blobFiles(name: string): Promise<string[]> {
    return readdir(join(imageLayoutDir(join(work, name)), 'blobs', 'sha256'));
  }

  for (const fault of ['drop', 'truncate', 500] as const) {
    it(`recovers from ${fault === 500 ? 'a 500' : fault === 'drop' ? 'a dropped connection' : 'a truncated body'} mid-layer`, async () => {
      const reg = new FakeRegistry();
      const layers = await faultyImage(reg);
      reg.fault = (d, n) => (d === layers[0]!.digest && n === 0 ? fault : undefined);
      const server = await reg.listen();
      try {
        const store = await nodeStore(`fault-${fault}`);
        const r = await pull(store, `${server.host}/f/app:1`, { client, retryDelayMs: 10 });
        expect(r.image.repoTags).toEqual([`${server.host}/f/app:1`]);
        expect(digestOf(await store.content.get(layers[0]!.digest))).toBe(layers[0]!.digest);
        if (fault !== 500) expect(reg.requests.some((q) => q.range !== undefined)).toBe(true);
      } finally {
        await server.close();
      }
    });
  }

  it('a wrong blob or a connection that keeps dropping fails cleanly: no blob, no tag, no temp file', async () => {
    for (const fault of ['wrong', 'drop'] as const) {
      const reg = new FakeRegistry();
      const layers = await faultyImage(reg);
      reg.fault = (d) => (d === layers[0]!.digest ? fault : undefined);
      const server = await reg.listen();
      try {
        const name = `fault-fail-${fault}`;
        const store = await nodeStore(name);
        const e = await pull(store, `${server.host}/f/app:1`, { client, retryDelayMs: 5, blobRetries: 2 }).catch((x: unknown) => x);
        expect(isWasmboxError(e, fault === 'wrong' ? 'DIGEST_MISMATCH' : 'REGISTRY_ERROR')).toBe(true);
        expect(await store.content.has(layers[0]!.digest)).toBe(false);
        expect(await blobFiles(name)).not.toContain(layers[0]!.digest.slice(7));
        expect(await store.list()).toEqual([]);
        expect(await readdir(join(work, name, 'tmp'))).toEqual([]);
      } finally {
        await server.close();
      }
    }
  });
});

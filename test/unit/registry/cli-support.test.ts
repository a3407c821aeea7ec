// The CLI side of the registry commands: docker-style progress (bars redrawn in place on a
// terminal, status lines on a pipe) and the config.json credential store.
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressPrinter, eventText, progressBar } from '../../../src/cli/registry-progress.js';
import { splitSearchTerm, searchTable } from '../../../src/cli/commands/search.js';
import { parsePlatform } from '../../../src/cli/commands/pull.js';
import { scopeCovered } from '../../../src/image/registry/client.js';
import { DockerConfigCredentialStore, wasmboxConfigFile } from '../../../src/platform/node/docker-config.js';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, output: { write: (s: string | Uint8Array) => void out.push(String(s)), isTTY } };
}

describe('progress output', () => {
  it('draws docker\'s bar: 50 cells, sizes in decimal units', () => {
    expect(progressBar(1_200_000, 3_400_000)).toBe(`[${'='.repeat(17)}>${' '.repeat(33)}]    1.2MB/3.4MB`);
    expect(progressBar(5, 5)).toBe(`[${'='.repeat(50)}>]       5B/5B`);
    expect(eventText({ id: 'abcdef123456', status: 'Downloading', progressDetail: { current: 0, total: 1000 } })).toBe(
      `abcdef123456: Downloading [>${' '.repeat(50)}]       0B/1kB`,
    );
    expect(eventText({ id: 'abcdef123456', status: 'Pull complete', progressDetail: {} })).toBe('abcdef123456: Pull complete');
  });

  it('on a pipe prints status changes only', () => {
    const s = sink(false);
    const p = new ProgressPrinter(s.output);
    p.event({ id: 'v1', status: 'Pulling from x' });
    p.event({ id: 'aaa', status: 'Pulling fs layer' });
    p.event({ id: 'aaa', status: 'Downloading', progressDetail: { current: 1, total: 2 } });
    p.event({ id: 'aaa', status: 'Pull complete' });
    p.event({ status: 'Digest: sha256:x' });
    expect(s.out.join('')).toBe('v1: Pulling from x\naaa: Pulling fs layer\naaa: Pull complete\nDigest: sha256:x\n');
  });

  it('on a terminal redraws each layer\'s line in place', () => {
    const s = sink(true);
    const p = new ProgressPrinter(s.output);
    p.event({ id: 'aaa', status: 'Pulling fs layer' });
    p.event({ id: 'bbb', status: 'Pulling fs layer' });
    p.event({ id: 'aaa', status: 'Downloading', progressDetail: { current: 1, total: 2 } });
    p.event({ id: 'bbb', status: 'Pull complete' });
    expect(s.out[0]).toBe('\x1b[2Kaaa: Pulling fs layer\n');
    expect(s.out[2]).toBe(`\x1b[2A\r\x1b[2Kaaa: Downloading ${progressBar(1, 2)}\r\x1b[2B`);
    expect(s.out[3]).toBe('\x1b[1A\r\x1b[2Kbbb: Pull complete\r\x1b[1B');
  });
});

describe('CLI argument helpers', () => {
  it('reads --platform and search terms', () => {
    expect(parsePlatform('wasi/wasm')).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(() => parsePlatform('wasm')).toThrow(/os\/arch/);
    expect(splitSearchTerm('localhost:5000/app')).toEqual({ domain: 'localhost:5000', term: 'app' });
    expect(splitSearchTerm('user/app')).toEqual({ domain: 'docker.io', term: 'user/app' });
    const table = searchTable([{ name: 'a/b', description: 'x'.repeat(60), stars: 3, official: true }], { trunc: true });
    expect(table.split('\n')[1]).toMatch(/^a\/b\s+x{44}…\s+3\s+\[OK\]$/);
  });

  it('knows when a scope already covers another', () => {
    expect(scopeCovered('repository:a:pull', ['repository:a:pull,push'])).toBe(true);
    expect(scopeCovered('repository:a:push', ['repository:a:pull'])).toBe(false);
    expect(scopeCovered('repository:a:pull', ['repository:b:pull,push'])).toBe(false);
    expect(scopeCovered('registry:catalog:*', ['registry:catalog:*'])).toBe(true);
  });
});

describe('DockerConfigCredentialStore', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'wasmbox-creds-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('writes docker\'s format under $WASMBOX_CONFIG, owner-only, and erases', async () => {
    const env = { HOME: home, WASMBOX_CONFIG: join(home, 'cfg') };
    const store = new DockerConfigCredentialStore({ env });
    expect(await store.get('docker.io')).toBeUndefined();
    await store.store('docker.io', { username: 'u', password: 'p' });
    await store.store('localhost:5000', { username: 'l', password: 'q' });
    const path = wasmboxConfigFile(env);
    expect(path).toBe(join(home, 'cfg', 'config.json'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(path, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(doc.auths['https://index.docker.io/v1/']!.auth).toBe(btoa('u:p'));
    expect(await store.get('docker.io')).toEqual({ username: 'u', password: 'p' });
    expect(await store.get('localhost:5000')).toEqual({ username: 'l', password: 'q' });
    expect(await store.erase('docker.io')).toBe(true);
    expect(await store.erase('docker.io')).toBe(false);
    expect(await store.get('docker.io')).toBeUndefined();
  });

  it('defaults to ~/.wasmbox and falls back to reading ~/.docker/config.json', async () => {
    await mkdir(join(home, '.docker'));
    await writeFile(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'https://ghcr.io': { auth: btoa('gh:tok') }, 'reg.io': { identitytoken: 'refresh' } }, credsStore: 'desktop' }),
    );
    const store = new DockerConfigCredentialStore({ env: { HOME: home } });
    expect(store.path).toBe(join(home, '.wasmbox', 'config.json'));
    expect(await store.get('ghcr.io')).toEqual({ username: 'gh', password: 'tok' });
    expect(await store.get('reg.io')).toEqual({ identityToken: 'refresh' });
    await store.store('ghcr.io', { username: 'mine', password: 'x' });
    expect(await store.get('ghcr.io')).toEqual({ username: 'mine', password: 'x' });
  });

  it('names the file when it is not JSON', async () => {
    const env = { HOME: home, WASMBOX_CONFIG: home };
    await writeFile(join(home, 'config.json'), '{nope');
    await expect(new DockerConfigCredentialStore({ env }).get('x.io')).rejects.toThrow(join(home, 'config.json'));
  });
});

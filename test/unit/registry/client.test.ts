// The registry client against a mocked fetch: endpoints and schemes, the auth challenge flow
// (anonymous and credentialed tokens, caching per scope, Basic), bounded retries with backoff,
// cancellation, Link pagination, digest checks and the upload protocol.
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/content/digest.js';
import { isWasmboxError } from '../../../src/errors.js';
import { MemoryCredentialStore } from '../../../src/image/registry/auth.js';
import { RegistryClient, isInsecureRegistry, nextLink, registryBaseUrl } from '../../../src/image/registry/client.js';
import type { FetchLike } from '../../../src/image/registry/client.js';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

type Handler = (call: Call, n: number) => Response | Promise<Response>;

function mock(handler: Handler): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const call: Call = { method: init.method ?? 'GET', url, headers, body: init.body as Uint8Array | undefined };
    calls.push(call);
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    return handler(call, calls.length - 1);
  };
  return { fetch, calls };
}

const repo = { domain: 'reg.example', path: 'team/app' };
const noSleep = { sleep: async () => undefined };
const json = (v: unknown, init: ResponseInit = {}) => new Response(JSON.stringify(v), { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
const manifest = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:' + 'a'.repeat(64) + '","size":2},"layers":[]}');
const manifestResponse = () =>
  new Response(manifest, { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Docker-Content-Digest': digestOf(manifest) } });

describe('endpoints', () => {
  it('maps docker.io to registry-1.docker.io over https, loopback and listed registries to http', () => {
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('127.0.0.1:40000')).toBe('http://127.0.0.1:40000');
    expect(registryBaseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(registryBaseUrl('myreg:5000', ['myreg:5000'])).toBe('http://myreg:5000');
    expect(isInsecureRegistry('myreg:5000', ['myreg'])).toBe(true);
    expect(isInsecureRegistry('myreg:5000', ['other:5000'])).toBe(false);
  });

  it('requests manifests with the OCI and Docker Accept types', async () => {
    const m = mock(() => manifestResponse());
    const client = new RegistryClient({ fetch: m.fetch, ...noSleep });
    const got = await client.getManifest({ domain: 'docker.io', path: 'library/ruby' }, 'latest');
    expect(got.digest).toBe(digestOf(manifest));
    expect(got.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(m.calls[0]!.url).toBe('https://registry-1.docker.io/v2/library/ruby/manifests/latest');
    for (const t of ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json']) {
      expect(m.calls[0]!.headers.accept).toContain(t);
    }
  });
});

describe('auth', () => {
  it('answers a Bearer challenge with an anonymous token and caches it per scope', async () => {
    const m = mock((c) => {
      if (c.url.startsWith('https://auth.example/token')) return json({ token: 'T1', expires_in: 300 });
      if (c.headers.authorization !== 'Bearer T1') {
        return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"' } });
      }
      return manifestResponse();
    });
    const client = new RegistryClient({ fetch: m.fetch, ...noSleep });
    await client.getManifest(repo, 'v1');
    await client.getManifest(repo, 'v2');
    const tokenCalls = m.calls.filter((c) => c.url.startsWith('https://auth.example'));
    expect(tokenCalls).toHaveLength(1);
    const u = new URL(tokenCalls[0]!.url);
    expect(u.searchParams.get('service')).toBe('reg.example');
    expect(u.searchParams.getAll('scope')).toEqual(['repository:team/app:pull']);
    expect(tokenCalls[0]!.headers.authorization).toBeUndefined();
    // A push scope is a different token.
    await client.headManifest({ domain: 'reg.example', path: 'other/app' }, 'x');
    expect(m.calls.filter((c) => c.url.startsWith('https://auth.example'))).toHaveLength(2);
  });

  it('sends stored credentials to the token server as Basic, and renews an expired token', async () => {
    let now = 0;
    let issued = 0;
    const m = mock((c) => {
      if (c.url.startsWith('https://auth.example/token')) return json({ access_token: `T${++issued}`, expires_in: 60 });
      if (!c.headers.authorization?.startsWith('Bearer T')) {
        return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="reg.example"' } });
      }
      return manifestResponse();
    });
    const credentials = new MemoryCredentialStore({ 'reg.example': { username: 'alice', password: 'pw' } });
    const client = new RegistryClient({ fetch: m.fetch, credentials, now: () => now, ...noSleep });
    await client.getManifest(repo, 'a');
    const tokenCall = m.calls.find((c) => c.url.startsWith('https://auth.example'))!;
    expect(tokenCall.headers.authorization).toBe(`Basic ${btoa('alice:pw')}`);
    now = 30_000;
    await client.getManifest(repo, 'b');
    expect(issued).toBe(1);
    now = 120_000;
    await client.getManifest(repo, 'c');
    expect(issued).toBe(2);
    expect(m.calls.at(-1)!.headers.authorization).toBe('Bearer T2');
  });

  it('answers a Basic challenge with stored credentials', async () => {
    const m = mock((c) =>
      c.headers.authorization === `Basic ${btoa('bob:x')}` ? manifestResponse() : new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } }),
    );
    const client = new RegistryClient({ fetch: m.fetch, credentials: new MemoryCredentialStore({ 'reg.example': { username: 'bob', password: 'x' } }), ...noSleep });
    await client.getManifest(repo, 'a');
    await client.getManifest(repo, 'b');
    // The second request sends the header up front.
    expect(m.calls.map((c) => c.headers.authorization ?? '-')).toEqual(['-', `Basic ${btoa('bob:x')}`, `Basic ${btoa('bob:x')}`]);
  });

  it('fails with UNAUTHORIZED when the registry refuses, naming the registry', async () => {
    const m = mock(() => new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } }));
    const client = new RegistryClient({ fetch: m.fetch, ...noSleep });
    const e = await client.getManifest(repo, 'a').catch((x: unknown) => x);
    expect(isWasmboxError(e, 'UNAUTHORIZED')).toBe(true);
    expect((e as Error).message).toMatch(/reg\.example\/team\/app:a.*unauthorized: authentication required/);
    expect(m.calls).toHaveLength(2);
  });

  it('login checks credentials against /v2/ through the token server', async () => {
    const m = mock((c) => {
      if (c.url.startsWith('https://auth.example/token')) {
        return c.headers.authorization === `Basic ${btoa('u:good')}` ? json({ token: 'ok' }) : new Response('', { status: 401 });
      }
      return c.headers.authorization === 'Bearer ok'
        ? new Response('{}')
        : new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.example/token",service="s"' } });
    });
    const client = new RegistryClient({ fetch: m.fetch, ...noSleep });
    await client.login('reg.example', { username: 'u', password: 'good' });
    const e = await client.login('reg.example', { username: 'u', password: 'bad' }).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'UNAUTHORIZED')).toBe(true);
  });
});

describe('retries', () => {
  it('retries 500, 429 and network errors with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    const m = mock((_c, n) => {
      if (n === 0) return new Response('boom', { status: 500 });
      if (n === 1) return new Response('slow down', { status: 429, headers: { 'Retry-After': '2' } });
      if (n === 2) throw new TypeError('fetch failed');
      return manifestResponse();
    });
    const client = new RegistryClient({ fetch: m.fetch, retry: { baseDelayMs: 100, maxDelayMs: 5000 }, sleep: async (ms) => void delays.push(ms) });
    await client.getManifest(repo, 'a');
    expect(m.calls).toHaveLength(4);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBe(2000);
    expect(delays[2]).toBeGreaterThanOrEqual(200);
    expect(delays[2]).toBeLessThanOrEqual(400);
  });

  it('gives up after the retry budget with REGISTRY_ERROR', async () => {
    const m = mock(() => new Response('{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}', { status: 503 }));
    const client = new RegistryClient({ fetch: m.fetch, retry: { retries: 2 }, ...noSleep });
    const e = await client.getManifest(repo, 'a').catch((x: unknown) => x);
    expect(isWasmboxError(e, 'REGISTRY_ERROR')).toBe(true);
    expect((e as Error).message).toContain('disk on fire');
    expect(m.calls).toHaveLength(3);
    const n = mock(() => {
      throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
    });
    const e2 = await new RegistryClient({ fetch: n.fetch, retry: { retries: 1 }, ...noSleep }).getManifest(repo, 'a').catch((x: unknown) => x);
    expect(isWasmboxError(e2, 'REGISTRY_ERROR')).toBe(true);
    expect((e2 as Error).message).toMatch(/failed after 2 attempts: fetch failed: ECONNREFUSED/);
  });

  it('does not retry a 404, and maps it to IMAGE_NOT_FOUND for manifests', async () => {
    const m = mock(() => json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, { status: 404 }));
    const e = await new RegistryClient({ fetch: m.fetch, ...noSleep }).getManifest(repo, 'nope').catch((x: unknown) => x);
    expect(isWasmboxError(e, 'IMAGE_NOT_FOUND')).toBe(true);
    expect((e as Error).message).toBe('manifest for reg.example/team/app:nope not found: manifest unknown: manifest unknown');
    expect(m.calls).toHaveLength(1);
  });

  it('stops at once when cancelled, also while waiting to retry', async () => {
    const ac = new AbortController();
    const m = mock(() => {
      ac.abort(new Error('user hit ^C'));
      return new Response('', { status: 500 });
    });
    const client = new RegistryClient({ fetch: m.fetch, retry: { baseDelayMs: 60_000 } });
    const t0 = Date.now();
    const e = await client.getManifest(repo, 'a', { signal: ac.signal }).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'CANCELLED')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('digests', () => {
  it('refuses a manifest whose bytes do not match the digest asked for or announced', async () => {
    const other = `sha256:${'b'.repeat(64)}`;
    const m = mock(() => manifestResponse());
    const e = await new RegistryClient({ fetch: m.fetch, ...noSleep }).getManifest(repo, other).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'DIGEST_MISMATCH')).toBe(true);
    const lying = mock(() => new Response(manifest, { headers: { 'Docker-Content-Digest': other } }));
    const e2 = await new RegistryClient({ fetch: lying.fetch, ...noSleep }).getManifest(repo, 'latest').catch((x: unknown) => x);
    expect(isWasmboxError(e2, 'DIGEST_MISMATCH')).toBe(true);
  });
});

describe('pagination', () => {
  it('follows Link rel="next" for tags and the catalog', async () => {
    const m = mock((c) => {
      const u = new URL(c.url);
      if (u.pathname.endsWith('/tags/list')) {
        if (!u.searchParams.get('last')) return json({ name: 'team/app', tags: ['a', 'b'] }, { headers: { Link: '</v2/team/app/tags/list?n=2&last=b>; rel="next"' } });
        return json({ name: 'team/app', tags: ['c'] });
      }
      if (!u.searchParams.get('last')) return json({ repositories: ['x'] }, { headers: { Link: '<https://reg.example/v2/_catalog?last=x&n=1>; rel=next' } });
      return json({ repositories: ['y'] });
    });
    const client = new RegistryClient({ fetch: m.fetch, ...noSleep });
    expect(await client.listTags(repo, { pageSize: 2 })).toEqual(['a', 'b', 'c']);
    expect(m.calls[0]!.url).toBe('https://reg.example/v2/team/app/tags/list?n=2');
    expect(await client.catalog('reg.example', { pageSize: 1 })).toEqual(['x', 'y']);
  });

  it('parses Link headers', () => {
    expect(nextLink('</v2/x/tags/list?last=a>; rel="next"', 'https://r.io/v2/x/tags/list')).toBe('https://r.io/v2/x/tags/list?last=a');
    expect(nextLink('<https://a/p>; rel="prev", <https://a/n>; rel="next"', 'https://a/')).toBe('https://a/n');
    expect(nextLink('<https://a/p>; rel="prev"', 'https://a/')).toBeUndefined();
    expect(nextLink(null, 'https://a/')).toBeUndefined();
  });
});

describe('uploads', () => {
  const blob = new Uint8Array(25).map((_, i) => i);
  const desc = { digest: digestOf(blob), size: blob.length };
  async function* source(): AsyncIterable<Uint8Array> {
    yield blob.subarray(0, 7);
    yield blob.subarray(7);
  }

  function uploadServer(options: { mount?: 201 | 202; exists?: boolean } = {}) {
    return mock((c) => {
      const u = new URL(c.url);
      if (c.method === 'HEAD') return new Response(null, { status: options.exists ? 200 : 404, headers: options.exists ? { 'Content-Length': '25' } : {} });
      if (c.method === 'POST' && u.searchParams.get('mount')) {
        return options.mount === 201 ? new Response(null, { status: 201 }) : new Response(null, { status: 202, headers: { Location: '/v2/team/app/blobs/uploads/m1?_state=s' } });
      }
      if (c.method === 'POST') return new Response(null, { status: 202, headers: { Location: '/v2/team/app/blobs/uploads/u1?_state=s' } });
      if (c.method === 'PATCH') return new Response(null, { status: 202, headers: { Location: `${u.pathname}?_state=p${c.headers['content-range']}` } });
      if (c.method === 'PUT') return new Response(null, { status: 201 });
      return new Response('', { status: 400 });
    });
  }

  it('uploads in PATCH chunks with Content-Range, the last chunk on the PUT with ?digest', async () => {
    const m = uploadServer();
    const progress: number[] = [];
    const r = await new RegistryClient({ fetch: m.fetch, ...noSleep }).pushBlob(repo, desc, source, { chunkSize: 10, onProgress: (n) => progress.push(n) });
    expect(r).toEqual({ status: 'uploaded' });
    const patches = m.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => c.headers['content-range'])).toEqual(['0-9', '10-19']);
    expect(patches[1]!.url).toContain('_state=p0-9');
    const put = m.calls.find((c) => c.method === 'PUT')!;
    expect(new URL(put.url).searchParams.get('digest')).toBe(desc.digest);
    expect(new URL(put.url).searchParams.get('_state')).toBe('p10-19');
    expect([...put.body!]).toEqual([...blob.subarray(20)]);
    expect(progress).toEqual([10, 20, 25]);
  });

  it('sends a small blob in one PUT after the POST', async () => {
    const m = uploadServer();
    await new RegistryClient({ fetch: m.fetch, ...noSleep }).pushBlob(repo, desc, source, { chunkSize: 100 });
    expect(m.calls.map((c) => c.method)).toEqual(['HEAD', 'POST', 'PUT']);
    expect(m.calls[2]!.body!.length).toBe(25);
  });

  it('skips a blob the repository has, mounts when it can, uploads into the session a refused mount opens', async () => {
    expect(await new RegistryClient({ fetch: uploadServer({ exists: true }).fetch, ...noSleep }).pushBlob(repo, desc, source)).toEqual({ status: 'exists' });
    const mounted = uploadServer({ mount: 201 });
    expect(await new RegistryClient({ fetch: mounted.fetch, ...noSleep }).pushBlob(repo, desc, source, { mountFrom: ['team/base'] })).toEqual({
      status: 'mounted',
      from: 'team/base',
    });
    expect(new URL(mounted.calls[1]!.url).searchParams.get('from')).toBe('team/base');
    const refused = uploadServer({ mount: 202 });
    expect(await new RegistryClient({ fetch: refused.fetch, ...noSleep }).pushBlob(repo, desc, source, { mountFrom: ['team/base'] })).toEqual({ status: 'uploaded' });
    expect(refused.calls.map((c) => c.method)).toEqual(['HEAD', 'POST', 'PUT']);
    expect(refused.calls[2]!.url).toContain('/uploads/m1');
  });
});

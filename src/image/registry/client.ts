// An OCI distribution (Docker registry v2) client over an injected `fetch`, so it runs in Node and
// in a browser: the auth challenge flow (anonymous or credentialed Bearer tokens cached per scope,
// Basic), bounded retries with backoff, manifests, streamed blobs with Range, uploads, tag lists.

import { WasmboxError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { digestOf, isDigest } from '../../content/digest.js';
import type { Digest } from '../../content/digest.js';
import { MediaType } from '../media-types.js';
import { basicAuthorization, parseWwwAuthenticate } from './auth.js';
import type { CredentialStore, RegistryCredentials } from './auth.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A repository on a registry: `ImageRef` fits (`domain` `localhost:5000`, `path` `library/x`). */
export interface RepositoryName {
  domain: string;
  path: string;
}

export interface RetryOptions {
  /** Retries after the first attempt for 429, 5xx and network errors (default 4). */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Largest delay, also the cap on a server's Retry-After (default 8 s). */
  maxDelayMs?: number;
}

export interface RegistryClientOptions {
  /** Default: the global fetch. */
  fetch?: FetchLike;
  credentials?: CredentialStore;
  /** Registries (`host` or `host:port`) spoken to over plain http; localhost and 127.0.0.1 always are. */
  insecureRegistries?: readonly string[];
  retry?: RetryOptions;
  /** Waits between retries (tests replace it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  userAgent?: string;
  /** Clock for token expiry (tests replace it). */
  now?: () => number;
}

export interface SignalOptions {
  signal?: AbortSignal;
}

export interface ManifestResponse {
  /** The exact bytes, whose sha256 is `digest`. */
  bytes: Uint8Array;
  mediaType: string;
  digest: Digest;
}

export interface ManifestHead {
  digest: Digest | undefined;
  mediaType: string;
  size: number | undefined;
}

export interface BlobResponse {
  body: AsyncIterable<Uint8Array>;
  /** Bytes this response will deliver, when the registry said. */
  length: number | undefined;
  /** Where the body starts in the blob: the requested offset on 206, else 0. */
  offset: number;
}

export interface BlobGetOptions extends SignalOptions {
  /** Ask for the blob from this byte on (`Range: bytes=N-`); the registry may ignore it. */
  offset?: number;
}

export interface BlobPushOptions extends SignalOptions {
  /** Blobs up to this size go up in one PUT; larger ones in PATCH chunks of this size (default 8 MiB). */
  chunkSize?: number;
  /** Repositories of the same registry that may hold the blob: tried for a cross-repository mount first. */
  mountFrom?: readonly string[];
  /** Bytes sent so far. */
  onProgress?: (sent: number) => void;
}

export type BlobPushResult = { status: 'exists' } | { status: 'mounted'; from: string } | { status: 'uploaded' };

export interface ListOptions extends SignalOptions {
  /** Page size asked of the registry (`?n=`); pages are followed through `Link` headers. */
  pageSize?: number;
}

/** What the docker CLI sends as Accept for manifests: every manifest and index type it can read. */
export const MANIFEST_ACCEPT = [
  MediaType.OciManifest,
  MediaType.OciIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
].join(', ');

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const DEFAULT_CHUNK = 8 * 1024 * 1024;

interface Challenge {
  scheme: 'basic' | 'bearer';
  realm: string;
  service: string | undefined;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface RequestSpec extends SignalOptions {
  method: string;
  url: string;
  domain: string;
  scopes: string[];
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** What a failure is about, for messages: `manifest x:1`, `blob sha256:…`. */
  what: string;
  /** Code for a 404. */
  notFound?: ErrorCode;
  /** Statuses the caller handles itself (not errors). */
  accept?: number[];
  /** Credentials to use instead of the store's (login). */
  credentials?: RegistryCredentials | undefined;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(signal: AbortSignal): WasmboxError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : '';
  return new WasmboxError('CANCELLED', `registry request was cancelled${why}`, { cause: reason });
}

/** Host without the port: `localhost:5000` → `localhost`, `[::1]:5000` → `::1`. */
function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}

/** True for registries spoken to over http: loopback always, others only when listed. */
export function isInsecureRegistry(domain: string, insecure: readonly string[] = []): boolean {
  const host = hostOf(domain);
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return insecure.some((i) => {
    const entry = i.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    return entry === domain || entry === host;
  });
}

/** Base URL of a registry's API: `https://registry-1.docker.io`, `http://127.0.0.1:5000`. */
export function registryBaseUrl(domain: string, insecure: readonly string[] = []): string {
  const host = domain === DOCKER_HUB || domain === 'index.docker.io' ? DOCKER_HUB_API : domain;
  return `${isInsecureRegistry(domain, insecure) ? 'http' : 'https'}://${host}`;
}

/** The `rel="next"` target of a Link header (RFC 8288), resolved against `base`. */
export function nextLink(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!m) continue;
    if (/(?:^|;)\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(?:;|$)/i.test(m[2]!)) return new URL(m[1]!, base).toString();
  }
  return undefined;
}

/** True if `scope` (`repository:x:pull`) asks for nothing that one of `scopes` does not already ask for. */
export function scopeCovered(scope: string, scopes: readonly string[]): boolean {
  const split = (s: string): [string, string[]] => {
    const i = s.lastIndexOf(':');
    return i === -1 ? [s, []] : [s.slice(0, i), s.slice(i + 1).split(',')];
  };
  const [resource, actions] = split(scope);
  return scopes.some((other) => {
    const [r, a] = split(other);
    return r === resource && actions.every((x) => a.includes(x) || a.includes('*'));
  });
}

function pullScope(path: string): string {
  return `repository:${path}:pull`;
}

function pushScope(path: string): string {
  return `repository:${path}:pull,push`;
}

/** The body of a registry error response: `{"errors":[{"code","message","detail"}]}`, as text. */
async function errorText(res: Response): Promise<string> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    return res.statusText;
  }
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      return doc.errors.map((e) => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ');
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200) || `${res.status} ${res.statusText}`;
}

async function drain(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // nothing to release
  }
}

function intHeader(res: Response, name: string): number | undefined {
  const v = res.headers.get(name);
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

/** Reads a fetch body as an async iterable; stopping early cancels the download. */
async function* bodyChunks(res: Response): AsyncIterable<Uint8Array> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

export class RegistryClient {
  readonly #fetch: FetchLike;
  readonly #credentials: CredentialStore | undefined;
  readonly #insecure: readonly string[];
  readonly #retries: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #userAgent: string;
  readonly #now: () => number;
  readonly #challenges = new Map<string, Challenge | null>();
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pendingTokens = new Map<string, Promise<string>>();
  /** Token requests made (for tests and debugging). */
  tokenRequests = 0;

  constructor(options: RegistryClientOptions = {}) {
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#credentials = options.credentials;
    this.#insecure = options.insecureRegistries ?? [];
    this.#retries = options.retry?.retries ?? 4;
    this.#baseDelay = options.retry?.baseDelayMs ?? 250;
    this.#maxDelay = options.retry?.maxDelayMs ?? 8000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#userAgent = options.userAgent ?? 'wasmbox';
    this.#now = options.now ?? (() => Date.now());
  }

  baseUrl(domain: string): string {
    return registryBaseUrl(domain, this.#insecure);
  }

  #url(repo: RepositoryName, rest: string): string {
    return `${this.baseUrl(repo.domain)}/v2/${repo.path}/${rest}`;
  }

  // --- auth ---------------------------------------------------------------------------------

  async #credentialsFor(domain: string, override: RegistryCredentials | undefined): Promise<RegistryCredentials | undefined> {
    if (override) return override;
    return this.#credentials?.get(domain);
  }

  /** The Authorization header for a request, once the registry has told us how it authenticates. */
  async #authorization(domain: string, scopes: string[], spec: RequestSpec): Promise<string | undefined> {
    const challenge = this.#challenges.get(domain);
    if (!challenge) return undefined;
    const creds = await this.#credentialsFor(domain, spec.credentials);
    if (challenge.scheme === 'basic') {
      return creds?.username !== undefined ? basicAuthorization(creds.username, creds.password ?? '') : undefined;
    }
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const token = await this.#token(domain, challenge, scopes, creds, spec);
    return `Bearer ${token}`;
  }

  /** A bearer token for the scopes: from the cache, else from the token server (with Basic credentials if any). */
  async #token(domain: string, challenge: Challenge, scopes: string[], creds: RegistryCredentials | undefined, spec: RequestSpec): Promise<string> {
    const who = creds?.username ?? '';
    const key = `${domain}\n${who}\n${[...new Set(scopes)].sort().join(' ')}`;
    if (!spec.credentials) {
      const cached = this.#tokens.get(key);
      if (cached && cached.expiresAt > this.#now()) return cached.token;
      // Concurrent requests (3 layers at once) share one token request.
      const pending = this.#pendingTokens.get(key);
      if (pending) return pending;
      const p = this.#fetchToken(domain, challenge, scopes, creds, spec, key);
      this.#pendingTokens.set(key, p);
      try {
        return await p;
      } finally {
        this.#pendingTokens.delete(key);
      }
    }
    return this.#fetchToken(domain, challenge, scopes, creds, spec, key);
  }

  async #fetchToken(domain: string, challenge: Challenge, scopes: string[], creds: RegistryCredentials | undefined, spec: RequestSpec, key: string): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const s of [...new Set(scopes)]) url.searchParams.append('scope', s);
    if (creds?.identityToken && creds.username === undefined) {
      // An identity token is an OAuth2 refresh token; without a user name Basic cannot carry it.
      url.searchParams.set('refresh_token', creds.identityToken);
    }
    const headers: Record<string, string> = { 'User-Agent': this.#userAgent };
    if (creds?.username !== undefined) headers.Authorization = basicAuthorization(creds.username, creds.password ?? creds.identityToken ?? '');
    this.tokenRequests++;
    const res = await this.#send({ ...spec, method: 'GET', url: url.toString(), headers, body: undefined }, headers);
    if (!res.ok) {
      const text = await errorText(res);
      const code: ErrorCode = res.status === 401 || res.status === 403 ? 'UNAUTHORIZED' : 'REGISTRY_ERROR';
      throw new WasmboxError(code, `${domain}: getting a token from ${challenge.realm} failed with ${res.status}: ${text}${code === 'UNAUTHORIZED' ? ` (check the credentials: wasmbox login ${domain})` : ''}`, {
        details: { registry: domain, realm: challenge.realm, status: res.status },
      });
    }
    let doc: { token?: string; access_token?: string; expires_in?: number };
    try {
      doc = (await res.json()) as typeof doc;
    } catch (e) {
      throw new WasmboxError('REGISTRY_ERROR', `${domain}: the token server ${challenge.realm} answered with invalid JSON`, { cause: e });
    }
    const token = doc.token ?? doc.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new WasmboxError('REGISTRY_ERROR', `${domain}: the token server ${challenge.realm} returned no token`);
    }
    // The spec's default lifetime is 60 s; renew a little early so a token does not expire in flight.
    const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    if (!spec.credentials) this.#tokens.set(key, { token, expiresAt: this.#now() + Math.max(1, lifetime - 10) * 1000 });
    return token;
  }

  /** Records how a registry wants to be authenticated; false if a retry cannot help. */
  #learn(domain: string, header: string | null, scopes: string[]): boolean {
    if (!header) return false;
    const challenges = parseWwwAuthenticate(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      this.#challenges.set(domain, { scheme: 'bearer', realm: bearer.params.realm!, service: bearer.params.service });
      const scope = bearer.params.scope;
      if (scope) for (const s of scope.split(' ')) if (s && !scopeCovered(s, scopes)) scopes.push(s);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.#challenges.set(domain, { scheme: 'basic', realm: '', service: undefined });
      return true;
    }
    return false;
  }

  // --- transport ----------------------------------------------------------------------------

  async #send(spec: RequestSpec, headers: Record<string, string>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if (spec.signal?.aborted) throw cancelled(spec.signal);
      let res: Response;
      try {
        res = await this.#fetch(spec.url, { method: spec.method, headers, body: spec.body as BodyInit | undefined, signal: spec.signal, redirect: 'follow' });
      } catch (e) {
        if (spec.signal?.aborted) throw cancelled(spec.signal);
        if (e instanceof WasmboxError) throw e;
        if (attempt < this.#retries) {
          await this.#backoff(attempt, undefined, spec.signal);
          continue;
        }
        const why = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
        throw new WasmboxError('REGISTRY_ERROR', `${spec.method} ${spec.url} failed after ${attempt + 1} attempts: ${why}`, {
          cause: e,
          details: { url: spec.url },
        });
      }
      if ((res.status === 429 || res.status >= 500) && attempt < this.#retries && !spec.accept?.includes(res.status)) {
        const retryAfter = intHeader(res, 'retry-after');
        await drain(res);
        await this.#backoff(attempt, retryAfter, spec.signal);
        continue;
      }
      return res;
    }
  }

  async #backoff(attempt: number, retryAfterSeconds: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const exp = Math.min(this.#maxDelay, this.#baseDelay * 2 ** attempt);
    const jittered = exp / 2 + (Math.random() * exp) / 2;
    const ms = retryAfterSeconds !== undefined ? Math.min(this.#maxDelay, retryAfterSeconds * 1000) : jittered;
    await this.#sleep(ms, signal);
  }

  /** One API call: auth (learning the challenge on a 401 and retrying once), retries, error mapping. */
  async #request(spec: RequestSpec): Promise<Response> {
    const scopes = [...spec.scopes];
    let authRetried = false;
    for (;;) {
      const headers: Record<string, string> = { 'User-Agent': this.#userAgent, ...spec.headers };
      const auth = await this.#authorization(spec.domain, scopes, spec);
      if (auth) headers.Authorization = auth;
      const res = await this.#send(spec, headers);
      if (res.status === 401 && !authRetried && !spec.accept?.includes(401)) {
        const learned = this.#learn(spec.domain, res.headers.get('www-authenticate'), scopes);
        const canRetry = learned && (auth === undefined || this.#challenges.get(spec.domain)?.scheme === 'bearer');
        if (canRetry) {
          await drain(res);
          authRetried = true;
          continue;
        }
      }
      if (res.ok || spec.accept?.includes(res.status)) return res;
      throw await this.#failure(res, spec);
    }
  }

  async #failure(res: Response, spec: RequestSpec): Promise<WasmboxError> {
    const text = await errorText(res);
    let code: ErrorCode = 'REGISTRY_ERROR';
    if (res.status === 401 || res.status === 403) code = 'UNAUTHORIZED';
    else if (res.status === 404) code = spec.notFound ?? 'NOT_FOUND';
    const hint = code === 'UNAUTHORIZED' ? ` (may require 'wasmbox login ${spec.domain}')` : '';
    return new WasmboxError(code, `${spec.what}: ${text}${hint}`, {
      details: { status: res.status, url: spec.url, registry: spec.domain },
    });
  }

  // --- API ----------------------------------------------------------------------------------

  /** `GET /v2/`: true if the registry answers (learning its auth challenge on a 401). */
  async ping(domain: string, options: SignalOptions = {}): Promise<{ authScheme: 'basic' | 'bearer' | undefined }> {
    const url = `${this.baseUrl(domain)}/v2/`;
    const spec: RequestSpec = { method: 'GET', url, domain, scopes: [], what: `ping ${url}`, accept: [401], signal: options.signal };
    const res = await this.#send(spec, { 'User-Agent': this.#userAgent });
    await drain(res);
    if (res.status === 401) this.#learn(domain, res.headers.get('www-authenticate'), []);
    else if (!res.ok) throw new WasmboxError('REGISTRY_ERROR', `${url} answered ${res.status}: not a registry v2 API`);
    else this.#challenges.set(domain, null);
    const c = this.#challenges.get(domain);
    return { authScheme: c ? c.scheme : undefined };
  }

  /** Checks credentials the way `docker login` does: the registry's `/v2/` must accept them. */
  async login(domain: string, credentials: RegistryCredentials, options: SignalOptions = {}): Promise<void> {
    await this.ping(domain, options);
    const url = `${this.baseUrl(domain)}/v2/`;
    const spec: RequestSpec = {
      method: 'GET',
      url,
      domain,
      scopes: [],
      what: `login attempt to ${url}`,
      accept: [401],
      signal: options.signal,
      credentials,
    };
    const headers: Record<string, string> = { 'User-Agent': this.#userAgent };
    const auth = await this.#authorization(domain, [], spec);
    if (auth) headers.Authorization = auth;
    const res = await this.#send(spec, headers);
    await drain(res);
    if (res.status === 401 || res.status === 403) {
      throw new WasmboxError('UNAUTHORIZED', `login attempt to ${url} failed with status: ${res.status} Unauthorized`, {
        details: { registry: domain },
      });
    }
    if (!res.ok) throw new WasmboxError('REGISTRY_ERROR', `login attempt to ${url} failed with status: ${res.status}`);
  }

  /** GET a manifest or index by tag or digest; the bytes are checked against the digest. */
  async getManifest(repo: RepositoryName, reference: string, options: SignalOptions = {}): Promise<ManifestResponse> {
    const res = await this.#request({
      method: 'GET',
      url: this.#url(repo, `manifests/${reference}`),
      domain: repo.domain,
      scopes: [pullScope(repo.path)],
      headers: { Accept: MANIFEST_ACCEPT },
      what: `manifest for ${repo.domain}/${repo.path}:${reference} not found`,
      notFound: 'IMAGE_NOT_FOUND',
      signal: options.signal,
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const actual = digestOf(bytes);
    const announced = res.headers.get('docker-content-digest');
    const expected = isDigest(reference) ? reference : announced !== null && isDigest(announced) ? announced : undefined;
    if (expected !== undefined && expected !== actual) {
      throw new WasmboxError('DIGEST_MISMATCH', `manifest ${repo.domain}/${repo.path}:${reference} from the registry hashes to ${actual}, expected ${expected}`, {
        details: { expected, actual },
      });
    }
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest: actual };
  }

  /** HEAD a manifest: its digest and media type, or undefined if the registry has no such tag/digest. */
  async headManifest(repo: RepositoryName, reference: string, options: SignalOptions = {}): Promise<ManifestHead | undefined> {
    const res = await this.#request({
      method: 'HEAD',
      url: this.#url(repo, `manifests/${reference}`),
      domain: repo.domain,
      scopes: [pullScope(repo.path)],
      headers: { Accept: MANIFEST_ACCEPT },
      what: `manifest ${repo.domain}/${repo.path}:${reference}`,
      accept: [404],
      signal: options.signal,
    });
    await drain(res);
    if (res.status === 404) return undefined;
    const d = res.headers.get('docker-content-digest');
    return {
      digest: d !== null && isDigest(d) ? d : undefined,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      size: intHeader(res, 'content-length'),
    };
  }

  /** PUT a manifest by tag or digest; returns its digest (checked against the registry's answer). */
  async putManifest(repo: RepositoryName, reference: string, bytes: Uint8Array, mediaType: string, options: SignalOptions = {}): Promise<Digest> {
    const digest = digestOf(bytes);
    const res = await this.#request({
      method: 'PUT',
      url: this.#url(repo, `manifests/${reference}`),
      domain: repo.domain,
      scopes: [pushScope(repo.path)],
      headers: { 'Content-Type': mediaType },
      body: bytes,
      what: `pushing manifest ${repo.domain}/${repo.path}:${reference}`,
      notFound: 'REGISTRY_ERROR',
      signal: options.signal,
    });
    await drain(res);
    const answered = res.headers.get('docker-content-digest');
    if (answered !== null && isDigest(answered) && answered !== digest) {
      throw new WasmboxError('DIGEST_MISMATCH', `the registry stored manifest ${repo.domain}/${repo.path}:${reference} as ${answered}, expected ${digest}`);
    }
    return digest;
  }

  /** HEAD a blob: its size, or undefined when the repository does not have it. */
  async headBlob(repo: RepositoryName, digest: Digest, options: SignalOptions & { forPush?: boolean } = {}): Promise<number | undefined> {
    const res = await this.#request({
      method: 'HEAD',
      url: this.#url(repo, `blobs/${digest}`),
      domain: repo.domain,
      // Before an upload, ask for the push scope at once: one token serves the whole push.
      scopes: [options.forPush ? pushScope(repo.path) : pullScope(repo.path)],
      what: `blob ${digest} in ${repo.domain}/${repo.path}`,
      accept: [404],
      signal: options.signal,
    });
    await drain(res);
    if (res.status === 404) return undefined;
    return intHeader(res, 'content-length') ?? 0;
  }

  /** GET a blob as a stream (redirects followed), from `offset` if the registry honours Range. */
  async getBlob(repo: RepositoryName, digest: Digest, options: BlobGetOptions = {}): Promise<BlobResponse> {
    const offset = options.offset ?? 0;
    const res = await this.#request({
      method: 'GET',
      url: this.#url(repo, `blobs/${digest}`),
      domain: repo.domain,
      scopes: [pullScope(repo.path)],
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      what: `blob ${digest} of ${repo.domain}/${repo.path}`,
      notFound: 'BLOB_NOT_FOUND',
      signal: options.signal,
    });
    let start = 0;
    if (res.status === 206) {
      const m = /^bytes\s+(\d+)-/.exec(res.headers.get('content-range') ?? '');
      start = m ? Number(m[1]) : offset;
      if (start !== offset) {
        await drain(res);
        throw new WasmboxError('REGISTRY_ERROR', `blob ${digest}: asked for bytes from ${offset}, the registry sent from ${start}`);
      }
    }
    return { body: bodyChunks(res), length: intHeader(res, 'content-length'), offset: start };
  }

  /** `POST …/blobs/uploads/`: the upload session's URL. */
  async startUpload(repo: RepositoryName, options: SignalOptions = {}): Promise<string> {
    const url = this.#url(repo, 'blobs/uploads/');
    const res = await this.#request({
      method: 'POST',
      url,
      domain: repo.domain,
      scopes: [pushScope(repo.path)],
      what: `starting an upload to ${repo.domain}/${repo.path}`,
      signal: options.signal,
    });
    await drain(res);
    return this.#location(res, url);
  }

  /**
   * Cross-repository mount (`POST …/uploads/?mount=<digest>&from=<repo>`). A registry that
   * cannot mount answers 202 with a fresh upload session, returned as `location`.
   */
  async mountBlob(repo: RepositoryName, digest: Digest, from: string, options: SignalOptions = {}): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const url = `${this.#url(repo, 'blobs/uploads/')}?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.#request({
      method: 'POST',
      url,
      domain: repo.domain,
      scopes: [pushScope(repo.path), pullScope(from)],
      what: `mounting ${digest} from ${from} into ${repo.domain}/${repo.path}`,
      signal: options.signal,
    });
    await drain(res);
    if (res.status === 201) return { mounted: true };
    return { mounted: false, location: this.#location(res, url) };
  }

  /** `PATCH` one chunk at `start` of an upload; returns the session's next URL. */
  async uploadChunk(repo: RepositoryName, location: string, chunk: Uint8Array, start: number, options: SignalOptions = {}): Promise<string> {
    const res = await this.#request({
      method: 'PATCH',
      url: location,
      domain: repo.domain,
      scopes: [pushScope(repo.path)],
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${start}-${start + chunk.length - 1}`,
      },
      body: chunk,
      what: `uploading bytes ${start}-${start + chunk.length - 1} to ${repo.domain}/${repo.path}`,
      signal: options.signal,
    });
    await drain(res);
    return this.#location(res, location);
  }

  /** `PUT <location>?digest=` closes an upload, with the last (or only) bytes as body. */
  async finishUpload(repo: RepositoryName, location: string, digest: Digest, body: Uint8Array | undefined, options: SignalOptions = {}): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const res = await this.#request({
      method: 'PUT',
      url: url.toString(),
      domain: repo.domain,
      scopes: [pushScope(repo.path)],
      headers: { 'Content-Type': 'application/octet-stream' },
      body: body ?? new Uint8Array(0),
      what: `completing the upload of ${digest} to ${repo.domain}/${repo.path}`,
      signal: options.signal,
    });
    await drain(res);
  }

  #location(res: Response, base: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw new WasmboxError('REGISTRY_ERROR', `${base}: the registry answered ${res.status} without a Location header`);
    return new URL(loc, base).toString();
  }

  /**
   * Puts a blob into a repository unless it is there: HEAD, then a cross-repository mount from
   * `mountFrom`, else an upload (one PUT when it fits in a chunk, else PATCH chunks then PUT).
   * `open` is called for each upload attempt and must stream the blob from its start.
   */
  async pushBlob(
    repo: RepositoryName,
    blob: { digest: Digest; size: number },
    open: () => AsyncIterable<Uint8Array>,
    options: BlobPushOptions = {},
  ): Promise<BlobPushResult> {
    const signal = options.signal;
    if ((await this.headBlob(repo, blob.digest, { signal, forPush: true })) !== undefined) return { status: 'exists' };
    let location: string | undefined;
    for (const from of options.mountFrom ?? []) {
      if (from === repo.path) continue;
      const r = await this.mountBlob(repo, blob.digest, from, { signal }).catch((e: unknown) => {
        // A mount source we may not read is not fatal: upload instead.
        if (e instanceof WasmboxError && (e.code === 'UNAUTHORIZED' || e.code === 'NOT_FOUND')) return undefined;
        throw e;
      });
      if (!r) continue;
      if (r.mounted) return { status: 'mounted', from };
      location = r.location;
      break;
    }
    location ??= await this.startUpload(repo, { signal });
    const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
    let sent = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const take = (): Uint8Array => {
      const out = new Uint8Array(pendingBytes);
      let at = 0;
      for (const c of pending) {
        out.set(c, at);
        at += c.length;
      }
      pending = [];
      pendingBytes = 0;
      return out;
    };
    for await (const chunk of open()) {
      if (signal?.aborted) throw cancelled(signal);
      let c = chunk;
      while (c.length > 0) {
        const room = chunkSize - pendingBytes;
        const part = c.subarray(0, room);
        pending.push(part);
        pendingBytes += part.length;
        c = c.subarray(part.length);
        // A full chunk goes up by PATCH only when more data follows: the last one rides on the PUT.
        if (pendingBytes === chunkSize && (c.length > 0 || sent + pendingBytes < blob.size)) {
          const data = take();
          location = await this.uploadChunk(repo, location, data, sent, { signal });
          sent += data.length;
          options.onProgress?.(sent);
        }
      }
    }
    const last = take();
    if (sent + last.length !== blob.size) {
      throw new WasmboxError('DIGEST_MISMATCH', `blob ${blob.digest} has ${sent + last.length} bytes, its descriptor says ${blob.size}`);
    }
    await this.finishUpload(repo, location, blob.digest, last, { signal });
    options.onProgress?.(blob.size);
    return { status: 'uploaded' };
  }

  /** Every tag of a repository (`/v2/<name>/tags/list`, following `Link` pages). */
  async listTags(repo: RepositoryName, options: ListOptions = {}): Promise<string[]> {
    const first = this.#url(repo, `tags/list${options.pageSize ? `?n=${options.pageSize}` : ''}`);
    return this.#paged(first, repo.domain, [pullScope(repo.path)], 'tags', `tags of ${repo.domain}/${repo.path}`, 'IMAGE_NOT_FOUND', options);
  }

  /** Every repository of a registry (`/v2/_catalog`), for `search`. Docker Hub has no catalog. */
  async catalog(domain: string, options: ListOptions = {}): Promise<string[]> {
    const first = `${this.baseUrl(domain)}/v2/_catalog${options.pageSize ? `?n=${options.pageSize}` : ''}`;
    return this.#paged(first, domain, ['registry:catalog:*'], 'repositories', `catalog of ${domain}`, 'NOT_FOUND', options);
  }

  async #paged(first: string, domain: string, scopes: string[], field: string, what: string, notFound: ErrorCode, options: ListOptions): Promise<string[]> {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let url: string | undefined = first; url !== undefined && !seen.has(url); ) {
      seen.add(url);
      const res: Response = await this.#request({ method: 'GET', url, domain, scopes, what, notFound, signal: options.signal });
      const doc = (await res.json()) as Record<string, unknown>;
      const items = doc[field];
      if (Array.isArray(items)) for (const t of items) if (typeof t === 'string') out.push(t);
      url = nextLink(res.headers.get('link'), url);
    }
    return out;
  }
}

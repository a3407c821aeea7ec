// The daemon's side of registries: pull, push, login and search for the Engine API, with the
// credentials the client sent (X-Registry-Auth, POST /auth) rather than a config file, and
// progress in the shape of docker's JSON messages so the real docker CLI prints its bars.

import { WasmboxError, isWasmboxError } from '../errors.js';
import type { ImageRecord, ImageStore } from '../image/image-store.js';
import { parseReference } from '../image/reference.js';
import { MemoryCredentialStore, registryOfKey } from '../image/registry/auth.js';
import type { RegistryCredentials } from '../image/registry/auth.js';
import { RegistryClient } from '../image/registry/client.js';
import type { FetchLike } from '../image/registry/client.js';
import { pull } from '../image/registry/pull.js';
import { push } from '../image/registry/push.js';
import type { PushResult } from '../image/registry/push.js';
import type { ProgressEvent } from '../image/registry/progress.js';

/** One message of a JSON progress stream (`{status, id, progressDetail}`, `{aux}`). */
export type ProgressMessage = Record<string, unknown>;

export interface RegistryOperationOptions {
  /** What the client sent; none means anonymous access. */
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  progress?: (message: ProgressMessage) => void;
}

export interface RegistryServiceOptions {
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Registries reached over plain http besides loopback ones (`--insecure-registry`). */
  insecureRegistries?: readonly string[];
  userAgent?: string;
}

/** One row of `GET /images/search`, in the Engine API's shape. */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchOptions {
  limit?: number;
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
}

const DOCKER_HUB = 'docker.io';
const HUB_SEARCH = 'https://index.docker.io/v1/search';

function progressMessage(e: ProgressEvent): ProgressMessage {
  const m: ProgressMessage = { status: e.status };
  if (e.progressDetail !== undefined) m.progressDetail = e.progressDetail;
  if (e.id !== undefined) m.id = e.id;
  return m;
}

/** The registry of a login's `serveraddress`: `https://index.docker.io/v1/` → docker.io, `http://h:5000` → h:5000. */
export function registryOfServerAddress(address: string | undefined): string {
  const a = (address ?? '').trim();
  return a === '' ? DOCKER_HUB : registryOfKey(a);
}

/** Splits a search term into a registry and the text to look for, as docker does (`host:5000/app` → host:5000, app). */
export function splitSearchTerm(term: string): { registry: string; query: string } {
  const slash = term.indexOf('/');
  if (slash > 0) {
    const first = term.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return { registry: registryOfKey(first), query: term.slice(slash + 1) };
  }
  return { registry: DOCKER_HUB, query: term };
}

export class RegistryService {
  readonly #store: ImageStore;
  readonly #options: RegistryServiceOptions;

  constructor(store: ImageStore, options: RegistryServiceOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  get insecureRegistries(): readonly string[] {
    return this.#options.insecureRegistries ?? [];
  }

  /** A client per operation: credentials come with each request, and tokens must not leak between clients. */
  client(registry: string, credentials: RegistryCredentials | undefined): RegistryClient {
    return new RegistryClient({
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      ...(credentials ? { credentials: new MemoryCredentialStore({ [registry]: credentials }) } : {}),
      insecureRegistries: this.insecureRegistries,
      userAgent: this.#options.userAgent ?? 'wasmbox-daemon',
    });
  }

  /**
   * `docker pull`. A missing tag fails before any progress is sent (HEAD of the manifest), so
   * the API can answer it with a plain 404 as dockerd does.
   */
  async pull(reference: string, options: RegistryOperationOptions = {}): Promise<ImageRecord> {
    const ref = parseReference(reference);
    const client = this.client(ref.domain, options.credentials);
    const target = ref.digest ?? ref.tag ?? 'latest';
    const head = await client.headManifest(ref, target, { signal: options.signal }).catch((e: unknown) => {
      // dockerd answers a refused pull with 404, never 401: a 401 would make the docker CLI
      // retry with its interactive login prompt.
      if (isWasmboxError(e, 'UNAUTHORIZED')) {
        throw new WasmboxError('IMAGE_NOT_FOUND', `pull access denied for ${ref.familiarRepository}, repository does not exist or may require 'docker login': ${e.message}`, {
          cause: e,
          details: { image: ref.toString() },
        });
      }
      throw e;
    });
    if (head === undefined) {
      throw new WasmboxError('IMAGE_NOT_FOUND', `manifest for ${ref.familiar()} not found: manifest unknown: manifest unknown`, {
        details: { image: ref.toString() },
      });
    }
    const progress = options.progress;
    const result = await pull(this.#store, ref, {
      client,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(progress ? { onProgress: (e: ProgressEvent) => progress(progressMessage(e)) } : {}),
    });
    return result.image;
  }

  /** `docker push`: docker's messages, ending with the `aux` message the CLI reads the digest from. */
  async push(reference: string, options: RegistryOperationOptions = {}): Promise<PushResult> {
    const ref = parseReference(reference, { defaultTag: false });
    const progress = options.progress;
    const result = await push(this.#store, ref, {
      client: this.client(ref.domain, options.credentials),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(progress ? { onProgress: (e: ProgressEvent) => progress(progressMessage(e)) } : {}),
    });
    progress?.({ progressDetail: {}, aux: { Tag: result.tag, Digest: result.digest, Size: result.size } });
    return result;
  }

  /** `docker login` through the daemon: the registry's `/v2/` must accept the credentials. */
  async login(serverAddress: string | undefined, credentials: RegistryCredentials, options: { signal?: AbortSignal } = {}): Promise<{ Status: string; IdentityToken: string }> {
    const registry = registryOfServerAddress(serverAddress);
    await this.client(registry, credentials).login(registry, credentials, options);
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }

  /**
   * `docker search`: Docker Hub's search API for docker.io, else the registry's `_catalog`
   * filtered by the term (registries without a catalog get a clear error).
   */
  async search(term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    if (term.trim() === '') throw new WasmboxError('INVALID_ARGUMENT', 'search: the term parameter is required');
    const { registry, query } = splitSearchTerm(term);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : 25;
    if (registry === DOCKER_HUB) return this.#searchHub(query, limit, options.signal);
    let names: string[];
    try {
      names = await this.client(registry, options.credentials).catalog(registry, { ...(options.signal ? { signal: options.signal } : {}) });
    } catch (e) {
      if (isWasmboxError(e, 'NOT_FOUND') || isWasmboxError(e, 'UNAUTHORIZED')) {
        throw new WasmboxError('NOT_IMPLEMENTED', `registry ${registry} does not support search: its /v2/_catalog API is not available (${e.message})`, { cause: e });
      }
      throw e;
    }
    const needle = query.toLowerCase();
    return names
      .filter((n) => n.toLowerCase().includes(needle))
      .slice(0, limit)
      .map((n) => ({ name: `${registry}/${n}`, description: '', star_count: 0, is_official: false, is_automated: false }));
  }

  async #searchHub(query: string, limit: number, signal: AbortSignal | undefined): Promise<SearchResult[]> {
    const doFetch = this.#options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
    const url = `${HUB_SEARCH}?q=${encodeURIComponent(query)}&n=${limit}`;
    let res: Response;
    try {
      res = await doFetch(url, { method: 'GET', headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
    } catch (e) {
      throw new WasmboxError('REGISTRY_ERROR', `searching Docker Hub (${url}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (!res.ok) throw new WasmboxError('REGISTRY_ERROR', `searching Docker Hub (${url}) failed with status ${res.status}`);
    const doc = (await res.json()) as { results?: Partial<SearchResult>[] };
    return (doc.results ?? []).slice(0, limit).map((r) => ({
      name: String(r.name ?? ''),
      description: String(r.description ?? ''),
      star_count: Number(r.star_count ?? 0),
      is_official: Boolean(r.is_official),
      is_automated: Boolean(r.is_automated),
    }));
  }
}

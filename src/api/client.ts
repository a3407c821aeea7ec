// A typed client of the Docker Engine API that wasmbox serves: the ContainerServiceApi and the
// image calls the CLI makes, over an injected transport (node:http on a socket, or a fetch
// handler in-process), so the CLI talks to a daemon exactly as it talks to its own engine.

import { WasmboxError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type {
  AttachOptions,
  AttachSession,
  ChangeItem,
  CommitOptions,
  ContainerCreateBody,
  ContainerCreateResult,
  ContainerInspect,
  ContainerServiceApi,
  ContainerStats,
  ContainerSummary,
  ExecCreateBody,
  ExecInspect,
  ExecSession,
  ListOptions,
  LogOptions,
  OutputFrame,
  PathStat,
  PruneResult,
  RestartPolicy,
  TopResult,
  WaitCondition,
  WaitResult,
} from '../engine/container-types.js';
import type { Digest } from '../content/digest.js';
import type { ImageDeleteResponseItem, ImageSummary } from '../image/image-store.js';
import type { ImageHistoryItem } from '../engine/images.js';
import type { ProgressEvent } from '../image/registry/progress.js';
import type { Api } from './api.js';
import { isHijackResponse, MULTIPLEXED_STREAM } from './hijack.js';
import { MuxDecoder, STDERR, iterateStream } from './stream-format.js';
import { API_VERSION } from './versions.js';

/** Sends one request to the daemon (node:http over a socket, or `createApi(engine).fetch`). */
export type ApiTransport = (request: Request) => Promise<Response>;

/** A hijacked connection as the client sees it: the daemon's bytes, and ours to it. */
export interface UpgradedConnection {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

/**
 * Sends a request with `Connection: Upgrade, Upgrade: tcp` (attach, exec start). Resolves to the
 * raw connection after `101 UPGRADED`, or to the daemon's Response when it answered otherwise
 * (an error such as 404 No such container).
 */
export type ApiUpgrade = (request: Request) => Promise<UpgradedConnection | Response>;

export interface ApiClientOptions {
  fetch: ApiTransport;
  upgrade: ApiUpgrade;
  /** Origin of the request URLs; the transport decides where they really go. */
  baseUrl?: string;
  /** API version in the paths (`/v1.50/…`). */
  apiVersion?: string;
}

/** The image calls the CLI needs, served by the in-process engine and by a daemon alike. */
export interface ImageApi {
  list(): Promise<ImageSummary[]>;
  /** The ImageInspect object (`docker image inspect`). */
  inspect(name: string): Promise<Record<string, unknown>>;
  history(name: string): Promise<ImageHistoryItem[]>;
  tag(source: string, target: string): Promise<void>;
  remove(name: string, options?: { force?: boolean }): Promise<ImageDeleteResponseItem[]>;
  /** Dangling images, or with `all` every image no container uses. */
  prune(options?: { all?: boolean }): Promise<{ deleted: ImageDeleteResponseItem[]; spaceReclaimed: number }>;
  /** Loads a `docker save` / OCI layout tar; the loaded images' names (`repoTags`, or just the id). */
  load(source: AsyncIterable<Uint8Array>, options?: { source?: string }): Promise<{ images: { id: string; repoTags: string[] }[] }>;
  /** Checks every name first (a typo fails before any byte), then streams the tar. */
  save(names: string[]): Promise<AsyncIterable<Uint8Array>>;
  import(source: AsyncIterable<Uint8Array>, options: { reference?: string; message?: string; changes?: string[]; source?: string }): Promise<{ id: string }>;
  pull(reference: string, options?: RegistryCallOptions): Promise<void>;
  push(reference: string, options?: RegistryCallOptions): Promise<void>;
}

export interface RegistryCallOptions {
  onProgress?: (event: ProgressEvent) => void;
  /** Docker's X-Registry-Auth (base64url JSON of an AuthConfig); anonymous when absent. */
  registryAuth?: string;
  signal?: AbortSignal;
}

export interface BuildCallOptions {
  /** The build context as a tar. */
  context: Uint8Array | AsyncIterable<Uint8Array>;
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  499: 'CANCELLED',
  501: 'NOT_IMPLEMENTED',
  502: 'REGISTRY_ERROR',
};

/** The daemon's `{"message"}` and status as the WasmboxError the in-process engine would throw. */
export function errorOfResponse(status: number, message: string, where: string): WasmboxError {
  let code: ErrorCode = STATUS_CODES[status] ?? 'INTERNAL';
  if (status === 404 && /no such image|image .*not found|reference does not exist/i.test(message)) code = 'IMAGE_NOT_FOUND';
  return new WasmboxError(code, message || `${where}: the daemon answered ${status}`, { details: { status, request: where } });
}

async function failure(response: Response, where: string): Promise<WasmboxError> {
  const text = await response.text().catch(() => '');
  let message = text.trim();
  try {
    const doc = JSON.parse(text) as { message?: unknown };
    if (typeof doc.message === 'string') message = doc.message;
  } catch {
    // Not JSON: the body as it is.
  }
  return errorOfResponse(response.status, message, where);
}

/** Decodes X-Docker-Container-Path-Stat. */
export function decodePathStat(header: string | null, where: string): PathStat {
  if (!header) throw new WasmboxError('INTERNAL', `${where}: the daemon sent no X-Docker-Container-Path-Stat header`);
  const binary = atob(header);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as PathStat;
}

/** Frames of an attach/exec/logs stream: raw bytes with a TTY (all stdout), multiplexed otherwise. */
export async function* decodeOutput(chunks: AsyncIterable<Uint8Array>, options: { tty: boolean }): AsyncGenerator<OutputFrame> {
  const decoder = options.tty ? undefined : new MuxDecoder();
  for await (const chunk of chunks) {
    if (!decoder) {
      yield { stream: 'stdout', data: chunk, time: Date.now() };
      continue;
    }
    for (const f of decoder.push(chunk)) {
      yield { stream: f.stream === STDERR ? 'stderr' : 'stdout', data: f.data, time: Date.now() };
    }
  }
}

/** Newline-delimited JSON messages of a response body. */
async function* jsonLines(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of iterateStream(body)) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as Record<string, unknown>;
    }
  }
  if (buffer.trim() !== '') yield JSON.parse(buffer) as Record<string, unknown>;
}

/** The error line a JSON stream ends with (`{"errorDetail":{…},"error":"…"}`) as a WasmboxError. */
function streamError(message: Record<string, unknown>, where: string): WasmboxError | undefined {
  if (message.error === undefined && message.errorDetail === undefined) return undefined;
  const detail = (message.errorDetail ?? {}) as { message?: string; code?: number };
  const text = typeof message.error === 'string' ? message.error : (detail.message ?? 'unknown error');
  const exitCode = typeof detail.code === 'number' ? detail.code : undefined;
  return new WasmboxError(exitCode !== undefined ? 'BUILD_FAILED' : 'INTERNAL', text, { details: { request: where, ...(exitCode !== undefined ? { exitCode } : {}) } });
}

function readableOf(source: Uint8Array | AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> | Uint8Array {
  if (source instanceof Uint8Array) return source;
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** Copies `source` into the hijacked connection, then half-closes it (as the docker CLI does). */
async function pumpStdin(source: AsyncIterable<Uint8Array>, writable: WritableStream<Uint8Array>): Promise<void> {
  const writer = writable.getWriter();
  try {
    for await (const chunk of source) await writer.write(chunk);
    await writer.close();
  } catch {
    await writer.abort().catch(() => undefined);
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

/** A client of one daemon: the containers service, images, builds and the system calls. */
export class ApiClient implements ContainerServiceApi {
  readonly #fetch: ApiTransport;
  readonly #upgrade: ApiUpgrade;
  readonly #base: string;
  readonly #prefix: string;
  /** The image calls (`docker images`, `rmi`, `pull`...). */
  readonly images: ImageApi;

  constructor(options: ApiClientOptions) {
    this.#fetch = options.fetch;
    this.#upgrade = options.upgrade;
    this.#base = options.baseUrl ?? 'http://wasmbox';
    this.#prefix = `/v${options.apiVersion ?? API_VERSION}`;
    this.images = new ImageClient(this);
  }

  /** The URL of an API path with its query (booleans as 1/0, arrays repeated, undefined left out). */
  url(path: string, query: Query = {}): string {
    const url = new URL(this.#prefix + path, this.#base);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
      else url.searchParams.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
    return url.toString();
  }

  /** Sends a request; a non-2xx answer (other than those in `accept`) becomes the WasmboxError the engine would throw. */
  async request(
    method: string,
    path: string,
    options: { query?: Query; json?: unknown; body?: Uint8Array | AsyncIterable<Uint8Array>; headers?: Record<string, string>; signal?: AbortSignal; accept?: number[] } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['Content-Type'] ??= 'application/x-tar';
      body = readableOf(options.body) as BodyInit;
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (body !== undefined) init.body = body;
    if (body instanceof ReadableStream) init.duplex = 'half';
    if (options.signal) init.signal = options.signal;
    const response = await this.#fetch(new Request(this.url(path, options.query), init));
    if (!response.ok && !(options.accept ?? []).includes(response.status)) throw await failure(response, `${method} ${path}`);
    return response;
  }

  async json<T>(method: string, path: string, options: Parameters<ApiClient['request']>[2] = {}): Promise<T> {
    return (await (await this.request(method, path, options)).json()) as T;
  }

  /** A request whose answer is a JSON-lines stream; resolves after the last line, rejects at an error line. */
  async stream(method: string, path: string, options: Parameters<ApiClient['request']>[2], onMessage: (m: Record<string, unknown>) => void): Promise<void> {
    const response = await this.request(method, path, options);
    for await (const message of jsonLines(response.body)) {
      const err = streamError(message, `${method} ${path}`);
      if (err) throw err;
      onMessage(message);
    }
  }

  async #hijack(path: string, query: Query, json: unknown): Promise<UpgradedConnection> {
    const request = new Request(this.url(path, query), {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json' },
      body: JSON.stringify(json ?? {}),
    });
    const answer = await this.#upgrade(request);
    if (answer instanceof Response) {
      if (!answer.ok) throw await failure(answer, `POST ${path}`);
      // A daemon that streams without upgrading (dockerode's style): output only.
      return { readable: answer.body ?? new ReadableStream({ start: (c) => c.close() }), writable: new WritableStream() };
    }
    return answer;
  }

  /** `GET /_ping`: resolves when the daemon answers. */
  async ping(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.request('GET', '/_ping', options.signal ? { signal: options.signal } : {});
  }

  version(): Promise<Record<string, unknown>> {
    return this.json('GET', '/version');
  }

  info(): Promise<Record<string, unknown>> {
    return this.json('GET', '/info');
  }

  // --- containers -------------------------------------------------------------------------

  async create(body: ContainerCreateBody, options: { name?: string } = {}): Promise<ContainerCreateResult> {
    if (body.Module) {
      throw new WasmboxError('NOT_IMPLEMENTED', `running a module file (${body.Module.path}) through a daemon is not supported: build an image with it (FROM scratch, COPY) or run without a daemon`);
    }
    return this.json('POST', '/containers/create', { query: { name: options.name }, json: body });
  }

  async start(id: string): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/start`, { accept: [304] });
  }

  async stop(id: string, options: { timeout?: number } = {}): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/stop`, { query: { t: options.timeout }, accept: [304] });
  }

  async restart(id: string, options: { timeout?: number } = {}): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/restart`, { query: { t: options.timeout } });
  }

  async kill(id: string, options: { signal?: string } = {}): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/kill`, { query: { signal: options.signal } });
  }

  async pause(id: string): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/pause`);
  }

  async unpause(id: string): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/unpause`);
  }

  async wait(id: string, options: { condition?: WaitCondition; signal?: AbortSignal } = {}): Promise<WaitResult> {
    return this.json('POST', `/containers/${enc(id)}/wait`, { query: { condition: options.condition }, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async remove(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.request('DELETE', `/containers/${enc(id)}`, { query: { force: options.force, v: options.volumes } });
  }

  list(options: ListOptions = {}): Promise<ContainerSummary[]> {
    return this.json('GET', '/containers/json', {
      query: {
        all: options.all,
        limit: options.limit,
        size: options.size,
        filters: options.filters && Object.keys(options.filters).length > 0 ? JSON.stringify(options.filters) : undefined,
      },
    });
  }

  inspect(id: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.json('GET', `/containers/${enc(id)}/json`, { query: { size: options.size } });
  }

  async *logs(id: string, options: LogOptions = {}): AsyncIterable<OutputFrame> {
    const response = await this.request('GET', `/containers/${enc(id)}/logs`, {
      query: {
        follow: options.follow,
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true,
        since: options.since,
        until: options.until,
        timestamps: options.timestamps,
        tail: options.tail,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tty = response.headers.get('content-type') !== MULTIPLEXED_STREAM;
    try {
      yield* decodeOutput(iterateStream(response.body), { tty });
    } catch (e) {
      // Ending a follow with the signal is the normal end of the stream.
      if (!options.signal?.aborted) throw e;
    }
  }

  async attach(id: string, options: AttachOptions = {}): Promise<AttachSession> {
    const info = await this.inspect(id);
    const tty = info.Config.Tty === true;
    const connection = await this.#hijack(`/containers/${enc(id)}/attach`, {
      stream: options.stream ?? true,
      logs: options.logs,
      stdin: options.stdin !== undefined,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
    }, undefined);
    if (options.stdin) void pumpStdin(options.stdin, connection.writable);
    return { tty, output: this.#output(connection, { tty, closeInput: options.stdin === undefined, ...(options.signal ? { signal: options.signal } : {}) }) };
  }

  /** The connection's output as frames; the connection closes when the output ends or `signal` aborts. */
  async *#output(connection: UpgradedConnection, options: { tty: boolean; closeInput: boolean; signal?: AbortSignal }): AsyncGenerator<OutputFrame> {
    const reader = connection.readable.getReader();
    const onAbort = () => void reader.cancel().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    }
    try {
      yield* decodeOutput(chunks(), { tty: options.tty });
    } catch (e) {
      if (!options.signal?.aborted) throw e;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      void reader.cancel().catch(() => undefined);
      if (options.closeInput) void connection.writable.close().catch(() => undefined);
    }
  }

  async resize(id: string, size: { h: number; w: number }): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/resize`, { query: { h: size.h, w: size.w } });
  }

  async rename(id: string, newName: string): Promise<void> {
    await this.request('POST', `/containers/${enc(id)}/rename`, { query: { name: newName } });
  }

  update(id: string, changes: { Memory?: number; RestartPolicy?: RestartPolicy }): Promise<{ Warnings: string[] }> {
    return this.json('POST', `/containers/${enc(id)}/update`, { json: changes });
  }

  top(id: string): Promise<TopResult> {
    return this.json('GET', `/containers/${enc(id)}/top`);
  }

  stats(id: string): Promise<ContainerStats> {
    return this.json('GET', `/containers/${enc(id)}/stats`, { query: { stream: false } });
  }

  changes(id: string): Promise<ChangeItem[]> {
    return this.json<ChangeItem[] | null>('GET', `/containers/${enc(id)}/changes`).then((c) => c ?? []);
  }

  async *export(id: string): AsyncIterable<Uint8Array> {
    const response = await this.request('GET', `/containers/${enc(id)}/export`);
    yield* iterateStream(response.body);
  }

  async statPath(id: string, path: string): Promise<PathStat> {
    const response = await this.request('HEAD', `/containers/${enc(id)}/archive`, { query: { path } });
    return decodePathStat(response.headers.get('x-docker-container-path-stat'), `stat ${path}`);
  }

  async getArchive(id: string, path: string): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }> {
    const response = await this.request('GET', `/containers/${enc(id)}/archive`, { query: { path } });
    return { stat: decodePathStat(response.headers.get('x-docker-container-path-stat'), `archive ${path}`), tar: iterateStream(response.body) };
  }

  async putArchive(id: string, path: string, tar: AsyncIterable<Uint8Array>, options: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    await this.request('PUT', `/containers/${enc(id)}/archive`, { query: { path, noOverwriteDirNonDir: options.noOverwriteDirNonDir }, body: tar });
  }

  commit(id: string, options: CommitOptions = {}): Promise<{ Id: Digest }> {
    return this.json('POST', '/commit', {
      query: { container: id, repo: options.repo, tag: options.tag, comment: options.comment, author: options.author, changes: options.changes },
      json: options.config ?? null,
    });
  }

  async prune(options: { filters?: Record<string, string[]> } = {}): Promise<PruneResult> {
    const r = await this.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune', {
      query: { filters: options.filters ? JSON.stringify(options.filters) : undefined },
    });
    return { ContainersDeleted: r.ContainersDeleted ?? [], SpaceReclaimed: r.SpaceReclaimed };
  }

  execCreate(id: string, body: ExecCreateBody): Promise<{ Id: string }> {
    return this.json('POST', `/containers/${enc(id)}/exec`, { json: body });
  }

  async execStart(execId: string, options: { stdin?: AsyncIterable<Uint8Array>; detach?: boolean; tty?: boolean } = {}): Promise<ExecSession> {
    const info = await this.execInspect(execId);
    const tty = options.tty ?? info.ProcessConfig.tty;
    if (options.detach) {
      await this.request('POST', `/exec/${enc(execId)}/start`, { json: { Detach: true, Tty: tty } });
      return { tty, output: (async function* () {})(), exited: this.#pollExit(execId) };
    }
    const connection = await this.#hijack(`/exec/${enc(execId)}/start`, {}, { Detach: false, Tty: tty });
    if (options.stdin) void pumpStdin(options.stdin, connection.writable);
    let ended!: () => void;
    const outputEnded = new Promise<void>((resolve) => (ended = resolve));
    const frames = this.#output(connection, { tty, closeInput: options.stdin === undefined });
    const output = (async function* () {
      try {
        yield* frames;
      } finally {
        ended();
      }
    })();
    // `docker exec` reads the exit code once the stream has ended.
    const exited = outputEnded.then(() => this.#pollExit(execId));
    return { tty, output, exited };
  }

  async #pollExit(execId: string): Promise<number> {
    for (;;) {
      const info = await this.execInspect(execId);
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  execInspect(execId: string): Promise<ExecInspect> {
    return this.json('GET', `/exec/${enc(execId)}/json`);
  }

  async execResize(execId: string, size: { h: number; w: number }): Promise<void> {
    await this.request('POST', `/exec/${enc(execId)}/resize`, { query: { h: size.h, w: size.w } });
  }

  // --- builds ----------------------------------------------------------------------------

  /** `POST /build` with a tar context (the classic builder); resolves to the image id. */
  async build(options: BuildCallOptions): Promise<{ imageId: string }> {
    let imageId: string | undefined;
    await this.stream(
      'POST',
      '/build',
      {
        query: {
          dockerfile: options.dockerfile,
          t: options.tags,
          buildargs: options.buildArgs && Object.keys(options.buildArgs).length > 0 ? JSON.stringify(options.buildArgs) : undefined,
          labels: options.labels && Object.keys(options.labels).length > 0 ? JSON.stringify(options.labels) : undefined,
          target: options.target,
          nocache: options.noCache,
          pull: options.pull,
          q: options.quiet,
        },
        body: options.context,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (m) => {
        if (typeof m.stream === 'string') options.onOutput?.(m.stream);
        const aux = m.aux as { ID?: string } | undefined;
        if (aux?.ID) imageId = aux.ID;
      },
    );
    if (imageId === undefined) throw new WasmboxError('INTERNAL', 'build: the daemon ended the build without an image id');
    return { imageId };
  }
}

/** The image half of the client: `/images/…`. */
class ImageClient implements ImageApi {
  readonly #c: ApiClient;

  constructor(client: ApiClient) {
    this.#c = client;
  }

  async list(): Promise<ImageSummary[]> {
    const items = await this.#c.json<{ Id: Digest; RepoTags: string[] | null; RepoDigests: string[] | null; Created: number; Size: number; Labels: Record<string, string> | null }[]>('GET', '/images/json');
    return items.map((i) => ({
      id: i.Id,
      manifestDigest: i.Id,
      repoTags: i.RepoTags ?? [],
      repoDigests: i.RepoDigests ?? [],
      created: i.Created > 0 ? new Date(i.Created * 1000).toISOString() : undefined,
      size: i.Size,
      labels: i.Labels ?? {},
    }));
  }

  inspect(name: string): Promise<Record<string, unknown>> {
    return this.#c.json('GET', `/images/${name}/json`);
  }

  history(name: string): Promise<ImageHistoryItem[]> {
    return this.#c.json('GET', `/images/${name}/history`);
  }

  async tag(source: string, target: string): Promise<void> {
    // repo and tag split at the last ':' after the last '/' (a registry port is not a tag).
    const slash = target.lastIndexOf('/');
    const colon = target.lastIndexOf(':');
    const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, undefined];
    await this.#c.request('POST', `/images/${source}/tag`, { query: { repo, tag } });
  }

  remove(name: string, options: { force?: boolean } = {}): Promise<ImageDeleteResponseItem[]> {
    return this.#c.json('DELETE', `/images/${name}`, { query: { force: options.force } });
  }

  async prune(options: { all?: boolean } = {}): Promise<{ deleted: ImageDeleteResponseItem[]; spaceReclaimed: number }> {
    const r = await this.#c.json<{ ImagesDeleted: ImageDeleteResponseItem[] | null; SpaceReclaimed: number }>('POST', '/images/prune', {
      query: { filters: options.all ? JSON.stringify({ dangling: ['false'] }) : undefined },
    });
    return { deleted: r.ImagesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed };
  }

  async load(source: AsyncIterable<Uint8Array>): Promise<{ images: { id: string; repoTags: string[] }[] }> {
    const images: { id: string; repoTags: string[] }[] = [];
    await this.#c.stream('POST', '/images/load', { body: source }, (m) => {
      const text = typeof m.stream === 'string' ? m.stream.trim() : '';
      const tagged = /^Loaded image: (.+)$/.exec(text);
      const untagged = /^Loaded image ID: (.+)$/.exec(text);
      if (tagged) images.push({ id: '', repoTags: [tagged[1]!] });
      else if (untagged) images.push({ id: untagged[1]!, repoTags: [] });
    });
    return { images };
  }

  async save(names: string[]): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.#c.request('GET', '/images/get', { query: { names } });
    return iterateStream(response.body);
  }

  async import(source: AsyncIterable<Uint8Array>, options: { reference?: string; message?: string; changes?: string[] }): Promise<{ id: string }> {
    let id = '';
    await this.#c.stream('POST', '/images/create', { query: { fromSrc: '-', repo: options.reference, message: options.message, changes: options.changes }, body: source }, (m) => {
      if (typeof m.status === 'string') id = m.status;
    });
    return { id };
  }

  async pull(reference: string, options: RegistryCallOptions = {}): Promise<void> {
    await this.#c.stream(
      'POST',
      '/images/create',
      { query: { fromImage: reference }, ...registryHeaders(options) },
      (m) => options.onProgress?.(m as unknown as ProgressEvent),
    );
  }

  async push(reference: string, options: RegistryCallOptions = {}): Promise<void> {
    await this.#c.stream('POST', `/images/${reference}/push`, registryHeaders(options), (m) => options.onProgress?.(m as unknown as ProgressEvent));
  }
}

function registryHeaders(options: RegistryCallOptions): { headers?: Record<string, string>; signal?: AbortSignal } {
  return {
    ...(options.registryAuth ? { headers: { 'X-Registry-Auth': options.registryAuth } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/**
 * The transport pair over a fetch handler in the same process (`createApi(engine)`): no socket;
 * a hijack hands the route's handler a pair of in-memory streams. For tests and the browser.
 */
export function inProcessTransport(api: Pick<Api, 'fetch'>): { fetch: ApiTransport; upgrade: ApiUpgrade } {
  return {
    fetch: (request) => api.fetch(request),
    async upgrade(request) {
      const response = await api.fetch(request);
      if (!isHijackResponse(response)) return response;
      const toDaemon = new TransformStream<Uint8Array, Uint8Array>();
      const toClient = new TransformStream<Uint8Array, Uint8Array>();
      void Promise.resolve(response.hijack({ readable: toDaemon.readable, writable: toClient.writable })).catch(() => undefined);
      return { readable: toClient.readable, writable: toDaemon.writable };
    },
  };
}

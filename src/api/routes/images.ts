// Image endpoints: list, inspect, history, tag, remove, prune, save (`/images/get`), load,
// create (pull from a registry, or `docker import` with fromSrc) and push.
// JSON shapes are the Engine API's ImageSummary, ImageInspect and HistoryResponseItem.

import { WasmboxError } from '../../errors.js';
import type { ImageRecord, ImageSummary } from '../../image/image-store.js';
import { imageInspect as engineImageInspect } from '../../engine/images.js';
import type { Router, RouteContext } from '../router.js';
import { boolParam, compareVersions, filtersParam, json } from '../http.js';
import { iterateStream, jsonLine, jsonStreamError, streamFrom } from '../stream-format.js';
import { credentialsOfAuthConfig, decodeRegistryAuthHeader } from '../../image/registry/auth.js';
import type { RegistryCredentials } from '../../image/registry/auth.js';

function unixSeconds(created: string | undefined): number {
  if (created === undefined) return 0;
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** ImageSummary of `GET /images/json`. */
export function imageSummary(i: ImageSummary, options: { apiVersion: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: i.id,
    ParentId: '',
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: unixSeconds(i.created),
    Size: i.size,
    SharedSize: -1,
    Labels: i.labels,
    Containers: -1,
  };
  // VirtualSize left the API in 1.44; older clients still read it.
  if (compareVersions(options.apiVersion, '1.44') < 0) out.VirtualSize = i.size;
  return out;
}

/** ImageInspect of `GET /images/{name}/json`: the engine's, plus VirtualSize for clients older than 1.44. */
export function imageInspect(record: ImageRecord, options: { apiVersion: string }): Record<string, unknown> {
  const out = engineImageInspect(record);
  if (compareVersions(options.apiVersion, '1.44') < 0) out.VirtualSize = record.size;
  return out;
}

async function list({ engine, query, apiVersion }: RouteContext): Promise<Response> {
  const filters = filtersParam(query);
  // Before API 1.41 `filter=name` was a reference filter of its own.
  const legacy = query.get('filter');
  if (legacy) (filters.reference ??= []).push(legacy);
  const images = await engine.images.list(filters);
  const sharedSize = boolParam(query, 'shared-size');
  const sizes = sharedSize ? await engine.images.sharedSizes() : undefined;
  return json(
    images.map((i) => {
      const s = imageSummary(i, { apiVersion });
      if (sizes) s.SharedSize = sizes.get(i.id)?.shared ?? 0;
      return s;
    }),
  );
}

async function inspect({ engine, params, apiVersion }: RouteContext): Promise<Response> {
  return json(imageInspect(await engine.images.resolve(params.name!), { apiVersion }));
}

async function history({ engine, params }: RouteContext): Promise<Response> {
  return json(await engine.images.history(params.name!));
}

async function tag({ engine, params, query }: RouteContext): Promise<Response> {
  const repo = query.get('repo') ?? '';
  if (repo === '') throw new WasmboxError('INVALID_ARGUMENT', `tag ${params.name}: the repo parameter is required`);
  const t = query.get('tag') ?? '';
  await engine.images.tag(params.name!, t === '' ? repo : `${repo}:${t}`);
  return new Response(null, { status: 201 });
}

async function remove({ engine, params, query }: RouteContext): Promise<Response> {
  return json(await engine.images.remove(params.name!, { force: boolParam(query, 'force'), noprune: boolParam(query, 'noprune') }));
}

async function prune({ engine, query }: RouteContext): Promise<Response> {
  const { deleted, spaceReclaimed } = await engine.images.prune(filtersParam(query));
  return json({ ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: spaceReclaimed });
}

async function save(engine: RouteContext['engine'], names: string[]): Promise<Response> {
  const tar = await engine.images.save(names);
  return new Response(
    streamFrom(tar, (c) => c),
    { status: 200, headers: { 'Content-Type': 'application/x-tar' } },
  );
}

/**
 * JSON-stream response of a long operation: its messages as they come, then an error line if it
 * fails. With `errorsBeforeOutput: 'http'` the response waits for the first message, so a
 * failure before any (no such image, bad credentials) is a plain HTTP error, as dockerd answers.
 */
function jsonStream(run: (emit: (message: Record<string, unknown>) => void) => Promise<void>): Response;
function jsonStream(run: (emit: (message: Record<string, unknown>) => void) => Promise<void>, options: { errorsBeforeOutput: 'http' }): Promise<Response>;
function jsonStream(run: (emit: (message: Record<string, unknown>) => void) => Promise<void>, options?: { errorsBeforeOutput: 'http' }): Response | Promise<Response> {
  const queue: Record<string, unknown>[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let started: () => void = () => undefined;
  const firstOutput = new Promise<void>((resolve) => (started = resolve));
  void run((m) => {
    queue.push(m);
    started();
    notify();
  })
    .catch((e: unknown) => {
      failure = { error: e };
      queue.push(jsonStreamError(e instanceof Error ? e.message : String(e)));
    })
    .finally(() => {
      done = true;
      started();
      notify();
    });
  async function* lines(): AsyncIterable<Record<string, unknown>> {
    for (;;) {
      const next = queue.shift();
      if (next) yield next;
      else if (done) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const respond = () => new Response(streamFrom(lines(), jsonLine), { status: 200, headers: { 'Content-Type': 'application/json' } });
  if (!options) return respond();
  return firstOutput.then(() => {
    // Only the error line is queued: nothing was sent yet, so answer with the error's status.
    if (failure && queue.length === 1) throw failure.error;
    return respond();
  });
}

/** The decoded `X-Registry-Auth` header (anonymous when absent). */
function registryCredentials(request: Request): RegistryCredentials | undefined {
  return credentialsOfAuthConfig(decodeRegistryAuthHeader(request.headers.get('x-registry-auth')));
}

function load({ engine, request }: RouteContext): Response {
  return jsonStream(async (emit) => {
    const result = await engine.images.load(iterateStream(request.body), { source: 'the uploaded archive' });
    for (const image of result.images) {
      if (image.repoTags.length === 0) emit({ stream: `Loaded image ID: ${image.id}\n` });
      for (const t of image.repoTags) emit({ stream: `Loaded image: ${t}\n` });
    }
  });
}

/** `docker import`: `fromSrc=-` with the tar as the body; `repo` (may carry a tag), `tag`, `message`, `changes`. */
function importFromSource({ engine, query, request }: RouteContext, fromSrc: string): Promise<Response> {
  if (fromSrc !== '-') {
    throw new WasmboxError('NOT_IMPLEMENTED', `docker import from a URL (${fromSrc}) is not supported: download the file and import it from a file or "-"`);
  }
  const repo = query.get('repo') ?? '';
  const tag = query.get('tag') ?? '';
  const reference = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
  const message = query.get('message') ?? '';
  const changes = query.getAll('changes').filter((c) => c.trim() !== '');
  return jsonStream(
    async (emit) => {
      const record = await engine.images.import(iterateStream(request.body), {
        ...(reference !== undefined ? { reference } : {}),
        ...(message !== '' ? { message } : {}),
        changes,
        source: '-',
      });
      emit({ status: record.id });
    },
    { errorsBeforeOutput: 'http' },
  );
}

async function create(context: RouteContext): Promise<Response> {
  const { engine, query, request } = context;
  const fromSrc = query.get('fromSrc');
  if (fromSrc !== null && fromSrc !== '') return importFromSource(context, fromSrc);
  const from = query.get('fromImage') ?? '';
  if (from === '') throw new WasmboxError('INVALID_ARGUMENT', 'pull: the fromImage parameter is required');
  const tagOrDigest = query.get('tag') ?? '';
  const reference = tagOrDigest === '' ? from : tagOrDigest.startsWith('sha256:') ? `${from}@${tagOrDigest}` : `${from}:${tagOrDigest}`;
  const credentials = registryCredentials(request);
  return jsonStream(
    async (emit) => {
      await engine.images.pull(reference, { ...(credentials ? { credentials } : {}), progress: emit, signal: request.signal });
    },
    { errorsBeforeOutput: 'http' },
  );
}

/** `docker push`: `/images/{name}/push?tag=`; the name may carry the tag itself. */
async function push({ engine, params, query, request }: RouteContext): Promise<Response> {
  const tag = query.get('tag') ?? '';
  const name = tag === '' ? params.name! : `${params.name!}:${tag}`;
  const credentials = registryCredentials(request);
  return jsonStream(
    async (emit) => {
      await engine.images.push(name, { ...(credentials ? { credentials } : {}), progress: emit, signal: request.signal });
    },
    { errorsBeforeOutput: 'http' },
  );
}

export function register(router: Router): void {
  router.get('/images/json', list);
  router.post('/images/create', create);
  router.post('/images/load', load);
  router.post('/images/prune', prune);
  router.get('/images/get', ({ engine, query }) => save(engine, query.getAll('names').filter((n) => n !== '')));
  router.get('/images/{name*}/json', inspect);
  router.get('/images/{name*}/history', history);
  router.get('/images/{name*}/get', ({ engine, params }) => save(engine, [params.name!]));
  router.post('/images/{name*}/tag', tag);
  router.post('/images/{name*}/push', push);
  router.delete('/images/{name*}', remove);
}

// Image endpoints: list, inspect, history, tag, remove, prune, save (`/images/get`), load and
// create (pull; answered with an error in the JSON stream until a registry client is injected).
// JSON shapes are the Engine API's ImageSummary, ImageInspect and HistoryResponseItem.

import { WasmboxError } from '../../errors.js';
import type { ImageRecord, ImageSummary } from '../../image/image-store.js';
import { displayName } from '../../engine/images.js';
import type { Router, RouteContext } from '../router.js';
import { boolParam, compareVersions, filtersParam, json } from '../http.js';
import { iterateStream, jsonLine, jsonStreamError, streamFrom } from '../stream-format.js';

/** Go's zero time: what Docker prints for a time it does not know. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

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

/** ImageInspect of `GET /images/{name}/json`. */
export function imageInspect(record: ImageRecord, options: { apiVersion: string }): Record<string, unknown> {
  const c = record.config;
  const out: Record<string, unknown> = {
    Id: record.id,
    RepoTags: record.repoTags,
    RepoDigests: record.repoDigests,
    Parent: '',
    Comment: typeof c.comment === 'string' ? c.comment : '',
    Created: c.created ?? ZERO_TIME,
    DockerVersion: typeof c.docker_version === 'string' ? c.docker_version : '',
    Author: c.author ?? '',
    Config: { ...(c.config ?? {}) },
    Architecture: c.architecture,
  };
  if (c.variant !== undefined) out.Variant = c.variant;
  out.Os = c.os;
  if (c['os.version'] !== undefined) out.OsVersion = c['os.version'];
  out.Size = record.size;
  if (compareVersions(options.apiVersion, '1.44') < 0) out.VirtualSize = record.size;
  out.GraphDriver = { Data: null, Name: 'wasmbox' };
  out.RootFS = { Type: 'layers', Layers: [...c.rootfs.diff_ids] };
  out.Metadata = { LastTagTime: ZERO_TIME };
  out.Descriptor = { mediaType: record.descriptor.mediaType, digest: record.manifestDigest, size: record.descriptor.size };
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

/** JSON-stream response of a long operation: its messages as they come, then an error line if it fails. */
function jsonStream(run: (emit: (message: Record<string, unknown>) => void) => Promise<void>): Response {
  const queue: Record<string, unknown>[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  void run((m) => {
    queue.push(m);
    notify();
  })
    .catch((e: unknown) => void queue.push(jsonStreamError(e instanceof Error ? e.message : String(e))))
    .finally(() => {
      done = true;
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
  return new Response(streamFrom(lines(), jsonLine), { status: 200, headers: { 'Content-Type': 'application/json' } });
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

async function create({ engine, query, request }: RouteContext): Promise<Response> {
  const fromSrc = query.get('fromSrc');
  if (fromSrc !== null && fromSrc !== '') {
    return jsonStream(async () => {
      throw new WasmboxError('NOT_IMPLEMENTED', 'docker import is not supported yet: load an image archive with "docker load" instead');
    });
  }
  const from = query.get('fromImage') ?? '';
  if (from === '') throw new WasmboxError('INVALID_ARGUMENT', 'pull: the fromImage parameter is required');
  const tagOrDigest = query.get('tag') ?? '';
  const reference = tagOrDigest === '' ? from : tagOrDigest.startsWith('sha256:') ? `${from}@${tagOrDigest}` : `${from}:${tagOrDigest}`;
  const auth = request.headers.get('x-registry-auth') ?? undefined;
  return jsonStream(async (emit) => {
    await engine.images.pull(reference, { ...(auth ? { auth } : {}), progress: emit, signal: request.signal });
    emit({ status: `Status: Downloaded newer image for ${displayName(reference)}` });
  });
}

async function push({ engine, params }: RouteContext): Promise<Response> {
  await engine.images.resolve(params.name!);
  return jsonStream(async () => {
    throw new WasmboxError('NOT_IMPLEMENTED', `cannot push ${displayName(params.name!)}: registry pushes are not supported yet; use "docker save" or skopeo`);
  });
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

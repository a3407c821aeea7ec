// Container endpoints of the Engine API: create, list, inspect, the life cycle (start, stop,
// kill, pause, wait...), attach and logs streams, archive (docker cp), export, commit, prune.
// Bodies and answers are the Engine API's own shapes; the container service does the work.

import { WasmboxError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import type { ContainerCreateBody, ContainerServiceApi, PathStat, WaitCondition } from '../../engine/container-types.js';
import type { Router, RouteContext } from '../router.js';
import { boolParam, filtersParam, json, noContent, readJson } from '../http.js';
import { iterateStream, streamFrom } from '../stream-format.js';
import { HijackedStdio, frameStream, linkedAbort } from './stdio.js';

/** The engine's container service, as the contract the routes are written against. */
export function containerService(engine: Engine): ContainerServiceApi {
  return engine.containers;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** An integer query parameter, or undefined when absent; 400 when it is not a number. */
export function intParam(query: URLSearchParams, name: string, where: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new WasmboxError('INVALID_ARGUMENT', `${where}: invalid value for "${name}": ${JSON.stringify(raw)} is not an integer`);
  return n;
}

/** Docker's time parameters (`since`, `until`): unix seconds, possibly fractional. */
function timeParam(query: URLSearchParams, name: string, where: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '' || raw === '0') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new WasmboxError('INVALID_ARGUMENT', `${where}: invalid value for "${name}": ${JSON.stringify(raw)} is not a unix time in seconds`);
  return n;
}

/** X-Docker-Container-Path-Stat: the base64 of the PathStat JSON. */
export function pathStatHeader(stat: PathStat): string {
  const bytes = new TextEncoder().encode(JSON.stringify(stat));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

async function create({ engine, request, query }: RouteContext): Promise<Response> {
  const body = await readJson(request);
  if (typeof body.Image !== 'string' || body.Image === '') throw new WasmboxError('INVALID_ARGUMENT', 'container create: the config has no image (Image is required)');
  for (const k of ['Cmd', 'Entrypoint', 'Env'] as const) {
    const v = body[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => typeof x === 'string')) && !(k !== 'Env' && typeof v === 'string')) {
      throw new WasmboxError('INVALID_ARGUMENT', `container create: ${k} must be a list of strings`);
    }
  }
  // Old clients send a string Cmd/Entrypoint; a module's bytes cannot come over JSON.
  const config = { ...body } as unknown as ContainerCreateBody & { Cmd?: unknown; Entrypoint?: unknown };
  if (typeof config.Cmd === 'string') config.Cmd = [config.Cmd];
  if (typeof config.Entrypoint === 'string') config.Entrypoint = [config.Entrypoint];
  delete config.Module;
  const name = query.get('name') ?? '';
  if (name !== '' && !NAME.test(name)) {
    throw new WasmboxError('INVALID_ARGUMENT', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const result = await containerService(engine).create(config, name === '' ? {} : { name: name.replace(/^\//, '') });
  return json({ Id: result.Id, Warnings: result.Warnings ?? [] }, { status: 201 });
}

async function list({ engine, query }: RouteContext): Promise<Response> {
  const limit = intParam(query, 'limit', 'container list');
  const containers = await containerService(engine).list({
    all: boolParam(query, 'all'),
    size: boolParam(query, 'size'),
    filters: filtersParam(query),
    ...(limit !== undefined && limit > 0 ? { limit } : {}),
  });
  return json(containers);
}

async function inspect({ engine, params, query }: RouteContext): Promise<Response> {
  return json(await containerService(engine).inspect(params.id!, { size: boolParam(query, 'size') }));
}

async function start({ engine, params }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  // Docker answers 304 Not Modified for a container that is already running.
  const before = await svc.inspect(params.id!);
  if (before.State.Running) return noContent(304);
  await svc.start(params.id!);
  return noContent();
}

async function stop({ engine, params, query }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const timeout = intParam(query, 't', 'container stop');
  const before = await svc.inspect(params.id!);
  if (!before.State.Running && !before.State.Paused) return noContent(304);
  await svc.stop(params.id!, timeout === undefined ? {} : { timeout });
  return noContent();
}

async function restart({ engine, params, query }: RouteContext): Promise<Response> {
  const timeout = intParam(query, 't', 'container restart');
  await containerService(engine).restart(params.id!, timeout === undefined ? {} : { timeout });
  return noContent();
}

async function kill({ engine, params, query }: RouteContext): Promise<Response> {
  const signal = query.get('signal') ?? '';
  await containerService(engine).kill(params.id!, signal === '' ? {} : { signal });
  return noContent();
}

async function pause({ engine, params }: RouteContext): Promise<Response> {
  await containerService(engine).pause(params.id!);
  return noContent();
}

async function unpause({ engine, params }: RouteContext): Promise<Response> {
  await containerService(engine).unpause(params.id!);
  return noContent();
}

const WAIT_CONDITIONS = ['not-running', 'next-exit', 'removed'] as const;

/** Headers go out at once (the docker CLI waits for them before it starts); the body at exit. */
async function wait({ engine, params, query, signal }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const raw = query.get('condition') ?? '';
  if (raw !== '' && !(WAIT_CONDITIONS as readonly string[]).includes(raw)) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid condition: "${raw}": use not-running, next-exit or removed`);
  }
  const condition = (raw === '' ? 'not-running' : raw) as WaitCondition;
  // A missing container is a 404 before any header is sent.
  await svc.inspect(params.id!);
  const result = svc.wait(params.id!, { condition, signal }).then(
    (r) => ({ StatusCode: r.StatusCode, ...(r.Error ? { Error: r.Error } : {}) }),
    (e: unknown) => ({ StatusCode: -1, Error: { Message: e instanceof Error ? e.message : String(e) } }),
  );
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      controller.enqueue(new TextEncoder().encode(JSON.stringify(await result) + '\n'));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
}

async function resize({ engine, params, query }: RouteContext): Promise<Response> {
  const h = intParam(query, 'h', 'container resize') ?? 0;
  const w = intParam(query, 'w', 'container resize') ?? 0;
  await containerService(engine).resize(params.id!, { h, w });
  return new Response(null, { status: 200 });
}

async function rename({ engine, params, query }: RouteContext): Promise<Response> {
  const name = query.get('name') ?? '';
  if (name === '') throw new WasmboxError('INVALID_ARGUMENT', 'container rename: the new name is required (?name=)');
  if (!NAME.test(name)) throw new WasmboxError('INVALID_ARGUMENT', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  await containerService(engine).rename(params.id!, name.replace(/^\//, ''));
  return noContent();
}

async function update({ engine, params, request }: RouteContext): Promise<Response> {
  const body = await readJson(request);
  const changes: Parameters<ContainerServiceApi['update']>[1] = {};
  if (body.Memory !== undefined) {
    if (typeof body.Memory !== 'number') throw new WasmboxError('INVALID_ARGUMENT', 'container update: Memory must be a number of bytes');
    changes.Memory = body.Memory;
  }
  if (body.RestartPolicy !== undefined && body.RestartPolicy !== null) changes.RestartPolicy = body.RestartPolicy as NonNullable<typeof changes.RestartPolicy>;
  const result = await containerService(engine).update(params.id!, changes);
  return json({ Warnings: result.Warnings ?? [] });
}

async function remove({ engine, params, query }: RouteContext): Promise<Response> {
  await containerService(engine).remove(params.id!, { force: boolParam(query, 'force'), volumes: boolParam(query, 'v') });
  return noContent();
}

async function attach({ engine, params, query, signal }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const io = new HijackedStdio(signal);
  const stdout = boolParam(query, 'stdout');
  const stderr = boolParam(query, 'stderr');
  try {
    const session = await svc.attach(params.id!, {
      ...(boolParam(query, 'stdin') ? { stdin: io.stdin } : {}),
      stdout,
      stderr,
      logs: boolParam(query, 'logs'),
      stream: boolParam(query, 'stream'),
      signal: io.signal,
    });
    return io.respond(session.output, { tty: session.tty, stdout, stderr });
  } catch (e) {
    io.abort();
    throw e;
  }
}

async function logs({ engine, params, query, signal }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const stdout = boolParam(query, 'stdout');
  const stderr = boolParam(query, 'stderr');
  if (!stdout && !stderr) throw new WasmboxError('INVALID_ARGUMENT', 'Bad parameters: you must choose at least one stream');
  const tailRaw = query.get('tail') ?? 'all';
  let tail: number | 'all' = 'all';
  if (tailRaw !== 'all' && tailRaw !== '') {
    const n = Number(tailRaw);
    if (!Number.isInteger(n)) throw new WasmboxError('INVALID_ARGUMENT', `container logs: invalid value for "tail": ${JSON.stringify(tailRaw)} is not a number of lines or "all"`);
    tail = n < 0 ? 'all' : n;
  }
  const since = timeParam(query, 'since', 'container logs');
  const until = timeParam(query, 'until', 'container logs');
  const info = await svc.inspect(params.id!);
  const tty = info.Config.Tty === true;
  const stop = linkedAbort(signal);
  const frames = svc.logs(params.id!, {
    follow: boolParam(query, 'follow'),
    stdout,
    stderr,
    tail,
    signal: stop.signal,
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  });
  const body = frameStream(frames, { tty, timestamps: boolParam(query, 'timestamps') }, stop);
  return new Response(body, { status: 200, headers: { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' } });
}

async function top({ engine, params }: RouteContext): Promise<Response> {
  return json(await containerService(engine).top(params.id!));
}

async function stats({ engine, params, query, signal }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const first = await svc.stats(params.id!);
  // `stream` defaults to true: one sample a second until the client leaves or the container stops.
  const streaming = query.get('stream') === null ? true : boolParam(query, 'stream');
  if (!streaming || boolParam(query, 'one-shot')) return json(first);
  async function* samples(): AsyncIterable<unknown> {
    yield first;
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (signal.aborted) return;
      try {
        yield await svc.stats(params.id!);
      } catch {
        return; // removed meanwhile
      }
    }
  }
  const encoder = new TextEncoder();
  return new Response(streamFrom(samples(), (s) => encoder.encode(JSON.stringify(s) + '\n')), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

async function changes({ engine, params }: RouteContext): Promise<Response> {
  return json(await containerService(engine).changes(params.id!));
}

async function exportContainer({ engine, params }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  await svc.inspect(params.id!);
  return new Response(streamFrom(svc.export(params.id!), (c) => c), { status: 200, headers: { 'Content-Type': 'application/x-tar' } });
}

function archivePath(query: URLSearchParams): string {
  const path = query.get('path') ?? '';
  if (path === '') throw new WasmboxError('INVALID_ARGUMENT', 'archive: the path parameter is required (?path=/dir/in/container)');
  return path;
}

async function archiveHead({ engine, params, query }: RouteContext): Promise<Response> {
  const stat = await containerService(engine).statPath(params.id!, archivePath(query));
  return new Response(null, { status: 200, headers: { 'X-Docker-Container-Path-Stat': pathStatHeader(stat), 'Content-Type': 'application/json' } });
}

async function archiveGet({ engine, params, query }: RouteContext): Promise<Response> {
  const { stat, tar } = await containerService(engine).getArchive(params.id!, archivePath(query));
  return new Response(streamFrom(tar, (c) => c), {
    status: 200,
    headers: { 'X-Docker-Container-Path-Stat': pathStatHeader(stat), 'Content-Type': 'application/x-tar' },
  });
}

async function archivePut({ engine, params, query, request }: RouteContext): Promise<Response> {
  await containerService(engine).putArchive(params.id!, archivePath(query), iterateStream(request.body), {
    noOverwriteDirNonDir: boolParam(query, 'noOverwriteDirNonDir'),
  });
  return new Response(null, { status: 200 });
}

async function prune({ engine, query }: RouteContext): Promise<Response> {
  const result = await containerService(engine).prune({ filters: filtersParam(query) });
  return json({ ContainersDeleted: result.ContainersDeleted.length > 0 ? result.ContainersDeleted : null, SpaceReclaimed: result.SpaceReclaimed });
}

async function commit({ engine, query, request }: RouteContext): Promise<Response> {
  const container = query.get('container') ?? '';
  if (container === '') throw new WasmboxError('INVALID_ARGUMENT', 'commit: the container parameter is required');
  // The docker CLI sends `null` when no config overrides were given.
  const text = await request.text();
  const body = text.trim() === 'null' ? {} : await readJson(new Request('http://body/', { method: 'POST', body: text }));
  const opt = (k: string) => {
    const v = query.get(k);
    return v === null || v === '' ? undefined : v;
  };
  const repo = opt('repo');
  const tag = opt('tag');
  const comment = opt('comment');
  const author = opt('author');
  const changesList = query.getAll('changes').filter((c) => c !== '');
  const result = await containerService(engine).commit(container, {
    ...(repo !== undefined ? { repo } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(author !== undefined ? { author } : {}),
    ...(changesList.length > 0 ? { changes: changesList } : {}),
    ...(Object.keys(body).length > 0 ? { config: body as Partial<ContainerCreateBody> } : {}),
  });
  return json({ Id: result.Id }, { status: 201 });
}

export function register(router: Router): void {
  router.get('/containers/json', list);
  router.post('/containers/create', create);
  router.post('/containers/prune', prune);
  router.post('/commit', commit);
  router.get('/containers/{id}/json', inspect);
  router.post('/containers/{id}/start', start);
  router.post('/containers/{id}/stop', stop);
  router.post('/containers/{id}/restart', restart);
  router.post('/containers/{id}/kill', kill);
  router.post('/containers/{id}/pause', pause);
  router.post('/containers/{id}/unpause', unpause);
  router.post('/containers/{id}/wait', wait);
  router.post('/containers/{id}/resize', resize);
  router.post('/containers/{id}/rename', rename);
  router.post('/containers/{id}/update', update);
  router.post('/containers/{id}/attach', attach);
  router.get('/containers/{id}/logs', logs);
  router.get('/containers/{id}/top', top);
  router.get('/containers/{id}/stats', stats);
  router.get('/containers/{id}/changes', changes);
  router.get('/containers/{id}/export', exportContainer);
  router.head('/containers/{id}/archive', archiveHead);
  router.get('/containers/{id}/archive', archiveGet);
  router.put('/containers/{id}/archive', archivePut);
  router.delete('/containers/{id}', remove);
}

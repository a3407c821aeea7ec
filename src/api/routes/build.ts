// `POST /build` (the classic builder's API: a tar context in, a JSON-lines stream of
// `{"stream"}`, `{"aux":{"ID"}}` and `{"errorDetail"}` out, which the docker CLI prints as
// `docker build` does with DOCKER_BUILDKIT=0) and `POST /build/prune`.

import { WasmboxError, isWasmboxError, toWasmboxError } from '../../errors.js';
import { tarBuildContext } from '../../build/context.js';
import { parseReference } from '../../image/reference.js';
import type { Router, RouteContext } from '../router.js';
import { boolParam, json } from '../http.js';
import { jsonLine, streamFrom } from '../stream-format.js';

type Message = Record<string, unknown>;

/** A JSON object of strings from a query parameter (buildargs, labels); null values are left out, as Docker does. */
function jsonMapParam(query: URLSearchParams, name: string): Record<string, string> {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `build: the ${name} parameter is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WasmboxError('INVALID_ARGUMENT', `build: the ${name} parameter must be a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw new WasmboxError('INVALID_ARGUMENT', `build: ${name}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/** wasmbox builds wasi/wasm images only: another platform is an error, not a silent mismatch. */
function checkPlatform(platform: string | null): void {
  if (platform === null || platform.trim() === '') return;
  const [os, arch] = platform.trim().toLowerCase().split('/');
  if ((os === 'wasi' || os === 'wasip1') && (arch === undefined || arch === 'wasm' || arch === 'wasm32')) return;
  throw new WasmboxError('INVALID_ARGUMENT', `build: platform "${platform}" is not supported: wasmbox builds wasi/wasm images`, {
    details: { platform },
  });
}

/**
 * Runs `produce` and answers with its messages as a JSON-lines stream. Until the first message
 * nothing is sent, so an early failure (no Dockerfile, a parse error) is a plain HTTP error, as
 * Docker answers before its output is flushed; later failures end the stream with an error line.
 */
async function deferredJsonStream(produce: (emit: (m: Message) => void) => Promise<void>, toError: (e: unknown) => Message): Promise<Response> {
  const queue: Message[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  void produce((m) => {
    queue.push(m);
    notify();
  })
    .catch((e: unknown) => {
      failure = { error: e };
    })
    .finally(() => {
      done = true;
      notify();
    });
  while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
  if (queue.length === 0 && failure) throw failure.error;
  async function* lines(): AsyncIterable<Message> {
    for (;;) {
      const next = queue.shift();
      if (next) yield next;
      else if (done) {
        if (failure) {
          const f = failure;
          failure = undefined;
          yield toError(f.error);
        }
        return;
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return new Response(streamFrom(lines(), jsonLine), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

/** Docker's error line; a failed RUN carries its exit status as the code, which the CLI exits with. */
function buildErrorLine(e: unknown): Message {
  const err = toWasmboxError(e);
  const exitCode = isWasmboxError(e, 'BUILD_FAILED') ? e.details?.exitCode : undefined;
  const detail: Message = { message: err.message };
  if (typeof exitCode === 'number' && exitCode !== 0) detail.code = exitCode;
  return { errorDetail: detail, error: err.message };
}

async function postBuild({ engine, query, request, signal }: RouteContext): Promise<Response> {
  const version = query.get('version');
  if (version !== null && version !== '' && version !== '1') {
    throw new WasmboxError('NOT_IMPLEMENTED', `build: builder version ${version} (BuildKit) is not supported; build with the classic builder: DOCKER_BUILDKIT=0 docker build`);
  }
  const remote = query.get('remote');
  if (remote !== null && remote !== '') {
    throw new WasmboxError('NOT_IMPLEMENTED', `build: remote build contexts are not supported (remote=${remote}): send the context as a tar (docker build PATH or docker build - < context.tar)`, {
      details: { remote },
    });
  }
  checkPlatform(query.get('platform'));
  const tags = query.getAll('t').filter((t) => t !== '');
  for (const t of tags) {
    try {
      parseReference(t);
    } catch (e) {
      throw new WasmboxError('INVALID_ARGUMENT', `invalid tag "${t}": ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { tag: t } });
    }
  }
  const buildArgs = jsonMapParam(query, 'buildargs');
  const labels = jsonMapParam(query, 'labels');
  const dockerfile = query.get('dockerfile') || 'Dockerfile';
  const target = query.get('target') || undefined;
  const quiet = boolParam(query, 'q');
  // X-Registry-Config (credentials for pulling base images) is accepted; bases come from the local store.
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'build: the request has no build context: send the context as a tar in the body');
  const context = await tarBuildContext(body);

  return deferredJsonStream(async (emit) => {
    // With q, output is held back and shown only if the build fails (Docker does the same).
    const held: string[] = [];
    try {
      const result = await engine.builds.build({
        context,
        dockerfile,
        buildArgs,
        labels,
        tags,
        ...(target !== undefined ? { target } : {}),
        noCache: boolParam(query, 'nocache'),
        pull: boolParam(query, 'pull'),
        progress: 'classic',
        onOutput: (text) => (quiet ? held.push(text) : emit({ stream: text })),
        signal,
      });
      emit({ aux: { ID: result.imageId } });
      if (quiet) emit({ stream: `${result.imageId}\n` });
    } catch (e) {
      if (quiet && held.length > 0) emit({ stream: held.join('') });
      throw e;
    }
  }, buildErrorLine);
}

async function pruneBuildCache({ engine }: RouteContext): Promise<Response> {
  const { cachesDeleted, spaceReclaimed } = await engine.builds.prune();
  return json({ CachesDeleted: cachesDeleted, SpaceReclaimed: spaceReclaimed });
}

export function register(router: Router): void {
  router.post('/build', postBuild);
  router.post('/build/prune', pruneBuildCache);
}

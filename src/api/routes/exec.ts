// Exec endpoints: create a process in a running container, start it attached (hijacked like
// attach: raw bytes with a TTY, multiplexed frames without) or detached, inspect its exit code,
// resize its TTY. `docker exec` reads the exit code from GET /exec/{id}/json after the stream ends.

import { WasmboxError } from '../../errors.js';
import type { ExecCreateBody } from '../../engine/container-types.js';
import type { Router, RouteContext } from '../router.js';
import { json, readJson } from '../http.js';
import { containerService, intParam } from './containers.js';
import { HijackedStdio } from './stdio.js';

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new WasmboxError('INVALID_ARGUMENT', `exec create: ${field} must be a list of strings`);
  return value as string[];
}

async function create({ engine, params, request }: RouteContext): Promise<Response> {
  const body = await readJson(request);
  const cmd = stringList(body.Cmd, 'Cmd');
  if (cmd === undefined || cmd.length === 0) throw new WasmboxError('INVALID_ARGUMENT', 'No exec command specified');
  const env = stringList(body.Env, 'Env');
  const config: ExecCreateBody = { Cmd: cmd };
  if (env) config.Env = env;
  if (typeof body.WorkingDir === 'string' && body.WorkingDir !== '') config.WorkingDir = body.WorkingDir;
  if (typeof body.User === 'string' && body.User !== '') config.User = body.User;
  for (const k of ['Tty', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Privileged'] as const) {
    if (body[k] !== undefined && body[k] !== null) config[k] = body[k] === true;
  }
  const { Id } = await containerService(engine).execCreate(params.id!, config);
  return json({ Id }, { status: 201 });
}

async function start({ engine, params, request, signal }: RouteContext): Promise<Response> {
  const svc = containerService(engine);
  const body = await readJson(request);
  const info = await svc.execInspect(params.id!);
  const tty = typeof body.Tty === 'boolean' ? body.Tty : info.ProcessConfig.tty;
  if (body.Detach === true) {
    const session = await svc.execStart(params.id!, { detach: true, tty });
    // Nobody reads a detached exec's output; drain it so the process never blocks on a full pipe.
    void (async () => {
      for await (const frame of session.output) void frame;
    })().catch(() => undefined);
    return new Response(null, { status: 200 });
  }
  const io = new HijackedStdio(signal);
  try {
    const session = await svc.execStart(params.id!, { ...(info.OpenStdin ? { stdin: io.stdin } : {}), tty });
    return io.respond(session.output, { tty: session.tty, stdout: info.OpenStdout, stderr: info.OpenStderr });
  } catch (e) {
    io.abort();
    throw e;
  }
}

async function inspect({ engine, params }: RouteContext): Promise<Response> {
  return json(await containerService(engine).execInspect(params.id!));
}

async function resize({ engine, params, query }: RouteContext): Promise<Response> {
  const h = intParam(query, 'h', 'exec resize') ?? 0;
  const w = intParam(query, 'w', 'exec resize') ?? 0;
  await containerService(engine).execResize(params.id!, { h, w });
  return new Response(null, { status: 200 });
}

export function register(router: Router): void {
  router.post('/containers/{id}/exec', create);
  router.post('/exec/{id}/start', start);
  router.get('/exec/{id}/json', inspect);
  router.post('/exec/{id}/resize', resize);
}

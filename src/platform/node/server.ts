// Serves an Engine API fetch handler (createApi(engine).fetch) over node:http on unix sockets
// and TCP: requests become web Requests with a streamed body, Responses are written chunk by
// chunk as they come (`docker events`, load progress), and a HijackResponse takes the socket
// over — `101 UPGRADED` for `Upgrade: tcp` requests, a plain 200 stream otherwise (dockerode).

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { WasmboxError } from '../../errors.js';
import { isHijackResponse } from '../../api/hijack.js';
import type { HijackResponse, HijackedConnection } from '../../api/hijack.js';

export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface ServerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ServeOptions {
  listen: ListenAddress[];
  logger?: Partial<ServerLogger>;
  /** Permissions of unix sockets (default 0o660, as dockerd's). */
  socketMode?: number;
}

export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
}

export interface ApiServer {
  /** What the server listens on, as DOCKER_HOST values: `unix:///run/x.sock`, `tcp://127.0.0.1:2375`. */
  readonly hosts: string[];
  /** Stops listening, ends open connections (streams, hijacked sockets) and removes unix sockets. */
  close(): Promise<void>;
}

/** Parses a `-H` value: `unix:///path`, `/path`, `tcp://host:port` (host defaults to 127.0.0.1). */
export function parseListenAddress(value: string): ListenAddress {
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (path === '') throw new WasmboxError('INVALID_ARGUMENT', `invalid host ${value}: a unix socket needs a path (unix:///path/to.sock)`);
    return { kind: 'unix', path };
  }
  if (value.startsWith('/')) return { kind: 'unix', path: value };
  const tcp = /^tcp:\/\/(\[[^\]]*\]|[^:/]*)(?::(\d+))?\/?$/.exec(value);
  if (tcp) {
    const port = tcp[2] === undefined ? 2375 : Number(tcp[2]);
    if (port > 65535) throw new WasmboxError('INVALID_ARGUMENT', `invalid host ${value}: port ${port} is out of range`);
    return { kind: 'tcp', host: (tcp[1] || '127.0.0.1').replace(/^\[|\]$/g, ''), port };
  }
  throw new WasmboxError('INVALID_ARGUMENT', `invalid host ${value}: expected unix:///path or tcp://host:port`);
}

/**
 * An upgrade request's body (exec start's `{"Detach":false}`) arrives on the socket before the
 * hijacked stream: take its Content-Length bytes so they do not become the process's stdin.
 */
function readUpgradeBody(socket: Duplex, head: Buffer, length: number): Promise<{ body: Buffer; rest: Buffer }> {
  const split = (buf: Buffer) => ({ body: buf.subarray(0, length), rest: buf.subarray(length) });
  if (head.length >= length) return Promise.resolve(split(head));
  return new Promise((resolve, reject) => {
    let buf = head;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < length) return;
      cleanup();
      socket.pause();
      resolve(split(buf));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`connection closed after ${buf.length} of ${length} bytes of the request body`));
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

function requestFrom(req: IncomingMessage, options: { body: boolean | Uint8Array; signal: AbortSignal }): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // A header the fetch API refuses (invalid characters) is dropped rather than failing the request.
    }
  }
  const method = req.method ?? 'GET';
  const hasBody = options.body !== false && method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: options.signal };
  if (hasBody && options.body instanceof Uint8Array) {
    init.body = new Uint8Array(options.body);
  } else if (hasBody) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  // The docker CLI sends `Host: api.moby.localhost` on unix sockets; the path is all that matters.
  return new Request(new URL(req.url ?? '/', 'http://localhost'), init);
}

function headerRecord(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => (out[k] = v));
  return out;
}

/** Resolves when the response can take more data, or when the connection closed. */
function drained(res: ServerResponse | Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, headerRecord(response));
  if (!response.body || res.req.method === 'HEAD') {
    await response.body?.cancel().catch(() => undefined);
    res.end();
    return;
  }
  // Headers go out now: a stream (`docker events`) may not produce a byte for a long time.
  res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (e) {
    // The body failed midway; the status is already sent, so the connection is cut.
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  } finally {
    res.off('close', onClose);
  }
}

function socketReadable(socket: Duplex, head: Uint8Array | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (head && head.length > 0) controller.enqueue(new Uint8Array(head));
      socket.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.on('end', () => {
        try {
          controller.close();
        } catch {
          // Already closed or cancelled.
        }
      });
      socket.on('error', (e) => {
        try {
          controller.error(e);
        } catch {
          // Already closed.
        }
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.pause();
    },
  });
}

function writableTo(target: { write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean; end(): void; destroy(): void }): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise((resolve, reject) => target.write(chunk, (err) => (err ? reject(err) : resolve())));
    },
    close() {
      target.end();
    },
    abort() {
      target.destroy();
    },
  });
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented' };

/** Writes a whole response on a raw socket (an upgrade request that got an ordinary answer). */
async function writeRawResponse(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? 'Status'}`];
  response.headers.forEach((v, k) => {
    if (k !== 'content-length' && k !== 'connection' && k !== 'transfer-encoding') lines.push(`${k}: ${v}`);
  });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  socket.write(lines.join('\r\n'));
  socket.end(body);
}

/** Serves `handler` on every address; resolves once all are listening. */
export async function serve(handler: FetchHandler, options: ServeOptions): Promise<ApiServer> {
  const log = options.logger ?? {};
  const servers: Server[] = [];
  const hijacked = new Set<Duplex>();
  const hosts: string[] = [];
  const unixPaths: string[] = [];

  const runHijack = async (hijack: HijackResponse, connection: HijackedConnection, socket: Duplex, end: () => void) => {
    hijacked.add(socket);
    socket.on('close', () => hijacked.delete(socket));
    try {
      await hijack.hijack(connection);
      end();
    } catch (e) {
      log.error?.(`hijacked connection failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      socket.destroy();
    }
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let request: Request;
    try {
      request = requestFrom(req, { body: true, signal: abort.signal });
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `bad request: ${(e as Error).message}` }) + '\n');
      return;
    }
    try {
      const response = await handler.fetch(request);
      log.debug?.(`${req.method} ${req.url} → ${response.status} (${(performance.now() - started).toFixed(1)} ms)`);
      if (isHijackResponse(response)) {
        // No `Upgrade: tcp` (dockerode): a 200 whose body is the output; input is the request body.
        res.writeHead(200, headerRecord(response));
        res.flushHeaders();
        const readable = request.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
        await runHijack(response, { readable, writable: writableTo(res) }, req.socket, () => {
          if (!res.writableEnded) res.end();
        });
        return;
      }
      await writeResponse(res, response);
    } catch (e) {
      log.error?.(`${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: String(e) }) + '\n');
      else res.destroy();
    }
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const abort = new AbortController();
    socket.on('close', () => abort.abort());
    socket.on('error', () => undefined);
    try {
      const length = Number(req.headers['content-length'] ?? 0);
      const { body, rest } = Number.isSafeInteger(length) && length > 0 ? await readUpgradeBody(socket, head, length) : { body: undefined, rest: head };
      head = rest;
      const response = await handler.fetch(requestFrom(req, { body: body ?? false, signal: abort.signal }));
      log.debug?.(`${req.method} ${req.url} (upgrade) → ${isHijackResponse(response) ? 101 : response.status}`);
      if (!isHijackResponse(response)) {
        await writeRawResponse(socket, response);
        return;
      }
      const lines = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${response.mediaType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
      response.headers.forEach((v, k) => {
        if (k !== 'content-type' && k !== 'connection' && k !== 'upgrade' && k !== 'content-length') lines.push(`${k}: ${v}`);
      });
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      const connection = { readable: socketReadable(socket, head), writable: writableTo(socket as Socket) };
      await runHijack(response, connection, socket, () => {
        if (!socket.writableEnded) socket.end();
      });
    } catch (e) {
      log.error?.(`${req.method} ${req.url} (upgrade): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      socket.destroy();
    }
  };

  const closeAll = async () => {
    for (const s of hijacked) s.destroy();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    for (const p of unixPaths) await unlink(p).catch(() => undefined);
  };

  try {
    for (const address of options.listen) {
      const server = createServer({ requestTimeout: 0 });
      server.on('request', (req, res) => void onRequest(req, res));
      server.on('upgrade', (req, socket, head) => void onUpgrade(req, socket, head));
      servers.push(server);
      if (address.kind === 'unix') {
        await removeStaleSocket(address.path);
        await listen(server, address.path);
        unixPaths.push(address.path);
        await chmod(address.path, options.socketMode ?? 0o660);
        hosts.push(`unix://${address.path}`);
      } else {
        if (!['127.0.0.1', 'localhost', '::1'].includes(address.host)) {
          log.warn?.(`listening on tcp://${address.host}:${address.port} without TLS: anyone who can reach it controls the daemon`);
        }
        await listen(server, { host: address.host, port: address.port });
        const a = server.address();
        const port = typeof a === 'object' && a ? a.port : address.port;
        hosts.push(`tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`);
      }
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  for (const h of hosts) log.info?.(`API listening on ${h}`);
  return { hosts, close: closeAll };
}

function listen(server: Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

/** A socket file left by a daemon that died is removed; one a live daemon answers on is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) throw new WasmboxError('EEXIST', `cannot listen on ${path}: a file that is not a socket is in the way`, { details: { path } });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const alive = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new WasmboxError('EBUSY', `cannot listen on ${path}: another daemon is already listening there`, { details: { path } });
  await unlink(path);
}

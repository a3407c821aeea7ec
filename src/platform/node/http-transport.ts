// The API client's transport on Node: node:http over a unix socket or TCP, with streamed request
// and response bodies, and Docker's hijack (`Connection: Upgrade`, `Upgrade: tcp` → `101`) for
// attach and exec, whose socket becomes a pair of web streams.

import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { WasmboxError } from '../../errors.js';
import type { ApiTransport, ApiUpgrade, UpgradedConnection } from '../../api/client.js';
import { parseListenAddress } from './server.js';

export interface NodeHttpTransport {
  fetch: ApiTransport;
  upgrade: ApiUpgrade;
  /** The daemon address as given (`unix:///path.sock`, `tcp://host:port`). */
  host: string;
}

const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

/** Where requests go: a socket path, or host and port. */
function target(host: string): Pick<RequestOptions, 'socketPath' | 'host' | 'port'> {
  const address = parseListenAddress(host);
  return address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
}

function requestOptions(host: string, request: Request, extra: Record<string, string> = {}): RequestOptions {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  return {
    ...target(host),
    method: request.method,
    path: url.pathname + url.search,
    headers: { Host: 'wasmbox', ...headers, ...extra },
    ...(request.signal ? { signal: request.signal } : {}),
  };
}

function responseOf(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) headers.append(k, item);
  }
  const status = res.statusCode ?? 500;
  const noBody = NO_BODY_STATUS.has(status) || method === 'HEAD';
  if (noBody) res.resume();
  const body = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

function unreachable(host: string, e: unknown): WasmboxError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'Is the wasmbox daemon running?' : String(e instanceof Error ? e.message : e);
  return new WasmboxError('INTERNAL', `Cannot connect to the wasmbox daemon at ${host}. ${reason}`, { cause: e, details: { host, code } });
}

/** Writes the request's body (streamed) and ends it. */
async function sendBody(req: ReturnType<typeof httpRequest>, request: Request): Promise<void> {
  if (request.body === null) {
    req.end();
    return;
  }
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!req.write(value)) await new Promise<void>((resolve) => req.once('drain', resolve));
    }
    req.end();
  } catch (e) {
    req.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

/** The hijacked socket as web streams: closing the writable half-closes the socket, as the docker CLI does. */
function connectionOf(socket: Duplex, head: Buffer): UpgradedConnection {
  if (head.length > 0) socket.unshift(head);
  const readable = Readable.toWeb(socket as Readable) as ReadableStream<Uint8Array>;
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        socket.write(chunk, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => void socket.end(),
    abort: () => void socket.destroy(),
  });
  return { readable, writable };
}

/** A transport to the daemon at `host` (`unix:///path.sock` or `tcp://host:port`). */
export function nodeHttpTransport(host: string): NodeHttpTransport {
  target(host); // a bad address fails here, not at the first request
  return {
    host,
    fetch(request) {
      return new Promise<Response>((resolve, reject) => {
        const req = httpRequest(requestOptions(host, request));
        req.on('response', (res) => resolve(responseOf(res, request.method)));
        req.on('error', (e) => reject(request.signal?.aborted ? e : unreachable(host, e)));
        void sendBody(req, request);
      });
    },
    upgrade(request) {
      return new Promise<UpgradedConnection | Response>((resolve, reject) => {
        void request.arrayBuffer().then((body) => {
          const bytes = new Uint8Array(body);
          const req = httpRequest(requestOptions(host, request, { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Length': String(bytes.length) }));
          req.on('upgrade', (_res, socket, head) => resolve(connectionOf(socket, head)));
          req.on('response', (res) => resolve(responseOf(res, request.method)));
          req.on('error', (e) => reject(unreachable(host, e)));
          req.end(bytes);
        }, reject);
      });
    },
  };
}

/** True when a daemon answers `GET /_ping` at `host` within `timeoutMs`. */
export async function daemonAnswers(host: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
  const transport = nodeHttpTransport(host);
  try {
    const response = await transport.fetch(new Request('http://wasmbox/_ping', { signal: AbortSignal.timeout(options.timeoutMs ?? 200) }));
    await response.arrayBuffer().catch(() => undefined);
    return response.ok;
  } catch {
    return false;
  }
}

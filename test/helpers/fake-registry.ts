// An in-memory registry that can misbehave on purpose: it serves manifests and blobs (with
// Range) from maps, and per-blob faults make it send a wrong blob, a truncated body, a 500, or
// drop the connection mid-body. Used as an injected fetch (unit tests) and over node:http
// (integration tests, where a drop is a real socket reset). It also takes uploads (POST, PATCH,
// PUT), manifests, `_catalog`, and can demand Basic credentials (`users`).

import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestOf } from '../../src/content/digest.js';
import type { Digest } from '../../src/content/digest.js';
import type { FetchLike } from '../../src/image/registry/client.js';
import type { Descriptor } from '../../src/image/manifest.js';

/** What to do to one response for a blob: the n-th request for it (0-based) is passed. */
export type BlobFault = 'wrong' | 'truncate' | 'drop' | 500 | undefined;

export interface FakeRequest {
  method: string;
  path: string;
  range: string | undefined;
}

export class FakeRegistry {
  readonly blobs = new Map<Digest, Uint8Array>();
  readonly manifests = new Map<string, { bytes: Uint8Array; mediaType: string }>();
  readonly requests: FakeRequest[] = [];
  /** Honour `Range: bytes=N-` with 206. */
  rangeSupport = true;
  fault: (digest: Digest, attempt: number) => BlobFault = () => undefined;
  /** When set, every request needs `Authorization: Basic` with one of these user → password pairs. */
  users: Record<string, string> | undefined;
  /** Answer `/v2/_catalog` (distribution's optional listing). */
  catalogSupport = true;
  readonly #attempts = new Map<Digest, number>();
  readonly #uploads = new Map<string, Uint8Array[]>();
  #nextUpload = 0;

  addBlob(bytes: Uint8Array, mediaType = 'application/octet-stream'): Descriptor {
    const digest = digestOf(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores a manifest or index under `path:tag` and `path:digest`; returns its descriptor. */
  addManifest(path: string, tag: string | undefined, doc: object, mediaType: string): Descriptor {
    const bytes = new TextEncoder().encode(JSON.stringify(doc));
    const digest = digestOf(bytes);
    this.manifests.set(`${path}:${digest}`, { bytes, mediaType });
    if (tag !== undefined) this.manifests.set(`${path}:${tag}`, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores manifest bytes as pushed under `path:reference` and `path:digest`. */
  addManifestBytes(path: string, reference: string, bytes: Uint8Array, mediaType: string): Digest {
    const digest = digestOf(bytes);
    this.manifests.set(`${path}:${digest}`, { bytes, mediaType });
    if (reference !== digest) this.manifests.set(`${path}:${reference}`, { bytes, mediaType });
    return digest;
  }

  #upload(method: string, u: URL, path: string, id: string, body: Uint8Array): { status: number; headers: Record<string, string>; body: Uint8Array } {
    const empty = new Uint8Array();
    if (method === 'POST' && id === '') {
      const session = String(this.#nextUpload++);
      this.#uploads.set(session, []);
      return { status: 202, headers: { Location: `/v2/${path}/blobs/uploads/${session}`, 'Docker-Upload-UUID': session, Range: '0-0' }, body: empty };
    }
    const parts = this.#uploads.get(id);
    if (!parts) return { status: 404, headers: {}, body: new TextEncoder().encode('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown"}]}') };
    if (body.length > 0) parts.push(body);
    const size = parts.reduce((n, p) => n + p.length, 0);
    if (method === 'PATCH') return { status: 202, headers: { Location: `/v2/${path}/blobs/uploads/${id}`, Range: `0-${Math.max(0, size - 1)}` }, body: empty };
    if (method === 'PUT') {
      const all = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const digest = digestOf(all);
      if (digest !== u.searchParams.get('digest')) {
        return { status: 400, headers: { 'Content-Type': 'application/json' }, body: new TextEncoder().encode('{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}') };
      }
      this.#uploads.delete(id);
      this.blobs.set(digest, all);
      return { status: 201, headers: { Location: `/v2/${path}/blobs/${digest}`, 'Docker-Content-Digest': digest }, body: empty };
    }
    return { status: 405, headers: {}, body: empty };
  }

  attempts(digest: Digest): number {
    return this.#attempts.get(digest) ?? 0;
  }

  /**
   * The response for a request, plus how to misbehave while sending its body: `cutAt` bytes are
   * sent, then the connection is dropped (`drop`) or the body just ends early (`truncate`).
   */
  respond(
    method: string,
    url: string,
    headers: Headers,
    requestBody: Uint8Array = new Uint8Array(),
  ): { status: number; headers: Record<string, string>; body: Uint8Array; cutAt?: number; cut?: 'drop' | 'truncate' } {
    const u = new URL(url);
    const range = headers.get('range') ?? undefined;
    this.requests.push({ method, path: u.pathname, range });
    const errorBody = (code: string) => new TextEncoder().encode(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));
    if (this.users !== undefined) {
      const authz = headers.get('authorization') ?? '';
      const [user, ...rest] = authz.startsWith('Basic ') ? atob(authz.slice(6)).split(':') : [];
      if (user === undefined || this.users[user] === undefined || this.users[user] !== rest.join(':')) {
        return { status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="fake-registry"' }, body: errorBody('UNAUTHORIZED') };
      }
    }
    if (u.pathname === '/v2/') return { status: 200, headers: {}, body: new Uint8Array() };
    const notFound = (code: string) => ({ status: 404, headers: { 'Content-Type': 'application/json' }, body: errorBody(code) });
    if (u.pathname === '/v2/_catalog') {
      if (!this.catalogSupport) return notFound('UNSUPPORTED');
      // Keys are `path:tag` or `path:sha256:…`; a repository path has no colon.
      const repositories = [...new Set([...this.manifests.keys()].map((k) => k.slice(0, k.indexOf(':'))))].sort();
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: new TextEncoder().encode(JSON.stringify({ repositories })) };
    }
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(u.pathname);
    if (upload) return this.#upload(method, u, upload[1]!, upload[2]!, requestBody);
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(u.pathname);
    if (!m) return notFound('NAME_UNKNOWN');
    const [, path, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests' && method === 'PUT') {
      const digest = this.addManifestBytes(path, ref, requestBody, headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json');
      return { status: 201, headers: { 'Docker-Content-Digest': digest, Location: `/v2/${path}/manifests/${digest}` }, body: new Uint8Array() };
    }
    if (kind === 'manifests') {
      const hit = this.manifests.get(`${path}:${ref}`);
      if (!hit) return notFound('MANIFEST_UNKNOWN');
      return { status: 200, headers: { 'Content-Type': hit.mediaType, 'Docker-Content-Digest': digestOf(hit.bytes) }, body: method === 'HEAD' ? new Uint8Array() : hit.bytes };
    }
    const digest = ref as Digest;
    const blob = this.blobs.get(digest);
    if (!blob) return notFound('BLOB_UNKNOWN');
    if (method === 'HEAD') return { status: 200, headers: { 'Content-Length': String(blob.length) }, body: new Uint8Array() };
    const attempt = this.attempts(digest);
    this.#attempts.set(digest, attempt + 1);
    const fault = this.fault(digest, attempt);
    if (fault === 500) return { status: 500, headers: {}, body: new TextEncoder().encode('internal error') };
    let body = blob;
    if (fault === 'wrong') body = blob.map((b) => b ^ 0xff);
    let status = 200;
    const out: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    const r = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (r && this.rangeSupport) {
      const start = Number(r[1]);
      body = body.subarray(start);
      status = 206;
      out['Content-Range'] = `bytes ${start}-${blob.length - 1}/${blob.length}`;
    }
    out['Content-Length'] = String(body.length);
    if (fault === 'drop' || fault === 'truncate') return { status, headers: out, body, cutAt: Math.floor(body.length / 2), cut: fault };
    return { status, headers: out, body };
  }

  /** This registry as a fetch function (no sockets): a drop errors the body stream mid-way. */
  readonly fetch: FetchLike = async (url, init) => {
    const b = init.body;
    const body = b instanceof Uint8Array ? b : typeof b === 'string' ? new TextEncoder().encode(b) : b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array();
    const r = this.respond(init.method ?? 'GET', url, new Headers(init.headers), body);
    if (r.cut === undefined) return new Response(r.status === 204 || init.method === 'HEAD' ? null : (r.body as BodyInit), { status: r.status, headers: r.headers });
    const first = r.body.subarray(0, r.cutAt);
    const cut = r.cut;
    let sent = false;
    // Pull-based so the first half is read before the error (an error discards queued chunks).
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(first);
        } else if (cut === 'drop') controller.error(new TypeError('terminated: other side closed'));
        else controller.close();
      },
    });
    const headers = { ...r.headers };
    if (cut === 'truncate') delete headers['Content-Length'];
    return new Response(stream, { status: r.status, headers });
  };

  /** Serves the registry on 127.0.0.1; a drop resets the socket after half the body. */
  async listen(): Promise<{ host: string; close(): Promise<void> }> {
    const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const r = this.respond(req.method ?? 'GET', `http://${req.headers.host}${req.url}`, headers, new Uint8Array(Buffer.concat(chunks)));
      if (r.cut === 'truncate') {
        // Chunked encoding ends cleanly: only the length tells that bytes are missing.
        delete r.headers['Content-Length'];
        res.writeHead(r.status, r.headers);
        res.end(Buffer.from(r.body.subarray(0, r.cutAt)));
        return;
      }
      res.writeHead(r.status, r.headers);
      if (r.cut === 'drop') {
        res.write(Buffer.from(r.body.subarray(0, r.cutAt)), () => setTimeout(() => req.socket.destroy(), 10));
        return;
      }
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(r.body));
    };
    const server: Server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      host: `127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

// createApi(engine).fetch: the Docker Engine API as a `fetch(Request) → Response` handler, so
// one implementation serves a unix socket or TCP (platform/node/server.ts), a Service Worker, or
// a test calling it directly. Versioned (`/v1.NN/…`) and unversioned paths are both accepted.

import { isWasmboxError, toWasmboxError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import { compareVersions, errorResponse } from './http.js';
import { Router } from './router.js';
import * as builds from './routes/build.js';
import * as containers from './routes/containers.js';
import * as exec from './routes/exec.js';
import * as images from './routes/images.js';
import * as registry from './routes/registry.js';
import * as system from './routes/system.js';
import * as volumes from './routes/volumes.js';
import { API_VERSION, MIN_API_VERSION } from './versions.js';


export interface ApiLogger {
  debug(message: string): void;
  error(message: string): void;
}

export interface ApiOptions {
  /** The `Server: wasmbox/<version>` header; default: the engine's version. */
  version?: string;
  minApiVersion?: string;
  logger?: ApiLogger;
}

export interface Api {
  fetch(request: Request): Promise<Response>;
  /** The route table; later resources (containers, exec, networks) register on it. */
  router: Router;
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

export function createApi(engine: Engine, options: ApiOptions = {}): Api {
  const router = new Router();
  system.register(router);
  registry.register(router);
  images.register(router);
  volumes.register(router);
  builds.register(router);
  containers.register(router);
  exec.register(router);
  const minVersion = options.minApiVersion ?? MIN_API_VERSION;
  const serverHeader = `wasmbox/${options.version ?? engine.system.version} (wasi)`;
  const logger = options.logger;

  const withHeaders = (response: Response): Response => {
    // A Response's headers may be immutable (Response.error, fetch results); the routes' are not.
    try {
      response.headers.set('Api-Version', API_VERSION);
      response.headers.set('Server', serverHeader);
      if (!response.headers.has('Docker-Experimental')) response.headers.set('Docker-Experimental', 'false');
      return response;
    } catch {
      const headers = new Headers(response.headers);
      headers.set('Api-Version', API_VERSION);
      headers.set('Server', serverHeader);
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
  };

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let path = url.pathname.replace(/\/+$/, '') || '/';
    let apiVersion = API_VERSION;
    const versioned = VERSION_PREFIX.exec(path);
    if (versioned) {
      apiVersion = versioned[1]!;
      path = versioned[2]!;
      if (compareVersions(apiVersion, API_VERSION) > 0) {
        return errorResponse(400, `client version ${apiVersion} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      if (compareVersions(apiVersion, minVersion) < 0) {
        return errorResponse(400, `client version ${apiVersion} is too old. Minimum supported API version is ${minVersion}, please upgrade your client to a newer version`);
      }
    }
    const match = router.match(request.method, path);
    if (match === undefined) return errorResponse(404, 'page not found');
    if (match === 'methodNotAllowed') return errorResponse(405, `method ${request.method} not allowed on ${path}`);
    try {
      return await match.handler({ request, params: match.params, query: url.searchParams, engine, apiVersion, signal: request.signal });
    } catch (e) {
      const err = toWasmboxError(e);
      if (!isWasmboxError(e) || err.httpStatus >= 500) logger?.error(`${request.method} ${url.pathname}: ${err.stack ?? err.message}`);
      return errorResponse(err.httpStatus, err.message);
    }
  }

  return {
    router,
    async fetch(request: Request): Promise<Response> {
      return withHeaders(await handle(request));
    },
  };
}

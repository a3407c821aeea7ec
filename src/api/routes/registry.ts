// Registry endpoints that are not about one image: `POST /auth` (docker login through the
// daemon, which checks the credentials against the registry's /v2/) and `GET /images/search`
// (Docker Hub's search, or a registry's catalog).

import { WasmboxError } from '../../errors.js';
import { credentialsOfAuthConfig, decodeRegistryAuthHeader } from '../../image/registry/auth.js';
import type { DockerAuthConfig } from '../../image/registry/auth.js';
import type { SearchResult } from '../../engine/registry.js';
import { filtersParam, json, readJson } from '../http.js';
import type { Router, RouteContext } from '../router.js';

async function auth({ engine, request, signal }: RouteContext): Promise<Response> {
  const body = (await readJson(request)) as DockerAuthConfig;
  const credentials = credentialsOfAuthConfig(body);
  if (!credentials) throw new WasmboxError('INVALID_ARGUMENT', 'login: the request has neither a username and password nor an identity token');
  return json(await engine.registry.login(body.serveraddress, credentials, { signal }));
}

/** docker's search filters: `is-official`, `is-automated` (booleans) and `stars` (a minimum). */
function applySearchFilters(results: SearchResult[], query: URLSearchParams): SearchResult[] {
  const filters = filtersParam(query);
  for (const key of Object.keys(filters)) {
    if (!['is-official', 'is-automated', 'stars'].includes(key)) throw new WasmboxError('INVALID_ARGUMENT', `invalid filter '${key}'`);
  }
  const bool = (key: 'is-official' | 'is-automated'): boolean | undefined => {
    const v = filters[key]?.[0];
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw new WasmboxError('INVALID_ARGUMENT', `invalid filter '${key}=${v}'`);
    return v === 'true';
  };
  const official = bool('is-official');
  const automated = bool('is-automated');
  const stars = Math.max(0, ...(filters.stars ?? []).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new WasmboxError('INVALID_ARGUMENT', `invalid filter 'stars=${s}'`);
    return n;
  }));
  return results.filter((r) => (official === undefined || r.is_official === official) && (automated === undefined || r.is_automated === automated) && r.star_count >= stars);
}

async function search({ engine, query, request, signal }: RouteContext): Promise<Response> {
  const term = query.get('term') ?? '';
  const limit = Number(query.get('limit') ?? '') || undefined;
  const credentials = credentialsOfAuthConfig(decodeRegistryAuthHeader(request.headers.get('x-registry-auth')));
  const results = await engine.registry.search(term, { ...(limit ? { limit } : {}), ...(credentials ? { credentials } : {}), signal });
  return json(applySearchFilters(results, query));
}

export function register(router: Router): void {
  router.post('/auth', auth);
  router.get('/images/search', search);
}

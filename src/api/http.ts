// Small helpers of the Engine API handlers: JSON bodies and responses, Docker's error body
// (`{"message": …}` with the status of HTTP_STATUS), and Docker's query parameter parsing.

import { WasmboxError } from '../errors.js';
import { parseFilters } from '../engine/filters.js';
import type { Filters } from '../engine/filters.js';

const encoder = new TextEncoder();

/** A JSON response with a Content-Length (adapters send sized bodies whole, streams chunked). */
export function json(value: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const body = encoder.encode(JSON.stringify(value) + '\n');
  return new Response(body, {
    status: init.status ?? 200,
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...init.headers },
  });
}

export function noContent(status = 204): Response {
  return new Response(null, { status });
}

/** Docker's error body. */
export function errorResponse(status: number, message: string): Response {
  return json({ message }, { status });
}

/** Docker's boolean query values: absent, "", "0", "no", "false", "none" are false. */
export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export function filtersParam(query: URLSearchParams): Filters {
  return parseFilters(query.get('filters'));
}

/** The request's JSON body (an object); an empty body is `{}`. INVALID_ARGUMENT otherwise. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid JSON in the request body: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WasmboxError('INVALID_ARGUMENT', 'the request body must be a JSON object');
  }
  return doc as Record<string, unknown>;
}

/** A string-to-string map from a JSON body field (Labels, DriverOpts); null means empty. */
export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new WasmboxError('INVALID_ARGUMENT', `${field} must be an object of strings`);
  }
  return { ...(value as Record<string, string>) };
}

/** `1.50` < `1.9`? Compares dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// Docker's list filters (`--filter key=value`), normalised: each key maps to the values given
// for it. The API parses the `filters` query parameter into this; services match against it.

import { WasmboxError } from '../errors.js';

/** `{ dangling: ['true'], label: ['a=b', 'c'] }`: values of one key OR together, keys AND. */
export type Filters = Record<string, string[]>;

/**
 * Parses the `filters` JSON of the Engine API. Accepts the current map form
 * (`{"label":{"a=b":true}}`) and the legacy array form (`{"label":["a=b"]}`).
 */
export function parseFilters(json: string | null | undefined): Filters {
  if (json === null || json === undefined || json.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid filters: ${JSON.stringify(json)} is not JSON`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid filters: expected a JSON object, got ${JSON.stringify(json)}`);
  }
  const out: Filters = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = [...(value as string[])];
    else if (value !== null && typeof value === 'object') {
      out[key] = Object.entries(value as Record<string, unknown>)
        .filter(([, on]) => on === true)
        .map(([v]) => v);
    } else {
      throw new WasmboxError('INVALID_ARGUMENT', `invalid filter "${key}": expected a list or a map of values`);
    }
  }
  return out;
}

/** Refuses keys a list does not know, with docker's wording. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.includes(key)) {
      throw new WasmboxError('INVALID_ARGUMENT', `invalid filter '${key}'`, { details: { filter: key, allowed } });
    }
  }
}

/** A boolean filter (`dangling=true`); undefined when absent. */
export function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters[key];
  if (values === undefined || values.length === 0) return undefined;
  const parsed = values.map((v) => {
    const l = v.toLowerCase();
    if (l === 'true' || l === '1') return true;
    if (l === 'false' || l === '0') return false;
    throw new WasmboxError('INVALID_ARGUMENT', `invalid filter '${key}=${v}': expected true or false`);
  });
  if (parsed.some((p) => p !== parsed[0])) {
    throw new WasmboxError('INVALID_ARGUMENT', `conflicting values for filter '${key}'`);
  }
  return parsed[0];
}

/** `label=key` or `label=key=value` (and `label!=…`, as `invert`), against a label map. */
export function matchLabels(labels: Record<string, string> | undefined, wanted: string[] | undefined, options: { invert?: boolean } = {}): boolean {
  if (wanted === undefined || wanted.length === 0) return true;
  const have = labels ?? {};
  const one = (w: string) => {
    const eq = w.indexOf('=');
    if (eq === -1) return Object.hasOwn(have, w);
    return have[w.slice(0, eq)] === w.slice(eq + 1);
  };
  // Docker ANDs label filters: every label given must be present.
  return options.invert ? !wanted.some(one) : wanted.every(one);
}

/** Docker's `reference` filter: a shell-style glob (`*`, `?`, `[...]`) over a familiar name. */
export function globMatch(pattern: string, value: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/\\/g, '\\\\').replace(/^!/, '^') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$').test(value);
}

/**
 * A time filter value (`until=…`, `since=…` for events): unix seconds with an optional
 * fraction, an RFC 3339 time, or a Go duration before now (`10m`, `1h30m`). Returns ms.
 */
export function parseTimeFilter(value: string, nowMs: number): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.exec(value);
  if (duration) {
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]!]!;
    return nowMs - ms;
  }
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return t;
  throw new WasmboxError('INVALID_ARGUMENT', `invalid time "${value}": expected unix seconds, an RFC 3339 time or a duration like 10m`);
}

// How image names and ids read on the command line: docker's 12-hex short ids, the name an
// error message shows ("No such image: ruby:latest"), and `--filter reference=` glob matching.

import { isWasmboxError } from '../errors.js';
import { tryParseReference } from '../image/reference.js';

/** The IMAGE ID column: 12 hex digits, or the full `sha256:…` with --no-trunc. */
export function displayId(id: string, options: { noTrunc?: boolean } = {}): string {
  if (options.noTrunc) return id;
  return id.replace(/^sha256:/, '').slice(0, 12);
}

const ID_LIKE = /^(?:sha256:[a-f0-9]{1,64}|[a-f0-9]{64})$/;

/** What docker prints for a name the user typed: `ruby` → `ruby:latest`; ids stay as typed. */
export function displayName(input: string): string {
  if (ID_LIKE.test(input)) return input;
  return tryParseReference(input)?.familiar() ?? input;
}

/** `No such image: ruby:latest`, the daemon's wording, for an IMAGE_NOT_FOUND about `input`. */
export function engineErrorMessage(e: unknown, input: string): string {
  if (isWasmboxError(e, 'IMAGE_NOT_FOUND') && !/ambiguous/.test(e.message)) return `No such image: ${displayName(input)}`;
  return e instanceof Error ? e.message : String(e);
}

/** Go's path.Match: `*` and `?` stop at `/`, `[…]` classes, `\` escapes. */
export function globMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escape(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\\\]]/g, '\\$&');
      else cls = cls.replace(/[\\\]^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`).test(name);
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** docker's reference filter: the pattern matches `name:tag` or just `name` (familiar forms). */
export function referenceMatches(pattern: string, familiarTag: string): boolean {
  if (globMatch(pattern, familiarTag)) return true;
  const ref = tryParseReference(familiarTag, { defaultTag: false });
  return ref !== undefined && globMatch(pattern, ref.familiarRepository);
}

// `.dockerignore`: which files of the build context COPY and ADD may not see. Docker's rules:
// Go filepath.Match patterns plus `**`, `!` exceptions, the last matching rule wins, a rule
// that matches a directory also matches everything below it, leading `/` and `./` are dropped
// (the patterns are cleaned like Go's filepath.Clean), `#` lines are comments.

import { WasmboxError } from '../errors.js';

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Reads a .dockerignore file into cleaned patterns (`!` kept in front of exceptions). */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const raw of src.split(/\r?\n/)) {
    // A comment is a `#` in the first column; a later `#` is part of the pattern.
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const exclusion = pattern.startsWith('!');
    if (exclusion) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(exclusion ? '!' + pattern : pattern);
  }
  return patterns;
}

const REGEXP_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

/**
 * A pattern as an anchored regular expression: `*` and `?` stop at `/`, `**` crosses any
 * number of directories (zero included), `[...]` classes, `\` escapes the next character.
 */
export function patternToRegExp(pattern: string): RegExp {
  let re = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        // `**/` is `**`: it may also match no directory at all.
        if (chars[i + 1] === '/') i++;
        re += i + 1 >= chars.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      if (i + 1 < chars.length) re += '\\' + chars[++i]!;
      else re += '\\\\';
    } else if (ch === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end === -1) throw new WasmboxError('INVALID_ARGUMENT', `syntax error in pattern "${pattern}": unterminated [`);
      let body = chars.slice(i + 1, end).join('');
      if (body.startsWith('^') || body.startsWith('!')) body = '^' + body.slice(1);
      re += '[' + body + ']';
      i = end;
    } else if (REGEXP_SPECIAL.has(ch) || ch === ']') re += '\\' + ch;
    else re += ch;
  }
  try {
    return new RegExp(re + '$');
  } catch (e) {
    throw new WasmboxError('INVALID_ARGUMENT', `syntax error in pattern "${pattern}"`, { cause: e });
  }
}

interface Rule {
  exclusion: boolean;
  re: RegExp;
}

/** Decides, for a path of the build context, whether .dockerignore excludes it. */
export class IgnoreMatcher {
  readonly #rules: Rule[];

  constructor(patterns: readonly string[]) {
    this.#rules = patterns
      .filter((p) => p !== '' && p !== '!')
      .map((p) => {
        const exclusion = p.startsWith('!');
        return { exclusion, re: patternToRegExp(exclusion ? p.slice(1) : p) };
      });
  }

  static fromFile(text: string): IgnoreMatcher {
    return new IgnoreMatcher(parseDockerignore(text));
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** True when the path (relative to the context, `/`-separated) is excluded. */
  ignores(path: string): boolean {
    const file = cleanPath(path);
    const parts = file.split('/');
    let matched = false;
    for (const rule of this.#rules) {
      // An exception can only change an excluded path, an exclusion only an included one.
      if (rule.exclusion !== matched) continue;
      let hit = rule.re.test(file);
      for (let i = 1; !hit && i < parts.length; i++) hit = rule.re.test(parts.slice(0, i).join('/'));
      if (hit) matched = !rule.exclusion;
    }
    return matched;
  }

  /**
   * True when nothing below the directory can be included again: every exception pattern
   * is unrelated to it. Lets a context walker skip `node_modules` whole.
   */
  skipsDirectory(path: string): boolean {
    if (!this.ignores(path)) return false;
    return !this.#rules.some((r) => r.exclusion);
  }
}

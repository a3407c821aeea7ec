// Shell pattern matching (XCU 2.13): `*`, `?`, bracket expressions with ranges, negation and
// character classes, for `case`, `${x%pat}` and path name expansion against the container's
// file system. A backslash quotes the next character: expansion escapes quoted text that way.

import type { Namespace } from '../../vfs/index.js';

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** Quotes text so that every character matches itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Does the pattern contain an unquoted `*`, `?` or `[`? */
export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** The pattern's text with its quoting backslashes removed. */
export function unescapeGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) out += pattern[++i];
    else out += c;
  }
  return out;
}

const cache = new Map<string, RegExp | null>();

/** The pattern as an anchored RegExp; null if it cannot match anything (a bad range). */
export function patternToRegExp(pattern: string): RegExp | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      if (i < pattern.length) re += pattern[i].replace(REGEX_SPECIAL, '\\$&');
      else re += '\\\\';
    } else if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const b = bracket(pattern, i);
      if (b === null) re += '\\[';
      else {
        re += b.re;
        i = b.end;
      }
    } else {
      re += c.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  let out: RegExp | null;
  try {
    out = new RegExp(`^${re}$`, 's');
  } catch {
    out = null;
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, out);
  return out;
}

/** A bracket expression starting at `start` (`[`), or null when it is not closed. */
function bracket(p: string, start: number): { re: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (p[i] === '!' || p[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === ']' && !first) return { re: `[${negate ? '^' : ''}${body}]`, end: i };
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close > 0) {
        const cls = CLASSES[p.slice(i + 2, close)];
        if (cls !== undefined) {
          body += cls;
          i = close + 1;
          continue;
        }
      }
    }
    let ch = c;
    if (c === '\\' && i + 1 < p.length) ch = p[++i];
    body += ch === '-' && body !== '' && p[i + 1] !== ']' ? '-' : ch.replace(/[\\\]^[-]/g, '\\$&');
  }
  return null;
}

export function matchPattern(pattern: string, text: string): boolean {
  if (!hasGlobChars(pattern)) return unescapeGlob(pattern) === text;
  const re = patternToRegExp(pattern);
  return re !== null && re.test(text);
}

export type TrimOperator = '#' | '##' | '%' | '%%';

/** `${v#p}` `${v##p}` `${v%p}` `${v%%p}`: removes the shortest/longest matching prefix/suffix. */
export function trimPattern(value: string, pattern: string, op: TrimOperator): string {
  const n = value.length;
  if (op === '#') {
    for (let i = 0; i <= n; i++) if (matchPattern(pattern, value.slice(0, i))) return value.slice(i);
  } else if (op === '##') {
    for (let i = n; i >= 0; i--) if (matchPattern(pattern, value.slice(0, i))) return value.slice(i);
  } else if (op === '%') {
    for (let i = n; i >= 0; i--) if (matchPattern(pattern, value.slice(i))) return value.slice(0, i);
  } else {
    for (let i = 0; i <= n; i++) if (matchPattern(pattern, value.slice(i))) return value.slice(0, i);
  }
  return value;
}

/**
 * Path name expansion: the paths (as the pattern spells them, relative or absolute) that
 * match, sorted; empty when none does. A leading `.` in a name must be matched explicitly.
 */
export function globPaths(fs: Namespace, cwd: string, pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const comps = pattern.split('/').filter((c, i, all) => c !== '' || i === all.length - 1);
  const trailingSlash = pattern.endsWith('/') && pattern.length > 1;
  if (trailingSlash) comps.pop();
  let found: { shown: string; real: string }[] = [{ shown: absolute ? '/' : '', real: absolute ? '/' : cwd }];
  for (let k = 0; k < comps.length; k++) {
    const comp = comps[k];
    const last = k === comps.length - 1;
    const next: { shown: string; real: string }[] = [];
    const join = (base: string, name: string): string => (base === '' ? name : base.endsWith('/') ? base + name : `${base}/${name}`);
    if (!hasGlobChars(comp)) {
      const name = unescapeGlob(comp);
      for (const f of found) {
        const real = join(f.real, name);
        if (last ? fs.exists(real) || isSymlink(fs, real) : fs.kindOf(real) === 'dir') next.push({ shown: join(f.shown, name), real });
      }
    } else {
      const re = patternToRegExp(comp);
      if (re === null) return [];
      const dotOk = comp.startsWith('.') || comp.startsWith('\\.');
      for (const f of found) {
        let entries: string[];
        try {
          entries = fs.readdir(f.real).map((e) => e.name);
        } catch {
          continue;
        }
        entries.sort(compareNames);
        for (const name of entries) {
          if (name.startsWith('.') && !dotOk) continue;
          if (name === '.' || name === '..') continue;
          if (!re.test(name)) continue;
          const real = join(f.real, name);
          if (!last && fs.kindOf(real) !== 'dir') continue;
          next.push({ shown: join(f.shown, name), real });
        }
      }
    }
    found = next;
    if (found.length === 0) return [];
  }
  let out = found;
  if (trailingSlash) out = out.filter((f) => fs.kindOf(f.real) === 'dir');
  return out.map((f) => (trailingSlash ? f.shown + '/' : f.shown)).sort(compareNames);
}

function isSymlink(fs: Namespace, path: string): boolean {
  try {
    return fs.kindOf(path, { follow: false }) === 'symlink';
  } catch {
    return false;
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

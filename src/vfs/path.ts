// Path helpers for container paths. Container paths are POSIX-style and absolute; a path
// is only ever turned into components here, and resolution (symlinks, `..`, mounts) is the
// namespace's job, which keeps `..` physical rather than lexical.

import { WasmboxError } from '../errors.js';

export const NAME_MAX = 255;
export const PATH_MAX = 4096;

/** Components of a path, dropping empty ones and `.`; `..` is kept for the resolver. */
export function splitPath(path: string): string[] {
  if (path.length > PATH_MAX) throw new WasmboxError('ENAMETOOLONG', `path too long (${path.length} bytes)`);
  if (path.includes('\0')) throw new WasmboxError('EINVAL', 'path contains a NUL byte');
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      if (i > start) {
        const c = path.slice(start, i);
        if (c !== '.') {
          if (c.length > NAME_MAX) throw new WasmboxError('ENAMETOOLONG', `file name too long: ${c.slice(0, 32)}…`);
          out.push(c);
        }
      }
      start = i + 1;
    }
  }
  return out;
}

/** Lexical normalisation of an absolute path (`..` at `/` stays at `/`); for mount points and display. */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const c of splitPath(path)) {
    if (c === '..') out.pop();
    else out.push(c);
  }
  return '/' + out.join('/');
}

export function joinPath(base: string, path: string): string {
  if (path.startsWith('/')) return path;
  if (base.endsWith('/')) return base + path;
  return base + '/' + path;
}

export function dirnameOf(path: string): string {
  const p = normalizeAbsolute(path);
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function basenameOf(path: string): string {
  const p = normalizeAbsolute(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

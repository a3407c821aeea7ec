// The build context: the files a build may COPY and ADD, behind a small interface so that
// the same builder reads a directory on the host (platform/node), a tar sent to the API or
// piped to `wasmbox build -`, or files held in memory (tests, the browser).

import { WasmboxError } from '../errors.js';
import { detectCompression, gunzip } from '../layers/compression.js';
import { tarEntries } from '../layers/tar-reader.js';
import { cleanPath } from './dockerignore.js';

export type ContextEntryType = 'file' | 'directory' | 'symlink';

export interface ContextEntry {
  /** Relative, `/`-separated, cleaned (`app/main.c`); never `.` or starting with `..`. */
  path: string;
  type: ContextEntryType;
  /** Permission bits (0o7777). */
  mode: number;
  size: number;
  mtimeMs: number;
  /** Symlink target, as stored. */
  linkTarget?: string;
}

export interface BuildContext {
  /** Every entry, parents before children. */
  list(): Promise<ContextEntry[]>;
  /** The contents of a regular file; ENOENT when it is not in the context. */
  read(path: string): Promise<Uint8Array>;
}

/** Normalizes a context path; UNSAFE_PATH for one that leaves the context. */
export function contextPath(path: string, where = 'build context'): string {
  const p = cleanPath(path.replace(/^\/+/, ''));
  if (p === '..' || p.startsWith('../')) {
    throw new WasmboxError('UNSAFE_PATH', `${where}: path "${path}" is outside the build context`, { details: { path } });
  }
  return p;
}

/** Sorted with parents first, and the implicit parent directories added. */
function complete(entries: Map<string, ContextEntry>): ContextEntry[] {
  for (const p of [...entries.keys()]) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!entries.has(dir)) entries.set(dir, { path: dir, type: 'directory', mode: 0o755, size: 0, mtimeMs: 0 });
    }
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function notInContext(path: string): WasmboxError {
  return new WasmboxError('ENOENT', `file not found in build context: ${path}`, { details: { path } });
}

/** A context held in memory: path → contents (or a directory / symlink). */
export type MemoryContextFiles = Record<string, string | Uint8Array | { mode?: number; data?: string | Uint8Array; symlink?: string; directory?: boolean }>;

export function memoryBuildContext(files: MemoryContextFiles): BuildContext {
  const entries = new Map<string, ContextEntry>();
  const data = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  for (const [raw, v] of Object.entries(files)) {
    const path = contextPath(raw);
    if (path === '.') continue;
    const spec = typeof v === 'string' || v instanceof Uint8Array ? { data: v } : v;
    if (spec.directory) {
      entries.set(path, { path, type: 'directory', mode: spec.mode ?? 0o755, size: 0, mtimeMs: 0 });
    } else if (spec.symlink !== undefined) {
      entries.set(path, { path, type: 'symlink', mode: 0o777, size: 0, mtimeMs: 0, linkTarget: spec.symlink });
    } else {
      const bytes = typeof spec.data === 'string' ? enc.encode(spec.data) : (spec.data ?? new Uint8Array(0));
      data.set(path, bytes);
      entries.set(path, { path, type: 'file', mode: spec.mode ?? 0o644, size: bytes.length, mtimeMs: 0 });
    }
  }
  const list = complete(entries);
  return {
    list: async () => list,
    read: async (path) => {
      const d = data.get(contextPath(path));
      if (!d) throw notInContext(path);
      return d;
    },
  };
}

/** A context sent as a tar (plain or gzip), as `docker build -` and POST /build send it. */
export async function tarBuildContext(archive: Uint8Array): Promise<BuildContext> {
  const tar = detectCompression(archive) === 'gzip' ? await gunzip(archive, { source: 'build context' }) : archive;
  const entries = new Map<string, ContextEntry>();
  const data = new Map<string, Uint8Array>();
  for (const e of tarEntries(tar)) {
    const path = contextPath(e.path, 'build context tar');
    if (path === '.') continue;
    if (e.type === 'directory') entries.set(path, { path, type: 'directory', mode: e.mode, size: 0, mtimeMs: e.mtimeMs });
    else if (e.type === 'symlink') entries.set(path, { path, type: 'symlink', mode: 0o777, size: 0, mtimeMs: e.mtimeMs, linkTarget: e.linkpath });
    else {
      // A hard link shares the data of the entry it names.
      const bytes = e.type === 'link' ? data.get(contextPath(e.linkpath, 'build context tar')) : e.data;
      if (bytes === undefined) throw new WasmboxError('INVALID_TAR', `build context tar: hard link ${e.path} names ${e.linkpath}, which comes later or not at all`);
      data.set(path, bytes);
      entries.set(path, { path, type: 'file', mode: e.mode, size: bytes.length, mtimeMs: e.mtimeMs });
    }
  }
  const list = complete(entries);
  return {
    list: async () => list,
    read: async (path) => {
      const d = data.get(contextPath(path));
      if (!d) throw notInContext(path);
      return d;
    },
  };
}

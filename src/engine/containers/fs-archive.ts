// A container's file system as archives and change lists: extracting a tar into it (`docker
// cp - c:/dir`, and restoring a saved top layer, whiteouts included), a tar of one path or of
// the whole root (`docker cp c:/p -`, `docker export`), `docker diff`, and the path stat
// header of the archive endpoints. Every path goes through the namespace's confined resolver.

import { WasmboxError, isWasmboxError } from '../../errors.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, tarPathComponents } from '../../layers/layer-tree.js';
import { tarEntries } from '../../layers/tar-reader.js';
import type { TarWriteEntry } from '../../layers/tar-writer.js';
import { diffEntries } from '../../layers/diff.js';
import { findInTree } from '../../vfs/merge.js';
import type { Namespace } from '../../vfs/namespace.js';
import type { DirNode } from '../../vfs/node.js';
import { basenameOf, normalizeAbsolute } from '../../vfs/path.js';
import type { ChangeItem, PathStat } from '../container-types.js';

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** rm -rf inside the namespace (never follows a symlink). */
export function removeTree(fs: Namespace, path: string): void {
  const kind = fs.kindOf(path, { follow: false });
  if (kind === undefined) return;
  if (kind === 'dir') {
    for (const e of fs.readdir(path)) removeTree(fs, join(path, e.name));
    fs.rmdir(path);
  } else fs.unlink(path);
}

export interface ExtractOptions {
  /** Apply `.wh.` whiteouts and opaque markers (restoring a layer), instead of writing them as files. */
  whiteouts?: boolean;
  /** Refuse to replace a directory with a non-directory or the other way round (`docker cp`'s default is to allow it). */
  noOverwriteDirNonDir?: boolean;
}

/** Extracts `tar` under the directory `dir` of `fs`. Unsafe entries (`..`) are refused with UNSAFE_PATH. */
export function extractTar(fs: Namespace, dir: string, tar: Uint8Array, options: ExtractOptions = {}): void {
  const base = normalizeAbsolute(dir);
  if (fs.kindOf(base) !== 'dir') {
    throw new WasmboxError(fs.exists(base) ? 'ENOTDIR' : 'ENOENT', `extracting an archive: ${base} is not a directory in the container`, { details: { path: base } });
  }
  const dirAttrs: [string, { mode: number; uid: number; gid: number; mtimeMs: number }][] = [];
  for (const e of tarEntries(tar)) {
    const comps = tarPathComponents(e.path, 'path', e);
    if (comps.length === 0) continue;
    const name = comps[comps.length - 1]!;
    const parent = comps.slice(0, -1).reduce(join, base);
    const path = join(parent, name);
    if (options.whiteouts && name.startsWith(WHITEOUT_PREFIX)) {
      if (fs.kindOf(parent) !== 'dir') continue;
      if (name === OPAQUE_MARKER) for (const c of fs.readdir(parent)) removeTree(fs, join(parent, c.name));
      else removeTree(fs, join(parent, name.slice(WHITEOUT_PREFIX.length)));
      continue;
    }
    fs.mkdir(parent, { recursive: true });
    const existing = fs.kindOf(path, { follow: false });
    const attrs = { mode: e.mode, uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs };
    if (e.type === 'directory') {
      if (existing !== undefined && existing !== 'dir') {
        if (options.noOverwriteDirNonDir) throw overwriteError(path, 'directory');
        fs.unlink(path);
      }
      if (existing !== 'dir') fs.mkdir(path, { mode: e.mode });
      // Directory times are set last: the entries written into them would change them again.
      dirAttrs.push([path, attrs]);
      continue;
    }
    if (existing === 'dir') {
      if (options.noOverwriteDirNonDir) throw overwriteError(path, 'non-directory');
      removeTree(fs, path);
    } else if (existing !== undefined) fs.unlink(path);
    if (e.type === 'file') fs.writeFile(path, e.data, { mode: e.mode });
    else if (e.type === 'symlink') fs.symlink(e.linkpath, path);
    else {
      const target = tarPathComponents(e.linkpath, 'link target', e).reduce(join, base);
      fs.link(target, path);
      continue;
    }
    fs.setAttrs(path, e.type === 'symlink' ? { uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs } : attrs, false);
  }
  for (const [path, attrs] of dirAttrs.reverse()) fs.setAttrs(path, attrs, false);
}

function overwriteError(path: string, kind: string): WasmboxError {
  return new WasmboxError('CONFLICT', `cannot overwrite ${kind === 'directory' ? 'non-directory' : 'directory'} ${path} with ${kind}`, { details: { path } });
}

/** The entries of a tar of `path` (named by its basename, or `as`), directories first; hard links kept. */
export function tarEntriesOf(fs: Namespace, path: string, options: { as?: string; skipMounts?: boolean } = {}): TarWriteEntry[] {
  const out: TarWriteEntry[] = [];
  const firstPath = new Map<string, string>();
  const mountPoints = new Set(options.skipMounts ? fs.listMounts().map((m) => m.path) : []);
  const visit = (abs: string, name: string): void => {
    const st = fs.lstat(abs);
    const common = { path: name, mode: st.mode, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
    if (st.kind === 'dir') {
      if (name !== '') out.push({ ...common, type: 'directory' });
      const children = fs
        .readdir(abs)
        .map((e) => e.name)
        .sort();
      for (const c of children) {
        const child = join(abs, c);
        if (mountPoints.has(child)) continue;
        visit(child, name === '' ? c : `${name}/${c}`);
      }
      return;
    }
    if (st.kind === 'symlink') {
      out.push({ ...common, type: 'symlink', linkpath: fs.readlink(abs) });
      return;
    }
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? firstPath.get(key) : undefined;
    if (first !== undefined) {
      out.push({ ...common, type: 'link', linkpath: first });
      return;
    }
    if (st.nlink > 1) firstPath.set(key, name);
    out.push({ ...common, type: 'file', data: fs.readFile(abs) });
  };
  const p = normalizeAbsolute(path);
  visit(p, options.as ?? (p === '/' ? '' : basenameOf(p)));
  return out;
}

/** `docker diff`: Kind 0 changed, 1 added, 2 deleted, sorted by path. */
export function changesOf(top: DirNode, lower: DirNode): ChangeItem[] {
  const items = new Map<string, ChangeItem['Kind']>();
  for (const e of diffEntries(top, lower)) {
    const path = '/' + e.path.replace(/\/$/, '');
    const name = basenameOf(path);
    const parent = path.slice(0, path.length - name.length - 1) || '/';
    if (name === OPAQUE_MARKER) continue;
    if (name.startsWith(WHITEOUT_PREFIX)) {
      items.set(join(parent, name.slice(WHITEOUT_PREFIX.length)), 2);
      continue;
    }
    items.set(path, findInTree(lower, path.slice(1)) === undefined ? 1 : 0);
  }
  return [...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([Path, Kind]) => ({ Path, Kind }));
}

/** The stat docker cp shows for a path (lstat; a symlink's linkTarget is where it resolves). */
export function pathStatOf(fs: Namespace, path: string, container = ''): PathStat {
  let st;
  try {
    st = fs.lstat(path);
  } catch (e) {
    if (isWasmboxError(e, 'ENOENT') || isWasmboxError(e, 'ENOTDIR')) {
      throw new WasmboxError('NOT_FOUND', `Could not find the file ${path} in container${container === '' ? '' : ' ' + container}`, { cause: e, details: { path } });
    }
    throw e;
  }
  let mode = st.mode & 0o7777;
  let linkTarget = '';
  if (st.kind === 'dir') mode = (mode | 0x80000000) >>> 0;
  if (st.kind === 'symlink') {
    mode = (mode | 0x8000000) >>> 0;
    try {
      linkTarget = fs.realpath(path);
    } catch {
      linkTarget = fs.readlink(path);
    }
  }
  const p = normalizeAbsolute(path);
  return { name: p === '/' ? '/' : basenameOf(p), size: st.size, mode, mtime: new Date(st.mtimeMs).toISOString(), linkTarget };
}

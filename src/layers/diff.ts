// The diff of a writable (copy-on-write) tree against the lower tree it was forked from,
// written as an OCI layer tar: changed and new entries, `.wh.<name>` for deletions and
// `.wh..wh..opq` for directories that replace a lower one whole.
//
// It relies on the copy-on-write contract of vfs/tree-fs.ts: an untouched subtree is the
// very same node object in both trees, and a directory copied up keeps `origin` = the lower
// directory it was copied from. So the walk only descends where something changed.

import type { DirNode, Node } from '../vfs/node.js';
import { fileBytes } from '../vfs/node.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './layer-tree.js';
import { writeTar } from './tar-writer.js';
import type { TarWriteEntry } from './tar-writer.js';

export interface DiffOptions {
  /** Clamp every mtime to at most this (ms since the epoch), for reproducible builds (SOURCE_DATE_EPOCH). */
  mtimeMs?: number;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The entries of the layer `top` makes on `lower`, in write order: siblings sorted by name
 * and every directory before its contents, so the same change always gives the same tar.
 */
export function diffEntries(top: DirNode, lower: DirNode, options: DiffOptions = {}): TarWriteEntry[] {
  const out: TarWriteEntry[] = [];
  if (top === lower) return out;
  const clamp = options.mtimeMs;
  const time = (ms: number): number => (clamp === undefined ? ms : Math.min(ms, clamp));
  /** First path each file/symlink object was written at: later paths become hard links. */
  const written = new Map<Node, string>();

  const emitNode = (path: string, n: Node): void => {
    const common = { path, mode: n.mode, uid: n.uid, gid: n.gid, mtimeMs: time(n.mtimeMs) };
    if (n.kind === 'dir') {
      out.push({ ...common, type: 'directory' });
      return;
    }
    const first = written.get(n);
    if (first !== undefined) {
      out.push({ ...common, type: 'link', linkpath: first });
      return;
    }
    written.set(n, path);
    if (n.kind === 'symlink') out.push({ ...common, type: 'symlink', linkpath: n.target });
    else out.push({ ...common, type: 'file', data: fileBytes(n) });
  };

  const whiteout = (path: string, mtimeMs: number): void => {
    out.push({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: time(mtimeMs) });
  };

  const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

  /** A new (or replacing) node and everything below it. */
  const emitTree = (path: string, n: Node): void => {
    emitNode(path, n);
    if (n.kind !== 'dir') return;
    for (const name of [...n.entries.keys()].sort(byName)) emitTree(join(path, name), n.entries.get(name)!);
  };

  /** A directory hiding the lower one at its path: everything below comes from this layer. */
  const emitOpaque = (path: string, dir: DirNode): void => {
    if (path !== '') emitNode(path, dir);
    whiteout(join(path, OPAQUE_MARKER), dir.mtimeMs);
    for (const name of [...dir.entries.keys()].sort(byName)) emitTree(join(path, name), dir.entries.get(name)!);
  };

  /** A directory copied up from `l`: only its differences. */
  const compare = (path: string, t: DirNode, l: DirNode): void => {
    // The directory's own header (mode, mtime) goes out too, as docker's diff does; the
    // root has none.
    if (path !== '') emitNode(path, t);
    const names = new Set([...t.entries.keys(), ...l.entries.keys()]);
    for (const name of [...names].sort(byName)) {
      const tn = t.entries.get(name);
      const ln = l.entries.get(name);
      const p = join(path, name);
      if (tn === ln) continue;
      if (tn === undefined) whiteout(join(path, WHITEOUT_PREFIX + name), t.mtimeMs);
      else visit(p, tn, ln);
    }
  };

  const visit = (path: string, t: Node, l: Node | undefined): void => {
    if (t.kind === 'dir' && l?.kind === 'dir') {
      if (t.origin === l) compare(path, t, l);
      else emitOpaque(path, t);
      return;
    }
    emitTree(path, t);
  };

  if (top.origin === lower) compare('', top, lower);
  else emitOpaque('', top);
  return out;
}

/** The OCI layer tar (uncompressed) of the changes `top` makes on `lower`. */
export async function diffToTar(top: DirNode, lower: DirNode, options: DiffOptions = {}): Promise<Uint8Array> {
  return writeTar(diffEntries(top, lower, options));
}

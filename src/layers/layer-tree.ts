// One layer tar -> one immutable LayerDir tree (file contents stay views into the tar).
// This is where tar entries that would escape the container root are refused, and where
// OCI whiteouts (`.wh.<name>`) and opaque markers (`.wh..wh..opq`) become tree entries.

import { WasmboxError } from '../errors.js';
import { digestOf } from '../content/digest.js';
import type { Digest } from '../content/digest.js';
import { newFile, newLayerDir, newSymlink } from '../vfs/node.js';
import type { FileNode, LayerDir, LayerEntry, SymlinkNode, WhiteoutEntry } from '../vfs/node.js';
import { decompressLayer } from './compression.js';
import { tarEntries } from './tar-reader.js';
import type { TarEntry, TarWarning } from './tar-reader.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** Every whiteout in a layer tree is this one frozen object. */
export const WHITEOUT: WhiteoutEntry = Object.freeze({ kind: 'whiteout' as const });

export interface LayerTreeOptions {
  /** Skipped entries (devices, fifos, aufs metadata...). */
  onWarning?: (warning: TarWarning) => void;
  /** Names the layer in error messages (a digest). */
  source?: string;
}

function unsafe(message: string, entry: TarEntry, source?: string): WasmboxError {
  const where = source ? ` of layer ${source}` : '';
  return new WasmboxError('UNSAFE_PATH', `refused tar entry "${entry.path}" at byte ${entry.offset}${where}: ${message}`, {
    details: { path: entry.path, offset: entry.offset, source },
  });
}

/**
 * The components of a tar path, relative to the container root. Leading `/` and `./` are
 * dropped (layers written by old tools use both); `..` anywhere is refused rather than
 * normalized, since no honest layer needs it.
 */
export function tarPathComponents(path: string, what: string, entry: TarEntry, source?: string): string[] {
  if (path.includes('\0')) throw unsafe(`${what} contains a NUL byte`, entry, source);
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw unsafe(`${what} "${path}" contains a ".." component`, entry, source);
    out.push(c);
  }
  return out;
}

function attrsOf(e: TarEntry): { mode: number; uid: number; gid: number; mtimeMs: number } {
  return { mode: e.mode, uid: e.uid, gid: e.gid, mtimeMs: e.mtimeMs };
}

function setAttrs(dir: LayerDir, e: TarEntry): void {
  dir.mode = e.mode;
  dir.uid = e.uid;
  dir.gid = e.gid;
  dir.mtimeMs = dir.atimeMs = dir.ctimeMs = e.mtimeMs;
  dir.explicit = true;
}

/** Drops an entry being replaced, keeping hard-link counts true. */
function release(old: LayerEntry | undefined): void {
  if (old?.kind === 'file' && old.nlink > 1) old.nlink--;
}

/** Builds the tree of one layer from its uncompressed tar. */
export function layerTreeFromTar(tar: Uint8Array, options: LayerTreeOptions = {}): LayerDir {
  const { source } = options;
  const root = newLayerDir({}, false);

  /**
   * The directory holding `parts[0..n-1]`, creating implied directories. Walking through a
   * symlink this layer defined is refused: the entry would land wherever the link points.
   */
  const parentOf = (parts: string[], entry: TarEntry): LayerDir => {
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i]!;
      const child = dir.entries.get(name);
      if (child?.kind === 'dir') {
        dir = child;
        continue;
      }
      if (child?.kind === 'symlink') {
        throw unsafe(`"${parts.slice(0, i + 1).join('/')}" is a symlink earlier in this layer; an entry below it would escape through it`, entry, source);
      }
      // Missing, a file, a whiteout or a lower link: a directory takes its place. After a
      // whiteout the directory is new in this layer, so it must hide the lower one whole.
      const implied = newLayerDir({ mode: 0o755 }, false);
      if (child?.kind === 'whiteout') implied.opaque = true;
      release(child);
      dir.entries.set(name, implied);
      dir = implied;
    }
    return dir;
  };

  /** A node of this layer at `parts`, or undefined (never walks through symlinks). */
  const find = (parts: string[]): LayerEntry | undefined => {
    let cur: LayerEntry = root;
    for (const name of parts) {
      if (cur.kind !== 'dir') return undefined;
      const next = cur.entries.get(name);
      if (next === undefined) return undefined;
      cur = next;
    }
    return cur;
  };

  for (const entry of tarEntries(tar, options.onWarning ? { onWarning: options.onWarning } : {})) {
    const parts = tarPathComponents(entry.path, 'path', entry, source);
    if (parts.length === 0) {
      // `./` itself: the root directory's attributes.
      if (entry.type === 'directory') setAttrs(root, entry);
      else throw unsafe('a non-directory entry names the root directory', entry, source);
      continue;
    }
    const dir = parentOf(parts, entry);
    const name = parts[parts.length - 1]!;

    if (name.startsWith(WHITEOUT_PREFIX)) {
      if (name === OPAQUE_MARKER) {
        // Hides the lower layers' content of `dir`; this layer's own entries stay, even
        // those listed before the marker.
        dir.opaque = true;
        continue;
      }
      if (name.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
        options.onWarning?.({ path: entry.path, offset: entry.offset, message: `skipped aufs metadata entry "${entry.path}"` });
        continue;
      }
      const hidden = name.slice(WHITEOUT_PREFIX.length);
      if (hidden === '' || hidden === '.' || hidden === '..') throw unsafe(`whiteout of "${hidden}"`, entry, source);
      release(dir.entries.get(hidden));
      dir.entries.set(hidden, WHITEOUT);
      continue;
    }

    const old = dir.entries.get(name);
    switch (entry.type) {
      case 'directory': {
        // A directory listed again (or after being implied) keeps its children.
        if (old?.kind === 'dir') setAttrs(old, entry);
        else {
          release(old);
          const d = newLayerDir(attrsOf(entry), true);
          // A directory replacing a whiteout from this same layer starts afresh.
          if (old?.kind === 'whiteout') d.opaque = true;
          dir.entries.set(name, d);
        }
        break;
      }
      case 'file':
        release(old);
        dir.entries.set(name, newFile(entry.data, attrsOf(entry)));
        break;
      case 'symlink':
        // The target may be anything: it is resolved inside the container root at run time.
        release(old);
        dir.entries.set(name, newSymlink(entry.linkpath, attrsOf(entry)));
        break;
      case 'link': {
        const targetParts = tarPathComponents(entry.linkpath, 'hard link target', entry, source);
        if (targetParts.length === 0) throw unsafe('hard link to the root directory', entry, source);
        for (let i = 1; i < targetParts.length; i++) {
          if (find(targetParts.slice(0, i))?.kind === 'symlink') {
            throw unsafe(`hard link target "${entry.linkpath}" goes through a symlink of this layer`, entry, source);
          }
        }
        const target = find(targetParts);
        if (target === undefined || target.kind === 'whiteout' || target.kind === 'lowerlink') {
          release(old);
          const lower: LayerEntry =
            target?.kind === 'lowerlink' ? target : { kind: 'lowerlink', target: '/' + targetParts.join('/') };
          dir.entries.set(name, lower);
        } else if (target.kind === 'dir') {
          throw new WasmboxError('INVALID_TAR', `invalid tar: hard link "${entry.path}" at byte ${entry.offset} points to directory "${entry.linkpath}"`, {
            details: { path: entry.path, offset: entry.offset, source },
          });
        } else if (target !== old) {
          release(old);
          if (target.kind === 'file') target.nlink++;
          dir.entries.set(name, target as FileNode | SymlinkNode);
        }
        break;
      }
    }
  }
  return root;
}

export interface ParsedLayer {
  tree: LayerDir;
  /** sha256 of the uncompressed tar (the OCI DiffID). */
  diffId: Digest;
  /** The uncompressed tar the tree's file contents are views into. */
  tar: Uint8Array;
}

/** A layer blob (gzip or plain tar) -> its tree and diff id. */
export async function parseLayerBlob(blob: Uint8Array, options: LayerTreeOptions = {}): Promise<ParsedLayer> {
  const tar = await decompressLayer(blob, options.source ? { source: options.source } : {});
  const tree = layerTreeFromTar(tar, options);
  return { tree, diffId: digestOf(tar), tar };
}

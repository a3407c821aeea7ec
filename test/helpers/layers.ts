// Image layers for tests, written as compact specs: the same spec list becomes a merged lower
// tree for the union file system (buildLayer + mergeLayers) and a real directory on the host
// (materializeLayers applies each layer like `umoci unpack` does), so a test can compare the
// union view with what the kernel does on the unpacked tree.

import { lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { type DirNode, type LayerDir, type LayerEntry, mergeLayers, newFile, newLayerDir, newSymlink } from '../../src/vfs/index.js';

/** One layer entry: file contents, a symlink, a directory, a whiteout (`.wh.name`) or an opaque directory (`.wh..wh..opq`). */
export type LayerSpecEntry = string | Uint8Array | { symlink: string } | 'dir' | 'opaque-dir' | 'whiteout';

/**
 * One layer: path (no leading slash needed) -> entry. Parents must come before their children
 * (a directory entry after its children would replace them, as a later tar entry does).
 */
export type LayerSpec = Record<string, LayerSpecEntry>;

const enc = new TextEncoder();

function parts(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** The layer tree a tar with these entries would give. */
export function buildLayer(spec: LayerSpec): LayerDir {
  const root = newLayerDir();
  for (const [path, v] of Object.entries(spec)) {
    const p = parts(path);
    let dir = root;
    for (const c of p.slice(0, -1)) {
      let next = dir.entries.get(c);
      if (next === undefined || next.kind !== 'dir') {
        next = newLayerDir({}, false);
        dir.entries.set(c, next);
      }
      dir = next;
    }
    const name = p[p.length - 1]!;
    let e: LayerEntry;
    if (v === 'whiteout') e = { kind: 'whiteout' };
    else if (v === 'dir' || v === 'opaque-dir') {
      const prev = dir.entries.get(name);
      const d = prev !== undefined && prev.kind === 'dir' ? prev : newLayerDir();
      d.explicit = true;
      d.opaque = v === 'opaque-dir';
      e = d;
    } else if (typeof v === 'string') e = newFile(enc.encode(v));
    else if (v instanceof Uint8Array) e = newFile(v);
    else e = newSymlink(v.symlink);
    dir.entries.set(name, e);
  }
  return root;
}

/** The merged, immutable lower tree of an image made of these layers (bottom first). */
export function mergeSpecs(layers: LayerSpec[]): DirNode {
  return mergeLayers(layers.map(buildLayer));
}

function kindAt(path: string): 'file' | 'dir' | 'symlink' | undefined {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (s === undefined) return undefined;
  return s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file';
}

/** A directory at `path`, replacing a file or symlink there (as a tar extraction does). */
function ensureDir(path: string): void {
  const k = kindAt(path);
  if (k === 'dir') return;
  if (k !== undefined) rmSync(path, { force: true });
  mkdirSync(path);
  chmodSync(path, 0o755);
}

/** Unpacks the layers (bottom first) into the existing directory `root`, applying whiteouts and opaque directories. */
export function materializeLayers(root: string, layers: LayerSpec[]): void {
  for (const spec of layers) {
    for (const [path, v] of Object.entries(spec)) {
      const p = parts(path);
      let dir = root;
      for (const c of p.slice(0, -1)) {
        dir = join(dir, c);
        ensureDir(dir);
      }
      const target = join(dir, p[p.length - 1]!);
      if (v === 'whiteout') {
        rmSync(target, { recursive: true, force: true });
      } else if (v === 'dir' || v === 'opaque-dir') {
        ensureDir(target);
        if (v === 'opaque-dir') for (const n of readdirSync(target)) rmSync(join(target, n), { recursive: true, force: true });
      } else {
        rmSync(target, { recursive: true, force: true });
        if (typeof v === 'string' || v instanceof Uint8Array) {
          writeFileSync(target, v);
          chmodSync(target, 0o644);
        } else symlinkSync(v.symlink, target);
      }
    }
  }
}

// Merging an image's layers into one immutable tree, once per chain id. Each layer is
// applied on top of the tree of the layers below it: untouched directories and all files
// are shared (not copied), whiteouts remove names, opaque directories hide what was below.
// Lookups in the result cost the same for 1 layer or 100.

import { WasmboxError } from '../errors.js';
import { type DirNode, type LayerDir, type Node, type Owner, cloneDir, newDir, newOwner } from './node.js';

/** A fresh, empty root directory (what `FROM scratch` starts with). */
export function emptyRoot(): DirNode {
  const root = newDir({ mode: 0o755 });
  return root;
}

/** The tree of `lower` with `layer` applied on top. Neither input is changed. */
export function applyLayer(lower: DirNode, layer: LayerDir): DirNode {
  return mergeLayers([layer], lower);
}

/**
 * Merges layers (bottom first) on top of `base` into one immutable tree. Directories are
 * copied once (by the first layer that touches them) and changed in place by the layers
 * above, so the cost is the total number of entries, not layers x directory size.
 */
export function mergeLayers(layers: Iterable<LayerDir>, base: DirNode = emptyRoot()): DirNode {
  const owner = newOwner();
  let root = base;
  for (const layer of layers) root = applyDir(root, layer, root, '', owner);
  freeze(root, owner);
  return root;
}

function applyDir(lowerDir: DirNode | undefined, layer: LayerDir, lowerRoot: DirNode, path: string, owner: Owner): DirNode {
  let dir: DirNode;
  if (lowerDir !== undefined && lowerDir.owner === owner) {
    dir = lowerDir;
    if (layer.opaque) dir.entries.clear();
  } else if (lowerDir !== undefined && !layer.opaque) {
    dir = cloneDir(lowerDir, owner, undefined);
  } else {
    dir = newDir({ owner });
    if (lowerDir !== undefined) dir.ino = lowerDir.ino;
  }
  if (layer.explicit || lowerDir === undefined) {
    dir.mode = layer.mode;
    dir.uid = layer.uid;
    dir.gid = layer.gid;
    dir.mtimeMs = layer.mtimeMs;
    dir.atimeMs = layer.atimeMs;
    dir.ctimeMs = layer.ctimeMs;
  }
  const entries = dir.entries;
  for (const [name, e] of layer.entries) {
    switch (e.kind) {
      case 'whiteout':
        entries.delete(name);
        break;
      case 'dir': {
        const below = entries.get(name);
        entries.set(name, applyDir(below?.kind === 'dir' ? below : undefined, e, lowerRoot, `${path}/${name}`, owner));
        break;
      }
      case 'lowerlink': {
        const target = findInTree(lowerRoot, e.target);
        if (target === undefined || target.kind !== 'file') {
          throw new WasmboxError(
            'INVALID_TAR',
            `hard link ${path}/${name} points to ${e.target}, which is not a file in this layer or the layers below`,
          );
        }
        entries.set(name, target);
        break;
      }
      default:
        entries.set(name, e);
    }
  }
  return dir;
}

function freeze(n: Node, owner: Owner): void {
  if (n.owner !== owner) return;
  n.owner = null;
  if (n.kind === 'dir') for (const c of n.entries.values()) freeze(c, owner);
}

/** Looks a path up without following symlinks (layer trees refer to paths literally). */
export function findInTree(root: DirNode, path: string): Node | undefined {
  let n: Node = root;
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (n.kind !== 'dir') return undefined;
    const next: Node | undefined = n.entries.get(c);
    if (next === undefined) return undefined;
    n = next;
  }
  return n;
}

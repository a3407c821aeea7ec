// Merging an image's layers into one immutable tree, once per chain id. Each layer is
// applied on top of the tree of the layers below it: untouched directories and all files
// are shared (not copied), whiteouts remove names, opaque directories hide what was below.
// Lookups in the result cost the same for 1 layer or 100.

import { WasmboxError } from '../errors.js';
import { type DirNode, type LayerDir, type Node, newDir, newIno } from './node.js';

/** A fresh, empty root directory (what `FROM scratch` starts with). */
export function emptyRoot(): DirNode {
  const root = newDir({ mode: 0o755 });
  return root;
}

/** The tree of `lower` with `layer` applied on top. Neither input is changed. */
export function applyLayer(lower: DirNode, layer: LayerDir): DirNode {
  return applyDir(lower, layer, lower, '');
}

/** Merges layers (bottom first) into one immutable tree. */
export function mergeLayers(layers: Iterable<LayerDir>, base: DirNode = emptyRoot()): DirNode {
  let root = base;
  for (const layer of layers) root = applyLayer(root, layer);
  return root;
}

function applyDir(lowerDir: DirNode | undefined, layer: LayerDir, lowerRoot: DirNode, path: string): DirNode {
  const entries: Map<string, Node> = layer.opaque || lowerDir === undefined ? new Map() : new Map(lowerDir.entries);
  const meta = layer.explicit || lowerDir === undefined ? layer : lowerDir;
  const dir: DirNode = {
    kind: 'dir',
    ino: lowerDir?.ino ?? newIno(),
    mode: meta.mode,
    uid: meta.uid,
    gid: meta.gid,
    mtimeMs: meta.mtimeMs,
    atimeMs: meta.atimeMs,
    ctimeMs: meta.ctimeMs,
    owner: null,
    entries,
  };
  for (const [name, e] of layer.entries) {
    switch (e.kind) {
      case 'whiteout':
        entries.delete(name);
        break;
      case 'dir': {
        const below = entries.get(name);
        entries.set(name, applyDir(below?.kind === 'dir' ? below : undefined, e, lowerRoot, `${path}/${name}`));
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

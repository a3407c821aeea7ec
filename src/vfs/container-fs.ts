// A container's file system in one call: a writable top layer forked (in O(1)) from the
// image's merged lower tree, seen through a namespace that mounts can be added to.

import type { DirNode } from './node.js';
import { Namespace } from './namespace.js';
import { TreeFs } from './tree-fs.js';

export interface ContainerFs {
  /** The writable top layer; `top.rootNode` vs `top.lower` is what a commit or diff compares. */
  top: TreeFs;
  /** The container's view: the top layer at `/` plus mounts. */
  fs: Namespace;
}

export function forkContainerFs(lower: DirNode, options: { readOnly?: boolean; now?: () => number } = {}): ContainerFs {
  const top = new TreeFs(lower, { now: options.now });
  return { top, fs: new Namespace(top, { readOnly: options.readOnly }) };
}

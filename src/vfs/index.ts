// The file system of containers: immutable layer trees merged once per image, a writable
// copy-on-write top layer per container, and a namespace with mounts and confined path
// resolution.

export * from './node.js';
export * from './types.js';
export * from './path.js';
export { TreeFs, TreeFileHandle, nodeStat, newDev, type TreeFsOptions } from './tree-fs.js';
export { applyLayer, mergeLayers, emptyRoot, findInTree } from './merge.js';
export { Namespace, type Mount, type MountOptions, type NamespaceOptions } from './namespace.js';
export { forkContainerFs, type ContainerFs } from './container-fs.js';

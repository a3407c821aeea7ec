// Layers: tar <-> immutable layer trees (with OCI whiteouts and escape checks), the diff of
// a writable tree as a new layer tar, chain ids, and the layer store (view/prepare/commit).

export { tarEntries, readTar, type TarEntry, type TarEntryType, type TarWarning, type ReadTarOptions } from './tar-reader.js';
export { detectCompression, gunzip, gzip, decompressLayer, type Compression, type GunzipOptions } from './compression.js';
export {
  layerTreeFromTar,
  parseLayerBlob,
  tarPathComponents,
  WHITEOUT,
  WHITEOUT_PREFIX,
  OPAQUE_MARKER,
  type LayerTreeOptions,
  type ParsedLayer,
} from './layer-tree.js';
export { diffEntries, diffToTar, type DiffOptions } from './diff.js';
export { writeTar, type TarWriteEntry, type TarWriteType } from './tar-writer.js';
export { chainIdOf, chainIdsOf } from './chain-id.js';
export {
  LayerStore,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_LAYER_TAR,
  type CommitOptions,
  type CommittedLayer,
  type LayerStoreOptions,
  type LayerView,
} from './layer-store.js';

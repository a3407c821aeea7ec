// Images: references, manifests and configs, the image store (an OCI image layout) and
// `docker save`/`docker load` archives.

export { DEFAULT_DOMAIN, DEFAULT_TAG, ImageRef, familiarize, parseReference, tryParseReference } from './reference.js';
export type { ParseReferenceOptions } from './reference.js';
export {
  CONFIG_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  LAYER_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  isConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  isWasmArtifactMediaType,
  ociLayerMediaType,
} from './media-types.js';
export type { KnownMediaType } from './media-types.js';
export {
  createManifest,
  encodeJson,
  parseDescriptor,
  parseIndex,
  parseManifest,
  parseManifestOrIndex,
  selectPlatformManifest,
} from './manifest.js';
export type { Descriptor, ImageIndex, ImageManifest, ParseDocumentOptions, ParsedManifest, Platform } from './manifest.js';
export { DEFAULT_ARCHITECTURE, DEFAULT_OS, createImageConfig, nonEmptyHistoryCount, parseImageConfig } from './config.js';
export type { ContainerConfig, HistoryEntry, ImageConfig } from './config.js';
export {
  ANNOTATION_CONTAINERD_NAME,
  ANNOTATION_REF_NAME,
  INDEX_FILE,
  ImageStore,
  MemoryMetadataFiles,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  entryName,
} from './image-store.js';
export type {
  ImageDeleteResponseItem,
  ImageEntryInput,
  ImageRecord,
  ImageStoreOptions,
  ImageSummary,
  LayerInput,
  MetadataFiles,
  PruneResult,
  PutImageInput,
  RemoveOptions,
} from './image-store.js';
export { exportImages, importArchive, importEntries, planExport, tarEntries } from './archive.js';
export type { ArchiveEntry, ExportFile, ImportOptions, LoadResult, LoadedImage } from './archive.js';
export {
  BUILTIN_CREATED,
  BUILTIN_FILES,
  DEFAULT_PATH_ENV,
  FLITE_PACKAGE,
  LABEL_BUILTIN,
  builtinNameOf,
  builtinNames,
  createBuiltinImage,
  ensureImage,
  isBuiltinImage,
} from './builtin.js';
export type { BuiltinImageOptions, BuiltinName, ProgramLoader } from './builtin.js';
export * from './registry/index.js';

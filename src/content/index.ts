// The content store: sha256-addressed blobs, verified on write. Backends: MemoryContentStore
// here; NodeDirContentStore (an OCI layout's blobs/) in platform/node.

export type { BlobInfo, BlobSource, ContentStore, PutOptions } from './types.js';
export type { Digest, Hasher } from './digest.js';
export { createSha256, digestHex, digestOf, isDigest, parseDigest, setSha256Factory, sha256Hex, toHex } from './digest.js';
export { MemoryContentStore } from './memory-store.js';
export { cancelledError, checkPutOptions, hashBlobSource } from './verify.js';
export type { ChunkSink } from './verify.js';

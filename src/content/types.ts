// The content store: blobs addressed by their sha256 digest. Every write is verified against
// the digest before it becomes visible, and a failed or interrupted write leaves nothing behind.

import type { Digest } from './digest.js';

export type BlobSource = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** When given, the write fails with DIGEST_MISMATCH (and stores nothing) unless the content hashes to it. */
  expected?: Digest;
  /** When given, the write fails with DIGEST_MISMATCH unless exactly this many bytes arrive. */
  expectedSize?: number;
  signal?: AbortSignal;
}

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface ContentStore {
  has(digest: Digest): Promise<boolean>;
  /** Size in bytes; BLOB_NOT_FOUND when absent. */
  size(digest: Digest): Promise<number>;
  /** The whole blob in memory (layer trees keep views into it). BLOB_NOT_FOUND when absent. */
  get(digest: Digest): Promise<Uint8Array>;
  /** Streams the blob in chunks. BLOB_NOT_FOUND when absent (thrown on first iteration at the latest). */
  read(digest: Digest): AsyncIterable<Uint8Array>;
  /** Hashes while writing; commits atomically only when the digest (and size) check out. */
  put(data: BlobSource, options?: PutOptions): Promise<BlobInfo>;
  /** True if a blob was removed. */
  delete(digest: Digest): Promise<boolean>;
  list(): Promise<BlobInfo[]>;
}

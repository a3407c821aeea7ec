// A content store held in memory: the browser's fallback, and the fast store for tests and for
// throw-away engines. Blobs are immutable once stored; get() hands out the stored bytes
// themselves (no copy), so callers must treat them as read-only.

import { WasmboxError } from '../errors.js';
import { parseDigest } from './digest.js';
import type { Digest } from './digest.js';
import type { BlobInfo, BlobSource, ContentStore, PutOptions } from './types.js';
import { hashBlobSource } from './verify.js';

/** Chunk size of read(): views into the stored blob, so the size only bounds what a consumer handles at once. */
const READ_CHUNK = 1 << 20;

function notFound(digest: Digest): WasmboxError {
  return new WasmboxError('BLOB_NOT_FOUND', `blob ${digest} not found in the content store`, { details: { digest } });
}

export class MemoryContentStore implements ContentStore {
  readonly #blobs = new Map<Digest, Uint8Array>();

  async has(digest: Digest): Promise<boolean> {
    return this.#blobs.has(parseDigest(digest));
  }

  async size(digest: Digest): Promise<number> {
    return this.#lookup(digest).byteLength;
  }

  async get(digest: Digest): Promise<Uint8Array> {
    return this.#lookup(digest);
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    const blob = this.#lookup(digest);
    for (let off = 0; off < blob.byteLength; off += READ_CHUNK) {
      yield blob.subarray(off, Math.min(off + READ_CHUNK, blob.byteLength));
    }
  }

  async put(data: BlobSource, options: PutOptions = {}): Promise<BlobInfo> {
    // Copy as the bytes arrive: the caller may reuse or mutate its buffers after put() returns.
    const collector = new ByteCollector(options.expectedSize);
    const info = await hashBlobSource(data, options, (chunk) => collector.push(chunk));
    if (!this.#blobs.has(info.digest)) this.#blobs.set(info.digest, collector.bytes());
    return info;
  }

  async delete(digest: Digest): Promise<boolean> {
    return this.#blobs.delete(parseDigest(digest));
  }

  async list(): Promise<BlobInfo[]> {
    return [...this.#blobs].map(([digest, blob]) => ({ digest, size: blob.byteLength }));
  }

  #lookup(digest: Digest): Uint8Array {
    const blob = this.#blobs.get(parseDigest(digest));
    if (!blob) throw notFound(digest);
    return blob;
  }
}

/** Accumulates chunks with one copy when the final size is known up front, two otherwise. */
class ByteCollector {
  #exact: Uint8Array | undefined;
  #chunks: Uint8Array[] = [];
  #length = 0;

  constructor(expectedSize: number | undefined) {
    // hashBlobSource rejects overruns before they reach us, so an exact buffer never overflows.
    if (expectedSize !== undefined) this.#exact = new Uint8Array(expectedSize);
  }

  push(chunk: Uint8Array): void {
    if (this.#exact) this.#exact.set(chunk, this.#length);
    else this.#chunks.push(chunk.slice());
    this.#length += chunk.byteLength;
  }

  bytes(): Uint8Array {
    if (this.#exact) return this.#exact;
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const out = new Uint8Array(this.#length);
    let off = 0;
    for (const c of this.#chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }
}

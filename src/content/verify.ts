// The verification every content store shares: pull a BlobSource chunk by chunk, hash it and
// count its bytes on the way to the backend's sink, honour the abort signal, and only report
// success when the digest and size match what the caller expected.

import { WasmboxError } from '../errors.js';
import { createSha256, parseDigest } from './digest.js';
import type { Digest } from './digest.js';
import type { BlobInfo, BlobSource, PutOptions } from './types.js';

/** Receives each verified-so-far chunk; it must not keep a reference past its promise (callers may reuse buffers). */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

export function cancelledError(signal: AbortSignal, what: string): WasmboxError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : '';
  return new WasmboxError('CANCELLED', `${what} was cancelled${why}`, { cause: reason });
}

/** Checks the options before any byte moves, so a bad digest string fails fast with INVALID_DIGEST. */
export function checkPutOptions(options: PutOptions): void {
  if (options.expected !== undefined) parseDigest(options.expected, 'expected digest');
  const n = options.expectedSize;
  if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid expected blob size ${n}: must be a non-negative integer`);
  }
  if (options.signal?.aborted) throw cancelledError(options.signal, 'blob write');
}

function sizeMismatch(options: PutOptions, got: string): WasmboxError {
  const about = options.expected ? ` for ${options.expected}` : '';
  return new WasmboxError(
    'DIGEST_MISMATCH',
    `blob size mismatch${about}: expected ${options.expectedSize} bytes, got ${got}`,
    { details: { expected: options.expected, expectedSize: options.expectedSize } },
  );
}

/**
 * Next item of an iterator, or CANCELLED as soon as the signal fires, even while the source is
 * stalled (a slow download must not hold a cancelled put open).
 */
function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  if (!signal) return it.next();
  if (signal.aborted) return Promise.reject(cancelledError(signal, 'blob write'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError(signal, 'blob write'));
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Feeds `data` to `sink` while hashing it; throws DIGEST_MISMATCH (size or digest), CANCELLED,
 * or whatever the source or sink threw. The backend commits only after this resolves.
 */
export async function hashBlobSource(data: BlobSource, options: PutOptions, sink: ChunkSink): Promise<BlobInfo> {
  checkPutOptions(options);
  const { expectedSize, signal } = options;
  const hasher = createSha256();
  let size = 0;

  const accept = async (chunk: Uint8Array): Promise<void> => {
    size += chunk.byteLength;
    // Fail as soon as a stream overruns: no point storing gigabytes we will throw away.
    if (expectedSize !== undefined && size > expectedSize) throw sizeMismatch(options, `more than that`);
    hasher.update(chunk);
    await sink(chunk);
  };

  if (data instanceof Uint8Array) {
    await accept(data);
  } else {
    const it = data[Symbol.asyncIterator]();
    try {
      for (;;) {
        const r = await nextOrAbort(it, signal);
        if (r.done) break;
        if (!(r.value instanceof Uint8Array)) {
          throw new WasmboxError('INVALID_ARGUMENT', `blob source yielded ${typeof r.value}, expected Uint8Array chunks`);
        }
        if (r.value.byteLength > 0) await accept(r.value);
      }
    } catch (e) {
      // Let the source release what it holds (a file, a socket); do not wait for it.
      void Promise.resolve(it.return?.()).catch(() => {});
      throw e;
    }
  }

  if (signal?.aborted) throw cancelledError(signal, 'blob write');
  if (expectedSize !== undefined && size !== expectedSize) throw sizeMismatch(options, `${size}`);
  const digest: Digest = `sha256:${hasher.hex()}`;
  if (options.expected !== undefined && digest !== options.expected) {
    throw new WasmboxError(
      'DIGEST_MISMATCH',
      `blob content does not match its digest: expected ${options.expected}, got ${digest} (${size} bytes)`,
      { details: { expected: options.expected, actual: digest, size } },
    );
  }
  return { digest, size };
}

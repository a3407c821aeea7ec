// Layer blob compression, isomorphic: gzip through the web's DecompressionStream /
// CompressionStream (globals in Node 20 and every browser). zstd layers are recognised by
// their magic number and refused with a clear message (no isomorphic zstd decoder yet).

import { WasmboxError } from '../errors.js';
import { collectBytes } from '../util/bytes.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Sniffs a blob's compression from its magic bytes. */
export function detectCompression(blob: Uint8Array): Compression {
  if (blob.length >= 2 && blob[0] === 0x1f && blob[1] === 0x8b) return 'gzip';
  if (blob.length >= 4 && blob[0] === 0x28 && blob[1] === 0xb5 && blob[2] === 0x2f && blob[3] === 0xfd) return 'zstd';
  return 'none';
}


function transform(data: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
  return collectBytes(source.pipeThrough(stream));
}

export interface GunzipOptions {
  /** Names the blob in error messages (a digest or a file name). */
  source?: string;
}

/** Decompresses a whole gzip blob into one contiguous array; INVALID_GZIP on bad data. */
export async function gunzip(blob: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  const where = options.source ? ` (${options.source})` : '';
  if (detectCompression(blob) !== 'gzip') {
    throw new WasmboxError('INVALID_GZIP', `not gzip data${where}: missing the 1f 8b magic bytes`, { details: { source: options.source } });
  }
  try {
    return await transform(blob, new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new WasmboxError('INVALID_GZIP', `corrupt gzip data${where}: ${reason}`, { cause: e, details: { source: options.source } });
  }
}

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  return transform(data, new CompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>);
}

/** A layer blob as an uncompressed tar: gunzipped if needed, refused if zstd. */
export async function decompressLayer(blob: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  const compression = detectCompression(blob);
  if (compression === 'gzip') return gunzip(blob, options);
  if (compression === 'zstd') {
    const where = options.source ? ` ${options.source}` : '';
    throw new WasmboxError(
      'UNSUPPORTED_MEDIA_TYPE',
      `layer${where} is zstd-compressed; wasmbox reads only gzip or uncompressed tar layers (re-push the image with gzip layers)`,
      { details: { source: options.source } },
    );
  }
  return blob;
}

// Byte formats of the Engine API's streams: newline-delimited JSON (events, load, pull
// progress) and the multiplexed stdio format of attach/exec/logs without a TTY, whose frames
// are [stream, 0, 0, 0, size as big-endian uint32] followed by `size` bytes.

import { WasmboxError } from '../errors.js';

/** Stream ids of the multiplexed format. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export type MuxStream = typeof STDIN | typeof STDOUT | typeof STDERR;

/** One frame of the multiplexed format. */
export function muxFrame(stream: MuxStream, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, data.length, false);
  out.set(data, 8);
  return out;
}

/**
 * Splits multiplexed bytes into frames, across chunk boundaries: feed chunks with `push`, read
 * complete frames from its return value; `pending` tells whether a partial frame is buffered.
 */
export class MuxDecoder {
  #buffer = new Uint8Array(0);

  push(chunk: Uint8Array): { stream: MuxStream; data: Uint8Array }[] {
    const merged = new Uint8Array(this.#buffer.length + chunk.length);
    merged.set(this.#buffer);
    merged.set(chunk, this.#buffer.length);
    const frames: { stream: MuxStream; data: Uint8Array }[] = [];
    let at = 0;
    while (merged.length - at >= 8) {
      const stream = merged[at]!;
      if (stream > 2) throw new WasmboxError('INVALID_ARGUMENT', `multiplexed stream: invalid stream id ${stream} at byte ${at}`);
      const size = new DataView(merged.buffer, merged.byteOffset + at + 4, 4).getUint32(0, false);
      if (merged.length - at - 8 < size) break;
      frames.push({ stream: stream as MuxStream, data: merged.slice(at + 8, at + 8 + size) });
      at += 8 + size;
    }
    this.#buffer = merged.slice(at);
    return frames;
  }

  get pending(): boolean {
    return this.#buffer.length > 0;
  }
}

const encoder = new TextEncoder();

/** One line of a JSON stream. */
export function jsonLine(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value) + '\n');
}

/** The error line Docker's JSON streams end with; the docker CLI prints `message` and exits 1. */
export function jsonStreamError(message: string): Record<string, unknown> {
  return { errorDetail: { message }, error: message };
}

/** A ReadableStream over an async iterable; cancelling the stream ends the iterator (its `finally` runs). */
export function streamFrom<T>(source: AsyncIterable<T>, encode: (item: T) => Uint8Array): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<T> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= source[Symbol.asyncIterator]();
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encode(next.value));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await iterator?.return?.();
    },
  });
}

/** The chunks of a ReadableStream as an async iterable (not every runtime makes streams iterable). */
export async function* iterateStream(stream: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

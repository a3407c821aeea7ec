// Plumbing shared by attach, exec start and logs: a container's output frames become Docker's
// bytes (raw with a TTY, multiplexed frames without), and a hijacked connection's input becomes
// the process's stdin. A client that goes away ends both sides, so no stream outlives its client.

import type { OutputFrame } from '../../engine/container-types.js';
import { HijackResponse, MULTIPLEXED_STREAM, RAW_STREAM } from '../hijack.js';
import type { HijackedConnection } from '../hijack.js';
import { STDERR, STDOUT, iterateStream, muxFrame } from '../stream-format.js';

const encoder = new TextEncoder();

export interface FrameEncoding {
  tty: boolean;
  /** Prefix every line with its RFC 3339 time (`docker logs -t`). */
  timestamps?: boolean;
}

/** Go's RFC3339Nano: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const [head, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${head}${trimmed === '' ? '' : '.' + trimmed}Z`;
}

function withTimestamps(frame: OutputFrame): Uint8Array {
  const stamp = rfc3339Nano(frame.time) + ' ';
  const text = new TextDecoder().decode(frame.data);
  // Docker stamps each log line; a frame may carry several.
  const lines = text.split(/(?<=\n)/);
  return encoder.encode(lines.map((l) => stamp + l).join(''));
}

/** The bytes of one frame on the wire. */
export function encodeFrame(frame: OutputFrame, encoding: FrameEncoding): Uint8Array {
  const data = encoding.timestamps ? withTimestamps(frame) : frame.data;
  if (encoding.tty) return data;
  return muxFrame(frame.stream === 'stderr' ? STDERR : STDOUT, data);
}

/** Resolves when the signal aborts (never rejects). */
function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Iterates `source` until it ends or `signal` aborts; on abort the pending `next()` is abandoned
 * and the iterator's `return()` runs, so a silent container cannot hold a gone client's stream.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = whenAborted(signal).then(() => ({ done: true as const, value: undefined }));
  let finished = false;
  try {
    while (!signal.aborted) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        finished = !signal.aborted;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * A ReadableStream of encoded frames. `stop` is the source's signal: cancelling the stream (the
 * client left) aborts it, so the service ends a follow that is waiting for output.
 */
export function frameStream(source: AsyncIterable<OutputFrame>, encoding: FrameEncoding, stop: AbortController): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<OutputFrame> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= untilAborted(source, stop.signal)[Symbol.asyncIterator]();
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encodeFrame(next.value, encoding));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      stop.abort();
      await iterator?.return?.(undefined);
    },
  });
}

/** An AbortController that also aborts with `signal`. */
export function linkedAbort(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

/**
 * One hijacked stdio session (attach, exec start). Create it before calling the service, pass
 * `stdin` and `signal` to the service, then answer with `respond(output)`: the service can
 * subscribe to output (and start) before the client gets `101 UPGRADED`, so nothing is lost.
 */
export class HijackedStdio {
  readonly #abort = new AbortController();
  #provide!: (readable: ReadableStream<Uint8Array>) => void;
  readonly #readable = new Promise<ReadableStream<Uint8Array>>((resolve) => (this.#provide = resolve));

  constructor(clientSignal: AbortSignal) {
    if (clientSignal.aborted) this.#abort.abort();
    else clientSignal.addEventListener('abort', () => this.#abort.abort(), { once: true });
  }

  /** Aborts when the client leaves or the session ends. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Ends the session (the service's call failed before the hijack). */
  abort(): void {
    this.#abort.abort();
  }

  /** What the client sends, once the connection is handed over; ends at its half-close or at abort. */
  get stdin(): AsyncIterable<Uint8Array> {
    const readable = this.#readable;
    const signal = this.#abort.signal;
    return {
      async *[Symbol.asyncIterator]() {
        const stream = await Promise.race([readable, whenAborted(signal).then(() => undefined)]);
        if (stream === undefined || signal.aborted) return;
        try {
          yield* untilAborted(iterateStream(stream), signal);
        } catch {
          // A connection that breaks (or a body a route already read) is the end of stdin.
        }
      },
    };
  }

  respond(output: AsyncIterable<OutputFrame>, options: { tty: boolean; stdout?: boolean; stderr?: boolean }): HijackResponse {
    const wantOut = options.stdout ?? true;
    const wantErr = options.stderr ?? true;
    const signal = this.#abort.signal;
    return new HijackResponse(
      async (connection: HijackedConnection) => {
        this.#provide(connection.readable);
        const writer = connection.writable.getWriter();
        try {
          for await (const frame of untilAborted(output, signal)) {
            if (frame.stream === 'stdout' ? !wantOut : !wantErr) continue;
            await writer.write(encodeFrame(frame, { tty: options.tty }));
          }
          if (!signal.aborted) await writer.close();
          else await writer.abort().catch(() => undefined);
        } catch {
          // The client went away mid-write: its socket is gone, nothing to report to.
          await writer.abort().catch(() => undefined);
        } finally {
          this.#abort.abort();
        }
      },
      { mediaType: options.tty ? RAW_STREAM : MULTIPLEXED_STREAM },
    );
  }
}

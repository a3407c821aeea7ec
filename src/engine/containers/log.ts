// A container's output: kept as log entries of one line each (Docker's json-file keeps one
// entry a line, which is what `--tail` counts and `--timestamps` prefixes), in a bounded ring,
// and handed live to followers (`logs -f`, attach) until the run they follow ends.

import type { OutputFrame } from '../container-types.js';

/** An async queue: push from the engine, iterate from a client; ends on close() or abort. */
export class Channel<T> implements AsyncIterable<T> {
  readonly #queue: T[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #onClose: (() => void) | undefined;

  constructor(options: { signal?: AbortSignal; onClose?: () => void } = {}) {
    this.#onClose = options.onClose;
    if (options.signal?.aborted) this.close();
    else options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(item: T): void {
    if (this.#closed) return;
    this.#queue.push(item);
    this.#signal();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const f = this.#onClose;
    this.#onClose = undefined;
    f?.();
    this.#signal();
  }

  #signal(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          yield this.#queue.shift()!;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((r) => (this.#wake = r));
      }
    } finally {
      this.close();
    }
  }
}

const NL = 0x0a;

export interface OutputLogOptions {
  /** Most bytes kept in memory; the oldest entries go first. Default 16 MiB. */
  maxBytes?: number;
  /** Receives every entry (persistence). */
  onEntry?: (frame: OutputFrame) => void;
}

export class OutputLog {
  readonly #entries: OutputFrame[] = [];
  #bytes = 0;
  readonly #maxBytes: number;
  readonly #onEntry: ((frame: OutputFrame) => void) | undefined;
  readonly #followers = new Set<Channel<OutputFrame>>();
  /** A line not ended yet, per stream: held back so entries stay whole lines. */
  readonly #partial: Record<'stdout' | 'stderr', Uint8Array | undefined> = { stdout: undefined, stderr: undefined };

  constructor(options: OutputLogOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 16 << 20;
    this.#onEntry = options.onEntry;
  }

  /** Entries restored from persistence. */
  load(frames: readonly OutputFrame[]): void {
    for (const f of frames) this.#add(f, false);
  }

  /** Output of the process; followers get it at once, the log by whole lines. */
  write(stream: 'stdout' | 'stderr', data: Uint8Array, time: number): void {
    for (const f of this.#followers) f.push({ stream, data, time });
    let start = 0;
    let buf = data;
    const held = this.#partial[stream];
    if (held !== undefined) {
      buf = new Uint8Array(held.length + data.length);
      buf.set(held);
      buf.set(data, held.length);
      this.#partial[stream] = undefined;
    }
    for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, start)) {
      this.#add({ stream, data: buf.slice(start, i + 1), time }, true);
      start = i + 1;
    }
    if (start < buf.length) this.#partial[stream] = buf.slice(start);
  }

  /** The run ended: flush unterminated lines, end the followers. */
  endRun(time: number): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const held = this.#partial[stream];
      if (held !== undefined) this.#add({ stream, data: held, time }, true);
      this.#partial[stream] = undefined;
    }
    for (const f of [...this.#followers]) f.close();
  }

  #add(frame: OutputFrame, persist: boolean): void {
    this.#entries.push(frame);
    this.#bytes += frame.data.length;
    while (this.#bytes > this.#maxBytes && this.#entries.length > 1) this.#bytes -= this.#entries.shift()!.data.length;
    if (persist) this.#onEntry?.(frame);
  }

  /** Entries kept (whole lines), oldest first. */
  entries(): readonly OutputFrame[] {
    return this.#entries;
  }

  /** Live output from now until the current (or next) run ends. */
  follow(signal?: AbortSignal): Channel<OutputFrame> {
    const ch: Channel<OutputFrame> = new Channel({ ...(signal === undefined ? {} : { signal }), onClose: () => this.#followers.delete(ch) });
    if (!ch.closed) this.#followers.add(ch);
    return ch;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#bytes = 0;
  }
}

/** RFC 3339 with nanoseconds, as Docker's `--timestamps` prints them. */
export function timestampOf(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  const frac = String(Math.floor((ms % 1000) * 1e6)).padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

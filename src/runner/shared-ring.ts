// A single-producer single-consumer byte ring in a SharedArrayBuffer: how bytes reach a
// process running synchronously in a worker (its stdin, and other processes' file-system
// changes). The producer never blocks (it writes what fits and keeps the rest); the consumer
// polls with one Atomics.load, or blocks with Atomics.wait when it must (a read of stdin).

const HEADER_INTS = 4;
const W = 0; // bytes written so far (mod 2^32)
const R = 1; // bytes read so far (mod 2^32)
const CLOSED = 2; // 1 once the producer closed: EOF after the buffered bytes

type WaitAsync = (ta: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
// ES2024; typed here because the project's lib is ES2023.
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync?.bind(Atomics);

export class SharedRing {
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  readonly #data: Uint8Array;
  readonly capacity: number;

  /**
   * A new ring of `capacity` bytes (rounded up to a power of two, so positions stay right when
   * the 32-bit counters wrap), or a view of an existing ring's buffer (on the other thread).
   */
  constructor(bufferOrCapacity: SharedArrayBuffer | number) {
    this.buffer =
      typeof bufferOrCapacity === 'number'
        ? new SharedArrayBuffer(HEADER_INTS * 4 + 2 ** Math.ceil(Math.log2(Math.max(16, bufferOrCapacity))))
        : bufferOrCapacity;
    this.#header = new Int32Array(this.buffer, 0, HEADER_INTS);
    this.#data = new Uint8Array(this.buffer, HEADER_INTS * 4);
    this.capacity = this.#data.length;
  }

  /** Bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.#header, W) - Atomics.load(this.#header, R)) >>> 0;
  }

  get closed(): boolean {
    return Atomics.load(this.#header, CLOSED) === 1;
  }

  // ---- producer ----

  /** Writes as much of `data` as fits; returns the number of bytes written (0 when full). */
  write(data: Uint8Array): number {
    const w = Atomics.load(this.#header, W) >>> 0;
    const r = Atomics.load(this.#header, R) >>> 0;
    const free = this.capacity - ((w - r) >>> 0);
    const n = Math.min(free, data.length);
    if (n === 0) return 0;
    const at = w % this.capacity;
    const first = Math.min(n, this.capacity - at);
    this.#data.set(data.subarray(0, first), at);
    if (n > first) this.#data.set(data.subarray(first, n), 0);
    Atomics.store(this.#header, W, (w + n) | 0);
    Atomics.notify(this.#header, W);
    return n;
  }

  /**
   * Writes all of `data`, blocking (Atomics.wait: workers only) while the ring is full: the
   * backpressure of a process writing faster than the engine reads. False if the reader
   * went away (`abandon()`), with the rest dropped.
   */
  writeAll(data: Uint8Array): boolean {
    let rest = data;
    for (;;) {
      const r = Atomics.load(this.#header, R);
      const n = this.write(rest);
      if (n === rest.length) return true;
      rest = rest.subarray(n);
      if (this.closed) return false;
      Atomics.wait(this.#header, R, r, 1000);
    }
  }

  /** No more bytes will come: a reader gets EOF once the buffered bytes are read. */
  close(): void {
    Atomics.store(this.#header, CLOSED, 1);
    Atomics.notify(this.#header, W);
  }

  // ---- consumer ----

  /** Up to `max` bytes without blocking: an empty array when nothing is buffered, null at EOF. */
  tryRead(max: number): Uint8Array | null {
    // CLOSED is set after the last write: read it first, so W below includes every byte.
    const closed = this.closed;
    const w = Atomics.load(this.#header, W) >>> 0;
    const r = Atomics.load(this.#header, R) >>> 0;
    const avail = (w - r) >>> 0;
    if (avail === 0) return closed ? null : new Uint8Array(0);
    const n = Math.min(avail, max);
    const out = new Uint8Array(n);
    const at = r % this.capacity;
    const first = Math.min(n, this.capacity - at);
    out.set(this.#data.subarray(at, at + first));
    if (n > first) out.set(this.#data.subarray(0, n - first), first);
    Atomics.store(this.#header, R, (r + n) | 0);
    Atomics.notify(this.#header, R);
    return out;
  }

  /** Resolves when bytes may be available (or the ring closed), without blocking the thread. */
  async waitForData(): Promise<void> {
    const w = Atomics.load(this.#header, W);
    if (this.available() > 0 || this.closed) return;
    if (waitAsync === undefined) {
      // Engines without Atomics.waitAsync: poll.
      await new Promise((r) => setTimeout(r, 4));
      return;
    }
    const res = waitAsync(this.#header, W, w);
    if (res.async) await res.value;
  }

  /** The consumer stops reading: a producer blocked in writeAll returns false. */
  abandon(): void {
    this.close();
    Atomics.notify(this.#header, R);
  }

  /** Up to `max` bytes, blocking (Atomics.wait: workers only) until some arrive or EOF (null). */
  read(max: number): Uint8Array | null {
    for (;;) {
      const w = Atomics.load(this.#header, W);
      const got = this.tryRead(max);
      if (got === null || got.length > 0) return got;
      // Sleep until the producer moves W (or closes, which also notifies W).
      Atomics.wait(this.#header, W, w, 1000);
    }
  }
}

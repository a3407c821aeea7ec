// The byte streams behind the shell's file descriptors: inputs with push-back (so `read`
// takes exactly one line and leaves the rest to the next command), files opened by
// redirections, here-doc bodies, captured output for `$(…)`, and the bounded pipe buffer
// that joins the stages of a pipeline.

import { WasmboxError } from '../../errors.js';
import type { FileHandle } from '../../vfs/index.js';
import type { SyncInput, SyncOutput } from '../types.js';
import { concatBytes } from '../../util/bytes.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** An input the shell can read a line from without consuming more than that line. */
export abstract class ShellInput implements SyncInput {
  private pushback: Uint8Array | null = null;
  isTTY?: boolean;

  protected abstract pull(max: number): Uint8Array | null;
  protected abstract pullReady(): boolean;

  read(max: number): Uint8Array | null {
    const pb = this.pushback;
    if (pb !== null) {
      const n = Math.min(max, pb.length);
      this.pushback = n < pb.length ? pb.subarray(n) : null;
      return pb.subarray(0, n);
    }
    return this.pull(max);
  }

  ready(): boolean {
    return this.pushback !== null || this.pullReady();
  }

  /** One line without its newline; `ended` is false when the input ended before a newline. Null at EOF. */
  readLine(): { line: string; ended: boolean } | null {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const data = this.read(65536);
      if (data === null) {
        if (total === 0) return null;
        return { line: decode(concatBytes(chunks)), ended: false };
      }
      const nl = data.indexOf(10);
      if (nl >= 0) {
        if (nl + 1 < data.length) this.unread(data.subarray(nl + 1));
        chunks.push(data.subarray(0, nl));
        total += nl;
        return { line: decode(concatBytes(chunks)), ended: true };
      }
      chunks.push(data.slice());
      total += data.length;
    }
  }

  /** Everything up to EOF. */
  readAll(): Uint8Array {
    const chunks: Uint8Array[] = [];
    for (let d = this.read(65536); d !== null; d = this.read(65536)) chunks.push(d.slice());
    return concatBytes(chunks);
  }

  private unread(data: Uint8Array): void {
    this.pushback = this.pushback === null ? data.slice() : concatBytes([data, this.pushback]);
  }
}


/** Wraps the caller's stdin; everything the shell and its commands read goes through here. */
export class BufferedInput extends ShellInput {
  constructor(private readonly source: SyncInput) {
    super();
    this.isTTY = source.isTTY;
  }
  protected pull(max: number): Uint8Array | null {
    return this.source.read(max);
  }
  protected pullReady(): boolean {
    return this.source.ready();
  }
}

export class BytesInput extends ShellInput {
  private off = 0;
  constructor(private readonly data: Uint8Array) {
    super();
  }
  protected pull(max: number): Uint8Array | null {
    if (this.off >= this.data.length) return null;
    const n = Math.min(max, this.data.length - this.off);
    const out = this.data.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  protected pullReady(): boolean {
    return true;
  }
}

export class NullInput extends ShellInput {
  protected pull(): Uint8Array | null {
    return null;
  }
  protected pullReady(): boolean {
    return true;
  }
}

/** A file opened by `<` or `<>`; reads from its own offset. */
export class FileInput extends ShellInput {
  position = 0;
  constructor(readonly handle: FileHandle) {
    super();
  }
  protected pull(max: number): Uint8Array | null {
    const left = this.handle.size() - this.position;
    if (left <= 0) return null;
    const buf = new Uint8Array(Math.min(max, left, 1 << 20));
    const n = this.handle.read(buf, this.position);
    if (n === 0) return null;
    this.position += n;
    return buf.subarray(0, n);
  }
  protected pullReady(): boolean {
    return true;
  }
}

/** A file opened by `>`, `>>`, `>|` or `<>`. */
export class FileOutput implements SyncOutput {
  position = 0;
  constructor(
    readonly handle: FileHandle,
    private readonly options: { append: boolean },
  ) {}
  write(data: Uint8Array): void {
    if (this.options.append) this.handle.append(data);
    else this.position += this.handle.write(data, this.position);
  }
}

export const NULL_OUTPUT: SyncOutput = { write() {} };

/** Collects the output of a command substitution. */
export class CaptureOutput implements SyncOutput {
  private chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  write(data: Uint8Array): void {
    if (this.size + data.length > this.limit) {
      throw new WasmboxError('EFBIG', `command substitution output exceeds ${this.limit} bytes`);
    }
    this.chunks.push(data.slice());
    this.size += data.length;
  }
  text(): string {
    return decode(concatBytes(this.chunks));
  }
}

/**
 * The pipe between two pipeline stages. Stages run one after the other, so the producer's
 * whole output is held here; once `limit` bytes are buffered, further writes fail with EPIPE,
 * which ends the producer the way SIGPIPE would (`yes | head -1` terminates).
 */
export class PipeBuffer implements SyncOutput {
  private chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  write(data: Uint8Array): void {
    const room = this.limit - this.size;
    if (data.length > room) {
      if (room > 0) this.push(data.subarray(0, room));
      throw new WasmboxError('EPIPE', `pipe buffer full (${this.limit} bytes): the reading command sees only the first ${this.limit} bytes`);
    }
    this.push(data);
  }

  private push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data.slice());
    this.size += data.length;
  }

  /** The reading end, for the next stage. */
  reader(): ShellInput {
    return new BytesInput(concatBytes(this.chunks));
  }
}

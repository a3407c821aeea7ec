// The change log that keeps replicas of one container's file system in step: every change
// a process makes, named by path (the canonical path of its parent directory + the entry's
// name), so it replays the same on another Namespace holding the same tree. Also a compact
// binary encoding, for the SharedArrayBuffer inbox of a worker.

import { WasmboxError } from '../../errors.js';
import type { Namespace } from '../../vfs/namespace.js';
import type { SetAttrs } from '../../vfs/types.js';

export type FsChange =
  /** open(2) with O_CREAT and/or O_TRUNC (replayed without O_EXCL: the file may exist by then). */
  | { op: 'open'; path: string; create: boolean; truncate: boolean; mode: number }
  | { op: 'write'; path: string; position: number; data: Uint8Array }
  | { op: 'truncate'; path: string; size: number }
  | { op: 'mkdir'; path: string; mode: number }
  | { op: 'rmdir'; path: string }
  | { op: 'unlink'; path: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'link'; existing: string; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'setattrs'; path: string; attrs: SetAttrs; follow: boolean };

/** Replays one change on `ns`; throws what the namespace throws (a conflict with a concurrent change). */
export function applyChange(ns: Namespace, c: FsChange): void {
  switch (c.op) {
    case 'open':
      ns.open(c.path, { write: true, create: c.create, truncate: c.truncate, mode: c.mode }).close();
      return;
    case 'write': {
      const f = ns.open(c.path, { write: true });
      try {
        f.write(c.data, c.position);
      } finally {
        f.close();
      }
      return;
    }
    case 'truncate':
      ns.truncate(c.path, c.size);
      return;
    case 'mkdir':
      ns.mkdir(c.path, { mode: c.mode });
      return;
    case 'rmdir':
      ns.rmdir(c.path);
      return;
    case 'unlink':
      ns.unlink(c.path);
      return;
    case 'symlink':
      ns.symlink(c.target, c.path);
      return;
    case 'link':
      ns.link(c.existing, c.path);
      return;
    case 'rename':
      ns.rename(c.from, c.to);
      return;
    case 'setattrs':
      ns.setAttrs(c.path, c.attrs, c.follow);
      return;
  }
}

/**
 * Changes waiting to be sent, in order. Contiguous writes to one file are merged into one
 * entry as they come (a guest doing a million one-byte writes sends one change, not a
 * million), with amortised O(1) appends.
 */
export class ChangeQueue {
  #changes: FsChange[] = [];
  #bytes = 0;
  /** Spare capacity behind the last entry when it is a write being grown. */
  #tail: { buf: Uint8Array; len: number } | undefined;

  get length(): number {
    return this.#changes.length;
  }

  /** Approximate size of the queued changes in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues a change; `write` data is copied (the caller's buffer may be guest memory). */
  push(c: FsChange): void {
    if (c.op === 'write') {
      const last = this.#changes[this.#changes.length - 1];
      if (last?.op === 'write' && last.path === c.path && this.#tail !== undefined && last.position + this.#tail.len === c.position) {
        this.#grow(c.data);
        this.#bytes += c.data.length;
        return;
      }
      this.#seal();
      const buf = new Uint8Array(Math.max(c.data.length, 256));
      buf.set(c.data);
      this.#tail = { buf, len: c.data.length };
      this.#changes.push({ op: 'write', path: c.path, position: c.position, data: buf.subarray(0, c.data.length) });
      this.#bytes += c.data.length + c.path.length + 16;
      return;
    }
    this.#seal();
    this.#changes.push(c);
    this.#bytes += 64;
  }

  /** Everything queued, oldest first; the queue is empty afterwards. */
  take(): FsChange[] {
    this.#seal();
    const out = this.#changes;
    this.#changes = [];
    this.#bytes = 0;
    return out;
  }

  #grow(data: Uint8Array): void {
    const tail = this.#tail!;
    const need = tail.len + data.length;
    if (need > tail.buf.length) {
      const bigger = new Uint8Array(Math.max(need, tail.buf.length * 2));
      bigger.set(tail.buf.subarray(0, tail.len));
      tail.buf = bigger;
    }
    tail.buf.set(data, tail.len);
    tail.len = need;
    const last = this.#changes[this.#changes.length - 1] as Extract<FsChange, { op: 'write' }>;
    last.data = tail.buf.subarray(0, tail.len);
  }

  #seal(): void {
    this.#tail = undefined;
  }
}

// ---- binary encoding: [u32 json length][json][data of the write changes, in order] ----

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeChanges(changes: readonly FsChange[]): Uint8Array {
  const datas: Uint8Array[] = [];
  const meta = changes.map((c) => {
    if (c.op !== 'write') return c;
    datas.push(c.data);
    return { op: 'write', path: c.path, position: c.position, size: c.data.length };
  });
  const json = encoder.encode(JSON.stringify(meta));
  let total = 4 + json.length;
  for (const d of datas) total += d.length;
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let o = 4 + json.length;
  for (const d of datas) {
    out.set(d, o);
    o += d.length;
  }
  return out;
}

export function decodeChanges(bytes: Uint8Array): FsChange[] {
  if (bytes.length < 4) throw new WasmboxError('INTERNAL', 'truncated change log frame');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLen = view.getUint32(0, true);
  const meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + jsonLen))) as Array<FsChange | { op: 'write'; path: string; position: number; size: number }>;
  let o = 4 + jsonLen;
  return meta.map((m) => {
    if (m.op !== 'write') return m as FsChange;
    const size = (m as { size: number }).size;
    const data = bytes.slice(o, o + size);
    o += size;
    return { op: 'write', path: m.path, position: m.position, data };
  });
}

// Small helpers over guest linear memory: bounds-checked byte views, u64 stores from plain
// numbers (no BigInt for sizes and inode numbers), nanosecond timestamps, and path decoding
// that skips TextDecoder for the short ASCII names most syscalls carry.

import { ERR_FAULT, ERR_ILSEQ } from './errno.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
export const encoder = new TextEncoder();

/** `len` bytes of guest memory at `ptr`, as a view (no copy); EFAULT when out of bounds. */
export function guestBytes(u8: Uint8Array, ptr: number, len: number): Uint8Array {
  if (ptr + len > u8.length) throw ERR_FAULT;
  return u8.subarray(ptr, ptr + len);
}

/** A UTF-8 string from guest memory; EILSEQ when it is not valid UTF-8. */
export function readString(u8: Uint8Array, ptr: number, len: number): string {
  if (ptr + len > u8.length) throw ERR_FAULT;
  if (len <= 64) {
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = u8[ptr + i]!;
      if (c >= 0x80) return decodeUtf8(u8, ptr, len);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(u8, ptr, len);
}

function decodeUtf8(u8: Uint8Array, ptr: number, len: number): string {
  try {
    return decoder.decode(u8.subarray(ptr, ptr + len));
  } catch {
    throw ERR_ILSEQ;
  }
}

/** Stores a non-negative integer (< 2^53) as a little-endian u64. */
export function setU64(dv: DataView, ptr: number, n: number): void {
  dv.setUint32(ptr, n >>> 0, true);
  dv.setUint32(ptr + 4, Math.floor(n / 4294967296) >>> 0, true);
}

/** A timestamp in ms (the vfs's unit, possibly fractional) as WASI's u64 nanoseconds. */
export function msToNs(ms: number): bigint {
  if (!(ms > 0)) return 0n;
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

export function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

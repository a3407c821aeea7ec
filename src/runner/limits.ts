// Memory limits by rewriting the module itself: the maximum of its memory (defined or
// imported) is lowered to the limit, so `memory.grow` returns -1 past it and malloc fails
// cleanly inside the guest. Real toolchains declare no maximum, and no engine knob caps a
// wasm memory (worker resourceLimits do not), so the binary is the one place to say it.

import { WasmboxError } from '../errors.js';
import { concatBytes } from '../util/bytes.js';

export const WASM_PAGE_SIZE = 65536;

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;

const IMPORT_FUNC = 0x00;
const IMPORT_TABLE = 0x01;
const IMPORT_MEMORY = 0x02;
const IMPORT_GLOBAL = 0x03;
const IMPORT_TAG = 0x04;

const LIMITS_HAS_MAX = 0x01;

/** Throws INVALID_MODULE (exit 126) unless `bytes` is a WebAssembly module this engine accepts. */
export function validateModule(bytes: Uint8Array, options: { name?: string } = {}): void {
  const where = options.name ? ` (${options.name})` : '';
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmboxError('INVALID_MODULE', `not a valid WebAssembly module${where}: no "\\0asm" header`, {
      details: { name: options.name },
    });
  }
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
    throw new WasmboxError('INVALID_MODULE', `not a valid WebAssembly module${where}: the engine rejected it`, {
      details: { name: options.name },
    });
  }
}

/** The memory limits a module declares (defined or imported), in pages. */
export interface MemoryDecl {
  imported: boolean;
  initialPages: number;
  maximumPages: number | undefined;
}

/** Every memory the module declares, imported ones first (their index order). */
export function memoriesOf(bytes: Uint8Array): MemoryDecl[] {
  const out: MemoryDecl[] = [];
  forEachMemory(bytes, (imported, limits) => {
    out.push({ imported, initialPages: limits.initial, maximumPages: limits.maximum });
  });
  return out;
}

/**
 * A copy of `bytes` whose memories may grow to at most `floor(memoryBytes / 64 KiB)` pages.
 * A smaller maximum already declared is kept. A module whose initial memory is already
 * larger than the limit cannot run: INVALID_ARGUMENT (a runtime error, exit 125).
 * The input must be a valid module (see validateModule).
 */
export function applyMemoryLimit(bytes: Uint8Array, memoryBytes: number, options: { name?: string } = {}): Uint8Array {
  if (!Number.isFinite(memoryBytes) || memoryBytes < 0) {
    throw new WasmboxError('INVALID_ARGUMENT', `invalid memory limit ${memoryBytes}: expected a number of bytes`);
  }
  const limitPages = Math.floor(memoryBytes / WASM_PAGE_SIZE);
  const where = options.name ? ` of ${options.name}` : '';
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let changed = false;
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++]!;
    const size = readU32(bytes, pos);
    pos = size.next;
    const bodyStart = pos;
    const bodyEnd = bodyStart + size.value;
    if (bodyEnd > bytes.length) throw malformed(`section ${id} runs past the end of the module`);
    pos = bodyEnd;
    if (id !== SECTION_IMPORT && id !== SECTION_MEMORY) {
      out.push(bytes.subarray(start, bodyEnd));
      continue;
    }
    const body = bytes.subarray(bodyStart, bodyEnd);
    const rewritten = id === SECTION_MEMORY ? rewriteMemorySection(body, limitPages, where) : rewriteImportSection(body, limitPages, where);
    if (rewritten === body) {
      out.push(bytes.subarray(start, bodyEnd));
      continue;
    }
    changed = true;
    out.push(Uint8Array.of(id), encodeU32(rewritten.length), rewritten);
  }
  return changed ? concatBytes(out) : bytes;
}

// ---- sections ----

interface Limits {
  flags: number;
  initial: number;
  maximum: number | undefined;
}

function rewriteMemorySection(body: Uint8Array, limitPages: number, where: string): Uint8Array {
  const count = readU32(body, 0);
  const parts: Uint8Array[] = [body.subarray(0, count.next)];
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const limits = readLimits(body, pos);
    parts.push(encodeLimits(capped(limits.limits, limitPages, where)));
    pos = limits.next;
  }
  parts.push(body.subarray(pos));
  return concatBytes(parts);
}

function rewriteImportSection(body: Uint8Array, limitPages: number, where: string): Uint8Array {
  const count = readU32(body, 0);
  const parts: Uint8Array[] = [];
  let copyFrom = 0;
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    pos = skipName(body, pos);
    pos = skipName(body, pos);
    const kind = body[pos++];
    if (kind === IMPORT_MEMORY) {
      parts.push(body.subarray(copyFrom, pos));
      const limits = readLimits(body, pos);
      parts.push(encodeLimits(capped(limits.limits, limitPages, where)));
      pos = copyFrom = limits.next;
      continue;
    }
    pos = skipImportDesc(body, pos, kind);
  }
  if (parts.length === 0) return body;
  parts.push(body.subarray(copyFrom));
  return concatBytes(parts);
}

function capped(l: Limits, limitPages: number, where: string): Limits {
  if (l.initial > limitPages) {
    throw new WasmboxError(
      'INVALID_ARGUMENT',
      `memory limit ${limitPages * WASM_PAGE_SIZE} bytes (${limitPages} pages) is below the minimum memory${where}: ` +
        `${l.initial} pages (${l.initial * WASM_PAGE_SIZE} bytes); raise --memory`,
      { details: { limitPages, initialPages: l.initial } },
    );
  }
  const maximum = l.maximum === undefined ? limitPages : Math.min(l.maximum, limitPages);
  return { flags: l.flags | LIMITS_HAS_MAX, initial: l.initial, maximum };
}

/** Calls `visit` for every memory of the module (imports first, then the memory section). */
function forEachMemory(bytes: Uint8Array, visit: (imported: boolean, limits: Limits) => void): void {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = readU32(bytes, pos);
    const body = bytes.subarray(size.next, size.next + size.value);
    pos = size.next + size.value;
    if (id === SECTION_MEMORY) {
      const count = readU32(body, 0);
      let p = count.next;
      for (let i = 0; i < count.value; i++) {
        const l = readLimits(body, p);
        visit(false, l.limits);
        p = l.next;
      }
    } else if (id === SECTION_IMPORT) {
      const count = readU32(body, 0);
      let p = count.next;
      for (let i = 0; i < count.value; i++) {
        p = skipName(body, p);
        p = skipName(body, p);
        const kind = body[p++];
        if (kind === IMPORT_MEMORY) {
          const l = readLimits(body, p);
          visit(true, l.limits);
          p = l.next;
        } else p = skipImportDesc(body, p, kind);
      }
    }
  }
}

function skipImportDesc(body: Uint8Array, pos: number, kind: number | undefined): number {
  switch (kind) {
    case IMPORT_FUNC:
      return readU32(body, pos).next;
    case IMPORT_TABLE: {
      // reftype (one byte in the MVP and reference-types proposals) then limits.
      return readLimits(body, pos + 1).next;
    }
    case IMPORT_GLOBAL:
      // valtype (one byte for numeric/ref types) then mutability.
      return pos + 2;
    case IMPORT_TAG:
      // attribute byte then a type index.
      return readU32(body, pos + 1).next;
    default:
      throw malformed(`unknown import kind 0x${(kind ?? 0).toString(16)}`);
  }
}

function skipName(body: Uint8Array, pos: number): number {
  const len = readU32(body, pos);
  return len.next + len.value;
}

function readLimits(body: Uint8Array, pos: number): { limits: Limits; next: number } {
  const flags = body[pos++];
  if (flags === undefined) throw malformed('truncated limits');
  const initial = readLeb(body, pos);
  let next = initial.next;
  let maximum: number | undefined;
  if (flags & LIMITS_HAS_MAX) {
    const max = readLeb(body, next);
    maximum = max.value;
    next = max.next;
  }
  return { limits: { flags, initial: initial.value, maximum }, next };
}

function encodeLimits(l: Limits): Uint8Array {
  const parts = [Uint8Array.of(l.flags), encodeU32(l.initial)];
  if (l.flags & LIMITS_HAS_MAX) parts.push(encodeU32(l.maximum ?? 0));
  // memory64 limits (flag 0x04) are u64 LEB128, which encodes small values as u32 does.
  return concatBytes(parts);
}

// ---- LEB128 ----

/** An unsigned LEB128 number (u32 or u64; values above 2^53 lose precision, which no real limit reaches). */
function readLeb(bytes: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = bytes[pos++];
    if (b === undefined) throw malformed('truncated LEB128 number');
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: pos };
    scale *= 128;
  }
  throw malformed('LEB128 number longer than 10 bytes');
}

function readU32(bytes: Uint8Array, pos: number): { value: number; next: number } {
  const r = readLeb(bytes, pos);
  if (r.value > 0xffffffff) throw malformed('u32 out of range');
  return r;
}

export function encodeU32(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return Uint8Array.from(out);
}


function malformed(message: string): WasmboxError {
  return new WasmboxError('INVALID_MODULE', `not a valid WebAssembly module: ${message}`);
}

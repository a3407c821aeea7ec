// A byte-level tar writer for tests: it can write what real tools write (GNU long names,
// base-256 numbers, PAX records, v7 headers) and also broken archives, which a library
// writer would refuse to produce.

const enc = new TextEncoder();

export interface RawHeader {
  name: string;
  typeflag?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  prefix?: string;
  /** 'ustar' (POSIX, default), 'gnu' ("ustar  \0") or 'v7' (no magic). */
  format?: 'ustar' | 'gnu' | 'v7';
  /** Raw bytes for numeric fields, e.g. base-256. */
  rawSize?: Uint8Array;
  rawUid?: Uint8Array;
  rawMtime?: Uint8Array;
  /** Store this checksum instead of the right one. */
  badChecksum?: boolean;
}

function put(block: Uint8Array, offset: number, length: number, value: string | Uint8Array): void {
  const bytes = typeof value === 'string' ? enc.encode(value) : value;
  block.set(bytes.subarray(0, length), offset);
}

function octal(n: number, length: number): string {
  return n.toString(8).padStart(length - 1, '0') + '\0';
}

export function header(h: RawHeader): Uint8Array {
  const b = new Uint8Array(512);
  put(b, 0, 100, h.name);
  put(b, 100, 8, octal(h.mode ?? 0o644, 8));
  put(b, 108, 8, h.rawUid ?? octal(h.uid ?? 0, 8));
  put(b, 116, 8, octal(h.gid ?? 0, 8));
  put(b, 124, 12, h.rawSize ?? octal(h.size ?? 0, 12));
  put(b, 136, 12, h.rawMtime ?? octal(h.mtime ?? 0, 12));
  b[156] = (h.typeflag ?? '0').charCodeAt(0);
  put(b, 157, 100, h.linkname ?? '');
  const format = h.format ?? 'ustar';
  if (format === 'ustar') {
    put(b, 257, 6, 'ustar\0');
    put(b, 263, 2, '00');
  } else if (format === 'gnu') {
    put(b, 257, 8, 'ustar  \0');
  }
  if (format !== 'v7') {
    put(b, 265, 32, h.uname ?? '');
    put(b, 297, 32, h.gname ?? '');
  }
  if (h.prefix) put(b, 345, 155, h.prefix);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  put(b, 148, 8, octal(h.badChecksum ? sum + 1 : sum, 7) + ' ');
  return b;
}

function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** Header + padded data; size defaults to the data's length. */
export function entry(h: RawHeader, data: Uint8Array | string = new Uint8Array(0)): Uint8Array {
  const bytes = typeof data === 'string' ? enc.encode(data) : data;
  return concat([header({ size: bytes.length, ...h }), pad(bytes)]);
}

export function paxData(records: Record<string, string>): Uint8Array {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = enc.encode(body).length + 1;
    while (String(len).length + enc.encode(body).length !== len) len++;
    out += len + body;
  }
  return enc.encode(out);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An archive: the entries then the two zero blocks. */
export function tarOf(...entries: Uint8Array[]): Uint8Array {
  return concat([...entries, new Uint8Array(1024)]);
}

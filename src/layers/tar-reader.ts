// A zero-copy tar reader: walks a whole archive held in memory and yields its entries with
// file contents as subarray views into the input, so a layer tree costs no copy of its blob.
// Reads ustar, old GNU/v7, GNU long names ('L'/'K'), PAX ('x'/'g') and base-256 numbers.

import { WasmboxError } from '../errors.js';

const BLOCK = 512;

export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory';

export interface TarEntry {
  type: TarEntryType;
  /** The path as the archive spells it (after PAX / GNU long name overrides), not normalized. */
  path: string;
  /** Target of a hard link or symlink; '' otherwise. */
  linkpath: string;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtimeMs: number;
  size: number;
  /** The contents: a view into the archive (empty for everything but files). */
  data: Uint8Array;
  /** Byte offset of the entry's own header in the archive. */
  offset: number;
}

export interface TarWarning {
  path: string;
  offset: number;
  message: string;
}

export interface ReadTarOptions {
  /** Called for entries that are skipped (devices, fifos, unknown kinds). */
  onWarning?: (warning: TarWarning) => void;
}

const utf8 = new TextDecoder('utf-8');

function invalid(message: string, offset: number, path?: string): WasmboxError {
  const where = path === undefined ? `at byte ${offset}` : `in entry "${path}" at byte ${offset}`;
  return new WasmboxError('INVALID_TAR', `invalid tar: ${message} ${where}`, { details: { offset, path } });
}

/** A NUL-terminated string field. */
function readString(buf: Uint8Array, start: number, length: number): string {
  let end = start;
  const max = start + length;
  while (end < max && buf[end] !== 0) end++;
  return utf8.decode(buf.subarray(start, end));
}

/** An octal field (space/NUL padded) or a base-256 one (high bit of the first byte set). */
function readNumber(buf: Uint8Array, start: number, length: number, field: string, headerOffset: number, path: string): number {
  const first = buf[start]!;
  if (first & 0x80) {
    // Base-256 (GNU/star): big-endian two's complement over the field, marker bit excluded.
    let v = BigInt(first & 0x7f);
    for (let i = 1; i < length; i++) v = v * 256n + BigInt(buf[start + i]!);
    if (first & 0x40) v -= 1n << BigInt(length * 8 - 1);
    const value = Number(v);
    if (!Number.isSafeInteger(value)) throw invalid(`base-256 ${field} field out of range`, headerOffset, path);
    return value;
  }
  // Octal: optional leading spaces, digits, then only spaces/NULs (an empty field is 0).
  const end = start + length;
  let i = start;
  while (i < end && buf[i] === 0x20) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37) break;
    value = value * 8 + (c - 0x30);
  }
  for (; i < end; i++) {
    if (buf[i] !== 0x20 && buf[i] !== 0) throw invalid(`non-octal ${field} field`, headerOffset, path);
  }
  return value;
}

function isZeroBlock(buf: Uint8Array, start: number): boolean {
  for (let i = start; i < start + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

function verifyChecksum(buf: Uint8Array, start: number, path: string): void {
  const stored = readNumber(buf, start + 148, 8, 'checksum', start, path);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : buf[start + i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // Some old tars summed signed chars; accept either, as GNU tar does.
  if (stored !== unsigned && stored !== signed) {
    throw invalid(`bad header checksum (stored ${stored}, computed ${unsigned})`, start, path);
  }
}

/** PAX records: "<len> <key>=<value>\n", len counting the whole record. */
function parsePax(data: Uint8Array, offset: number, path: string): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the record block with NULs
    let sp = pos;
    let len = 0;
    while (sp < data.length && data[sp]! >= 0x30 && data[sp]! <= 0x39) {
      len = len * 10 + (data[sp]! - 0x30);
      sp++;
    }
    if (sp === pos || data[sp] !== 0x20 || len <= sp - pos + 1 || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
      throw invalid('malformed PAX record', offset, path);
    }
    const record = data.subarray(sp + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw invalid('malformed PAX record (no key)', offset, path);
    out.set(utf8.decode(record.subarray(0, eq)), utf8.decode(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

function paxNumber(value: string, key: string, offset: number, path: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw invalid(`bad PAX ${key} "${value}"`, offset, path);
  return Number(value);
}

/**
 * Yields the entries of a tar archive. Device and fifo entries are skipped (reported to
 * onWarning): a WASI program cannot use them. Extended attributes (SCHILY.xattr.*) are
 * dropped on purpose: the vfs has no xattrs and WASI cannot read them.
 */
export function* tarEntries(tar: Uint8Array, options: ReadTarOptions = {}): Generator<TarEntry> {
  const global = new Map<string, string>();
  let pax: Map<string, string> | null = null;
  let gnuLongName: string | null = null;
  let gnuLongLink: string | null = null;
  let pos = 0;

  while (true) {
    if (pos === tar.length) {
      // No end-of-archive blocks: accepted at an entry boundary, as Go's archive/tar does.
      if (pax || gnuLongName !== null || gnuLongLink !== null) throw invalid('archive ends after an extended header', pos);
      return;
    }
    if (pos + BLOCK > tar.length) throw invalid('truncated archive (partial header block)', pos);
    if (isZeroBlock(tar, pos)) return; // end of archive; what follows is padding

    const start = pos;
    const rawName = readString(tar, start, 100);
    verifyChecksum(tar, start, rawName);
    const typeflag = tar[start + 156]!;
    const magic = readString(tar, start + 257, 6);
    const isPosixUstar = magic === 'ustar' && tar[start + 262] === 0;
    const prefix = isPosixUstar ? readString(tar, start + 345, 155) : '';
    const headerPath = prefix ? `${prefix}/${rawName}` : rawName;

    let size = readNumber(tar, start + 124, 12, 'size', start, headerPath);
    const overrides = new Map(global);
    if (pax) for (const [k, v] of pax) overrides.set(k, v);
    for (const [k, v] of overrides) if (v === '') overrides.delete(k); // an empty value unsets a key
    const path = gnuLongName ?? overrides.get('path') ?? headerPath;
    if (overrides.has('size')) size = paxNumber(overrides.get('size')!, 'size', start, path);

    // Header-only kinds carry no data blocks whatever their size field says (as Go's
    // archive/tar reads them, and Go writes most layers).
    if (typeflag >= 0x31 && typeflag <= 0x36) size = 0;
    const dataStart = start + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw invalid(`entry size ${size} runs past the end of the archive`, start, path);
    // The last entry's padding may be missing: umoci 0.4 `insert` ends its layers right after
    // the file data, and Go's reader (which umoci and docker use) accepts that.
    const next = Math.min(dataStart + Math.ceil(size / BLOCK) * BLOCK, tar.length);
    const data = tar.subarray(dataStart, dataEnd);
    pos = next;

    const flag = String.fromCharCode(typeflag);
    // Meta entries apply to the next real entry.
    if (flag === 'x') {
      pax = parsePax(data, start, path);
      continue;
    }
    if (flag === 'g') {
      for (const [k, v] of parsePax(data, start, path)) {
        if (v === '') global.delete(k);
        else global.set(k, v);
      }
      continue;
    }
    if (flag === 'L') {
      gnuLongName = readString(data, 0, data.length);
      continue;
    }
    if (flag === 'K') {
      gnuLongLink = readString(data, 0, data.length);
      continue;
    }

    const linkpath = gnuLongLink ?? overrides.get('linkpath') ?? readString(tar, start + 157, 100);
    pax = null;
    gnuLongName = null;
    gnuLongLink = null;

    let type: TarEntryType | null;
    if (typeflag === 0 || flag === '0' || flag === '7') type = path.endsWith('/') ? 'directory' : 'file';
    else if (flag === '1') type = 'link';
    else if (flag === '2') type = 'symlink';
    else if (flag === '5') type = 'directory';
    else type = null;

    if (type === null) {
      const kind = flag === '3' ? 'character device' : flag === '4' ? 'block device' : flag === '6' ? 'fifo' : `unsupported entry type '${flag}'`;
      options.onWarning?.({ path, offset: start, message: `skipped ${kind} "${path}"` });
      continue;
    }

    const mtimeMs = overrides.has('mtime')
      ? paxNumber(overrides.get('mtime')!, 'mtime', start, path) * 1000
      : readNumber(tar, start + 136, 12, 'mtime', start, path) * 1000;
    const uid = overrides.has('uid') ? paxNumber(overrides.get('uid')!, 'uid', start, path) : readNumber(tar, start + 108, 8, 'uid', start, path);
    const gid = overrides.has('gid') ? paxNumber(overrides.get('gid')!, 'gid', start, path) : readNumber(tar, start + 116, 8, 'gid', start, path);
    const mode = readNumber(tar, start + 100, 8, 'mode', start, path) & 0o7777;
    const isUstar = magic === 'ustar';
    const uname = overrides.get('uname') ?? (isUstar ? readString(tar, start + 265, 32) : '');
    const gname = overrides.get('gname') ?? (isUstar ? readString(tar, start + 297, 32) : '');

    yield {
      type,
      path,
      linkpath: type === 'link' || type === 'symlink' ? linkpath : '',
      mode,
      uid,
      gid,
      uname,
      gname,
      mtimeMs,
      size: type === 'file' ? size : 0,
      data: type === 'file' ? data : data.subarray(0, 0),
      offset: start,
    };
  }
}

/** All entries at once, plus the warnings for skipped ones. */
export function readTar(tar: Uint8Array): { entries: TarEntry[]; warnings: TarWarning[] } {
  const warnings: TarWarning[] = [];
  const entries = [...tarEntries(tar, { onWarning: (w) => warnings.push(w) })];
  return { entries, warnings };
}

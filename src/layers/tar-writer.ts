// A small tar writer: ustar headers, with a PAX extended header for what ustar cannot hold
// (long or non-ASCII paths and link targets, large ids and sizes). Our own rather than
// tar-stream's pack because that one pulls Node's `events` into the browser bundle; and
// writing into one preallocated array costs a single copy of each file's bytes.

import { WasmboxError } from '../errors.js';

const BLOCK = 512;
const enc = new TextEncoder();

export type TarWriteType = 'file' | 'directory' | 'symlink' | 'link';

export interface TarWriteEntry {
  /** Relative path without a leading '/' ('/' is appended to directories). */
  path: string;
  type: TarWriteType;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** Symlink target, or the path of the entry a hard link names. */
  linkpath?: string;
  /** Regular files only. */
  data?: Uint8Array;
}

const TYPEFLAG: Record<TarWriteType, number> = { file: 0x30, link: 0x31, symlink: 0x32, directory: 0x35 };
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) < 0x20) return false;
  return true;
}

/** Splits an ASCII path into ustar prefix (<=155) and name (<=100), or null. */
function splitUstar(path: string): [string, string] | null {
  if (path.length <= 100) return ['', path];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (i > 155) break;
    const name = path.slice(i + 1);
    if (name.length > 0 && name.length <= 100) return [path.slice(0, i), name];
  }
  return null;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = enc.encode(body).length;
  // The length prefix counts its own digits.
  let len = bodyLength + 1;
  while (String(len).length + bodyLength !== len) len = String(len).length + bodyLength;
  return `${len}${body}`;
}

interface Planned {
  header: Uint8Array;
  pax: Uint8Array | null;
  paxHeader: Uint8Array | null;
  data: Uint8Array | null;
}

function writeString(block: Uint8Array, offset: number, length: number, s: string): void {
  block.set(enc.encode(s).subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, n: number): void {
  writeString(block, offset, length, n.toString(8).padStart(length - 1, '0'));
}

function finishHeader(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function ustarHeader(h: { name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeflag: number; linkname: string }): Uint8Array {
  const b = new Uint8Array(BLOCK);
  writeString(b, 0, 100, h.name);
  writeOctal(b, 100, 8, h.mode);
  writeOctal(b, 108, 8, h.uid);
  writeOctal(b, 116, 8, h.gid);
  writeOctal(b, 124, 12, h.size);
  writeOctal(b, 136, 12, h.mtime);
  b[156] = h.typeflag;
  writeString(b, 157, 100, h.linkname);
  writeString(b, 257, 8, 'ustar\u000000');
  writeOctal(b, 329, 8, 0);
  writeOctal(b, 337, 8, 0);
  writeString(b, 345, 155, h.prefix);
  return finishHeader(b);
}

function plan(e: TarWriteEntry): Planned {
  const path = e.type === 'directory' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const linkpath = e.type === 'link' || e.type === 'symlink' ? (e.linkpath ?? '') : '';
  const data = e.type === 'file' ? (e.data ?? new Uint8Array(0)) : null;
  const size = data?.length ?? 0;
  if (!Number.isFinite(e.mtimeMs)) throw new WasmboxError('INVALID_ARGUMENT', `tar entry "${e.path}": invalid mtime`);
  const mtime = Math.max(0, Math.floor(e.mtimeMs / 1000));

  const records: string[] = [];
  const split = isAscii(path) ? splitUstar(path) : null;
  if (split === null) records.push(paxRecord('path', path));
  if (linkpath.length > 100 || !isAscii(linkpath)) records.push(paxRecord('linkpath', linkpath));
  if (e.uid > MAX_OCTAL_7) records.push(paxRecord('uid', String(e.uid)));
  if (e.gid > MAX_OCTAL_7) records.push(paxRecord('gid', String(e.gid)));
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', String(size)));
  if (mtime > MAX_OCTAL_11) records.push(paxRecord('mtime', String(mtime)));

  // What does not fit is a placeholder in the ustar header; readers take the PAX value.
  const [prefix, name] = split ?? ['', asciiFallback(path, 100)];
  const header = ustarHeader({
    name,
    prefix,
    mode: e.mode & 0o7777,
    uid: Math.min(e.uid, MAX_OCTAL_7),
    gid: Math.min(e.gid, MAX_OCTAL_7),
    size: Math.min(size, MAX_OCTAL_11),
    mtime: Math.min(mtime, MAX_OCTAL_11),
    typeflag: TYPEFLAG[e.type],
    linkname: linkpath.length > 100 || !isAscii(linkpath) ? asciiFallback(linkpath, 100) : linkpath,
  });
  if (records.length === 0) return { header, pax: null, paxHeader: null, data };
  const pax = enc.encode(records.join(''));
  const paxHeader = ustarHeader({
    name: asciiFallback(`PaxHeaders/${path.replace(/\/$/, '').split('/').pop()}`, 100),
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: pax.length,
    mtime: Math.min(mtime, MAX_OCTAL_11),
    typeflag: 0x78, // 'x'
    linkname: '',
  });
  return { header, pax, paxHeader, data };
}

function asciiFallback(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c >= 0x20 && c <= 0x7e && ch.length === 1 ? ch : '_';
  }
  return out.length <= max ? out : out.slice(out.length - max);
}

const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

/** The archive of `entries`, in order, ending with the two zero blocks. */
export function writeTar(entries: Iterable<TarWriteEntry>): Uint8Array {
  const planned = [...entries].map(plan);
  let total = 2 * BLOCK;
  for (const p of planned) {
    if (p.pax) total += BLOCK + padded(p.pax.length);
    total += BLOCK + padded(p.data?.length ?? 0);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of planned) {
    if (p.pax && p.paxHeader) {
      out.set(p.paxHeader, at);
      at += BLOCK;
      out.set(p.pax, at);
      at += padded(p.pax.length);
    }
    out.set(p.header, at);
    at += BLOCK;
    if (p.data) {
      out.set(p.data, at);
      at += padded(p.data.length);
    }
  }
  return out;
}

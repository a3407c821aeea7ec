// sha256 digests as OCI writes them (`sha256:<64 hex>`), computed incrementally so blobs can
// stream. The default hasher is pure JS (@noble/hashes, works in browsers); the Node platform
// installs node:crypto's native one at start-up with setSha256Factory.

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { WasmboxError } from '../errors.js';

export type Digest = `sha256:${string}`;

export interface Hasher {
  update(data: Uint8Array): void;
  /** Lowercase hex of the digest; the hasher must not be used afterwards. */
  hex(): string;
}

let factory: () => Hasher = () => {
  const h = nobleSha256.create();
  return {
    update: (data) => void h.update(data),
    hex: () => toHex(h.digest()),
  };
};

export function setSha256Factory(f: () => Hasher): void {
  factory = f;
}

export function createSha256(): Hasher {
  return factory();
}

export function sha256Hex(data: Uint8Array): string {
  const h = factory();
  h.update(data);
  return h.hex();
}

export function digestOf(data: Uint8Array | string): Digest {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return `sha256:${sha256Hex(bytes)}`;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** Validates a digest string; the error names where it came from. */
export function parseDigest(s: string, where = 'digest'): Digest {
  if (!isDigest(s)) {
    throw new WasmboxError('INVALID_DIGEST', `invalid ${where} "${s}": expected sha256:<64 lowercase hex digits>`);
  }
  return s;
}

/** The 64 hex digits of a digest (the file name in an OCI layout's blobs/sha256/). */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

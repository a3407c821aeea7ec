// sha256 digests: known vectors, the pure-JS default and node:crypto's hasher agree (the Node
// platform swaps one for the other at start-up), and digest strings are validated strictly.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSha256,
  digestHex,
  digestOf,
  isDigest,
  parseDigest,
  setSha256Factory,
  sha256Hex,
  toHex,
} from '../../../src/content/digest.js';
import type { Hasher } from '../../../src/content/digest.js';
import { isWasmboxError } from '../../../src/errors.js';
import { installNodeSha256, nodeSha256 } from '../../../src/platform/node/hash.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

const nobleFactory = (): Hasher => {
  const h = nobleSha256.create();
  return { update: (d) => void h.update(d), hex: () => toHex(h.digest()) };
};

const VECTORS: [string, string][] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
];

describe('sha256 digests', () => {
  afterEach(() => setSha256Factory(nobleFactory));

  for (const [name, install] of [
    ['pure JS (default)', () => setSha256Factory(nobleFactory)],
    ['node:crypto', installNodeSha256],
  ] as const) {
    it(`${name}: matches the FIPS 180-2 vectors`, () => {
      install();
      for (const [input, hex] of VECTORS) {
        expect(digestOf(input)).toBe(`sha256:${hex}`);
        expect(sha256Hex(new TextEncoder().encode(input))).toBe(hex);
      }
      // One million 'a's, fed incrementally.
      const h = createSha256();
      const block = new TextEncoder().encode('a'.repeat(1000));
      for (let i = 0; i < 1000; i++) h.update(block);
      expect(h.hex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    });
  }

  it('pure JS and node:crypto agree on any input and any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 500 }), (data, step) => {
        const a = nobleFactory();
        const b = nodeSha256();
        for (let i = 0; i < data.length; i += step) {
          a.update(data.subarray(i, i + step));
          b.update(data.subarray(i, i + step));
        }
        const hex = createHash('sha256').update(data).digest('hex');
        expect(a.hex()).toBe(hex);
        expect(b.hex()).toBe(hex);
      }),
      { numRuns: 200 },
    );
  });

  it('validates digest strings', () => {
    const good = `sha256:${'0123456789abcdef'.repeat(4)}`;
    expect(isDigest(good)).toBe(true);
    expect(parseDigest(good)).toBe(good);
    expect(digestHex(parseDigest(good))).toBe('0123456789abcdef'.repeat(4));
    for (const bad of ['', 'sha256:', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha256:${'a'.repeat(65)}`, `sha512:${'a'.repeat(64)}`, ` ${good}`, `${good}\n`]) {
      expect(isDigest(bad)).toBe(false);
      let error: unknown;
      try {
        parseDigest(bad, 'layer digest in manifest');
      } catch (e) {
        error = e;
      }
      expect(isWasmboxError(error, 'INVALID_DIGEST')).toBe(true);
      expect(String(error)).toContain('layer digest in manifest');
    }
  });
});

// The shared byte ring: partial writes when full, wrap-around, EOF after close.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedRing } from '../../../src/runner/shared-ring.js';

describe('SharedRing', () => {
  it('rounds capacity up to a power of two and writes only what fits', () => {
    const ring = new SharedRing(20);
    expect(ring.capacity).toBe(32);
    expect(ring.write(new Uint8Array(40).fill(1))).toBe(32);
    expect(ring.write(Uint8Array.of(2))).toBe(0);
    expect(ring.available()).toBe(32);
  });

  it('reads back the same byte stream through many wrap-arounds, then EOF after close', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 })), { maxLength: 60 }), (steps) => {
        const writer = new SharedRing(16);
        const reader = new SharedRing(writer.buffer);
        const sent: number[] = [];
        const got: number[] = [];
        let next = 0;
        let pending: number[] = [];
        for (const [w, r] of steps) {
          for (let i = 0; i < w; i++) pending.push(next++ & 0xff);
          const n = writer.write(Uint8Array.from(pending));
          sent.push(...pending.slice(0, n));
          pending = pending.slice(n);
          const chunk = reader.tryRead(r);
          expect(chunk).not.toBeNull();
          got.push(...chunk!);
        }
        writer.close();
        for (;;) {
          const chunk = reader.tryRead(7);
          if (chunk === null) break;
          got.push(...chunk);
        }
        expect(got).toEqual(sent);
      }),
    );
  });

  it('returns an empty array (not EOF) while open and empty', () => {
    const ring = new SharedRing(16);
    expect(ring.tryRead(4)).toEqual(new Uint8Array(0));
    ring.write(Uint8Array.of(9));
    ring.close();
    expect(ring.read(4)).toEqual(Uint8Array.of(9));
    expect(ring.read(4)).toBeNull();
  });
});

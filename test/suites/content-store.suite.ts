// The one behaviour every ContentStore backend must have (memory, Node directory, browser):
// run `contentStoreSuite(name, factory)` from a backend's test file.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/content/digest.js';
import type { Digest } from '../../src/content/digest.js';
import type { ContentStore } from '../../src/content/types.js';
import { isWasmboxError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

export interface ContentStoreFixture {
  store: ContentStore;
  cleanup?: () => Promise<void>;
}

export const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

export async function* chunked(data: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  let off = 0;
  let i = 0;
  while (off < data.byteLength) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    yield data.subarray(off, off + n);
    off += n;
  }
}

/** Deterministic pseudo-random bytes (so a failure reproduces). */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Byte equality without vitest's element-by-element deep diff, which crawls on megabyte arrays. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.byteLength, 'blob length').toBe(expected.byteLength);
  let i = 0;
  while (i < expected.byteLength && actual[i] === expected[i]) i++;
  expect(i, `first differing byte at offset ${i}`).toBe(expected.byteLength);
}

export async function expectCode(p: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ${code} error`).toBeDefined();
  if (!isWasmboxError(error, code)) throw new Error(`expected ${code}, got ${String(error)}`, { cause: error });
}

const sorted = (infos: { digest: Digest; size: number }[]) =>
  [...infos].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));

const INVALID_DIGESTS = [
  '',
  'sha256:',
  'sha256:abc',
  `sha256:${'A'.repeat(64)}`,
  `sha256:${'g'.repeat(64)}`,
  `sha512:${'a'.repeat(128)}`,
  `sha256:${'a'.repeat(64)}/../x`,
  `${'a'.repeat(64)}`,
] as Digest[];

export function contentStoreSuite(name: string, makeStore: () => Promise<ContentStoreFixture>): void {
  describe(`ContentStore: ${name}`, () => {
    let store: ContentStore;
    let fixture: ContentStoreFixture;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('puts a blob and reads it back every way', async () => {
      const data = bytes('hello, wasmbox\n');
      const info = await store.put(data);
      expect(info).toEqual({ digest: digestOf(data), size: data.byteLength });
      expect(await store.has(info.digest)).toBe(true);
      expect(await store.size(info.digest)).toBe(data.byteLength);
      expectBytes(await store.get(info.digest), data);
      expectBytes(await collect(store.read(info.digest)), data);
      expect(await store.list()).toEqual([info]);
    });

    it('accepts a put whose expected digest and size match', async () => {
      const data = bytes('{"schemaVersion":2}');
      const info = await store.put(data, { expected: digestOf(data), expectedSize: data.byteLength });
      expect(info.digest).toBe(digestOf(data));
    });

    it('refuses content that does not match the expected digest, storing nothing', async () => {
      const kept = await store.put(bytes('kept'));
      const before = await store.list();
      const data = bytes('actual content');
      const wrong = digestOf('other content');
      await expectCode(store.put(data, { expected: wrong }), 'DIGEST_MISMATCH');
      await expectCode(store.put(chunked(data, [3]), { expected: wrong }), 'DIGEST_MISMATCH');
      expect(await store.has(digestOf(data))).toBe(false);
      expect(await store.has(wrong)).toBe(false);
      expect(sorted(await store.list())).toEqual(sorted(before));
      expectBytes(await store.get(kept.digest), bytes('kept'));
    });

    it('names both digests in a mismatch', async () => {
      const wrong = digestOf('x');
      const error = await store.put(bytes('y'), { expected: wrong }).catch((e: unknown) => e);
      expect(String(error)).toContain(wrong);
      expect(String(error)).toContain(digestOf('y'));
    });

    it('refuses a size mismatch (short or long), storing nothing', async () => {
      const data = bytes('0123456789');
      await expectCode(store.put(data, { expectedSize: 11 }), 'DIGEST_MISMATCH');
      await expectCode(store.put(data, { expectedSize: 9 }), 'DIGEST_MISMATCH');
      await expectCode(store.put(chunked(data, [4]), { expectedSize: 5, expected: digestOf(data) }), 'DIGEST_MISMATCH');
      await expectCode(store.put(chunked(data, [4]), { expectedSize: 20 }), 'DIGEST_MISMATCH');
      expect(await store.list()).toEqual([]);
    });

    it('streams a put from many chunks', async () => {
      const data = pseudoRandom(1_500_000, 7);
      const info = await store.put(chunked(data, [1, 7, 4096, 65_536, 3, 300_000, 12]), {
        expected: digestOf(data),
        expectedSize: data.byteLength,
      });
      expect(info).toEqual({ digest: digestOf(data), size: data.byteLength });
      expectBytes(await store.get(info.digest), data);
      expectBytes(await collect(store.read(info.digest)), data);
    });

    it('agrees with a one-shot digest for any chunking (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 5000 }),
          fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
          async (data, sizes) => {
            const info = await store.put(chunked(data, sizes));
            expect(info).toEqual({ digest: digestOf(data), size: data.byteLength });
            expectBytes(await store.get(info.digest), data);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('copies the bytes: a source that reuses or later mutates its buffer does not corrupt the blob', async () => {
      const expected = new Uint8Array(3000);
      for (let i = 0; i < expected.length; i++) expected[i] = i % 251;
      async function* reusing(): AsyncIterable<Uint8Array> {
        const buf = new Uint8Array(100);
        for (let off = 0; off < expected.length; off += 100) {
          buf.set(expected.subarray(off, off + 100));
          yield buf;
        }
      }
      const info = await store.put(reusing(), { expected: digestOf(expected) });
      expectBytes(await store.get(info.digest), expected);

      const mine = bytes('mutable');
      const mineInfo = await store.put(mine);
      mine.fill(0);
      expectBytes(await store.get(mineInfo.digest), bytes('mutable'));
    });

    it('stores the empty blob', async () => {
      const info = await store.put(new Uint8Array(0), { expected: EMPTY_DIGEST as Digest, expectedSize: 0 });
      expect(info).toEqual({ digest: EMPTY_DIGEST, size: 0 });
      expect(await store.has(info.digest)).toBe(true);
      expect(await store.size(info.digest)).toBe(0);
      expect((await store.get(info.digest)).byteLength).toBe(0);
      expect((await collect(store.read(info.digest))).byteLength).toBe(0);
      const fromStream = await store.put(chunked(new Uint8Array(0), [1]));
      expect(fromStream).toEqual(info);
    });

    it('is idempotent, also for concurrent puts of the same blob', async () => {
      const data = pseudoRandom(200_000, 3);
      const a = await store.put(data);
      const b = await store.put(data);
      expect(b).toEqual(a);
      const many = await Promise.all(Array.from({ length: 6 }, (_, i) => store.put(chunked(data, [1000 * (i + 1)]))));
      for (const info of many) expect(info).toEqual(a);
      expect(await store.list()).toEqual([a]);
      expectBytes(await store.get(a.digest), data);
    });

    it('reports BLOB_NOT_FOUND for a missing blob', async () => {
      const missing = digestOf('never stored');
      expect(await store.has(missing)).toBe(false);
      await expectCode(store.get(missing), 'BLOB_NOT_FOUND');
      await expectCode(store.size(missing), 'BLOB_NOT_FOUND');
      await expectCode(collect(store.read(missing)), 'BLOB_NOT_FOUND');
      expect(await store.delete(missing)).toBe(false);
    });

    it('deletes', async () => {
      const a = await store.put(bytes('a'));
      const b = await store.put(bytes('b'));
      expect(await store.delete(a.digest)).toBe(true);
      expect(await store.delete(a.digest)).toBe(false);
      expect(await store.has(a.digest)).toBe(false);
      await expectCode(store.get(a.digest), 'BLOB_NOT_FOUND');
      expect(await store.list()).toEqual([b]);
      // A deleted blob can be stored again.
      expect(await store.put(bytes('a'))).toEqual(a);
    });

    it('lists every blob with its size', async () => {
      const infos = await Promise.all(['one', 'two', 'three', ''].map((s) => store.put(bytes(s))));
      expect(sorted(await store.list())).toEqual(sorted(infos));
    });

    it('rejects invalid digest strings with INVALID_DIGEST', async () => {
      for (const bad of INVALID_DIGESTS) {
        await expectCode(store.has(bad), 'INVALID_DIGEST');
        await expectCode(store.get(bad), 'INVALID_DIGEST');
        await expectCode(store.size(bad), 'INVALID_DIGEST');
        await expectCode(store.delete(bad), 'INVALID_DIGEST');
        await expectCode(collect(store.read(bad)), 'INVALID_DIGEST');
        await expectCode(store.put(bytes('x'), { expected: bad }), 'INVALID_DIGEST');
      }
      expect(await store.list()).toEqual([]);
    });

    it('cancels a put whose signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectCode(store.put(bytes('x'), { signal: controller.signal }), 'CANCELLED');
      expect(await store.list()).toEqual([]);
    });

    it('cancels a put aborted mid-stream, storing nothing', async () => {
      const controller = new AbortController();
      const data = pseudoRandom(400_000, 9);
      async function* source(): AsyncIterable<Uint8Array> {
        yield data.subarray(0, 300_000);
        controller.abort(new Error('user pressed ^C'));
        yield data.subarray(300_000);
      }
      const error = await store.put(source(), { signal: controller.signal }).catch((e: unknown) => e);
      expect(isWasmboxError(error, 'CANCELLED')).toBe(true);
      expect(String(error)).toContain('user pressed ^C');
      expect(await store.has(digestOf(data))).toBe(false);
      expect(await store.list()).toEqual([]);
    });

    it('cancels a put whose source has stalled', async () => {
      const controller = new AbortController();
      async function* stalled(): AsyncIterable<Uint8Array> {
        yield bytes('first chunk');
        await new Promise(() => {}); // a download that never delivers again
      }
      setTimeout(() => controller.abort(), 20);
      await expectCode(store.put(stalled(), { signal: controller.signal }), 'CANCELLED');
      expect(await store.list()).toEqual([]);
    });

    it('passes on an error from the source, storing nothing', async () => {
      async function* failing(): AsyncIterable<Uint8Array> {
        yield pseudoRandom(100_000, 5);
        throw new Error('connection reset');
      }
      await expect(store.put(failing())).rejects.toThrow('connection reset');
      expect(await store.list()).toEqual([]);
    });
  });
}

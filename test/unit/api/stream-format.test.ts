// Stream formats and the hijack hook, without a socket.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HijackResponse, MULTIPLEXED_STREAM, isHijackResponse, wantsUpgrade } from '../../../src/api/hijack.js';
import { MuxDecoder, jsonLine, muxFrame, streamFrom } from '../../../src/api/stream-format.js';
import { harness } from './harness.js';

describe('multiplexed stream format', () => {
  it('writes the 8-byte header [stream, 0, 0, 0, big-endian size]', () => {
    const f = muxFrame(2, new TextEncoder().encode('oops'));
    expect([...f.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 4]);
    expect(new TextDecoder().decode(f.subarray(8))).toBe('oops');
    const big = muxFrame(1, new Uint8Array(0x01020304 & 0xffff));
    expect([...big.subarray(4, 8)]).toEqual([0, 0, 0x03, 0x04]);
  });

  it('decodes frames split at any byte boundary (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0 as const, 1 as const, 2 as const), fc.uint8Array({ maxLength: 40 })), { maxLength: 8 }),
        fc.array(fc.nat({ max: 30 }), { maxLength: 10 }),
        (frames, cuts) => {
          const bytes = frames.map(([s, d]) => muxFrame(s, d));
          const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
          let at = 0;
          for (const b of bytes) {
            all.set(b, at);
            at += b.length;
          }
          const decoder = new MuxDecoder();
          const out: { stream: number; data: Uint8Array }[] = [];
          let pos = 0;
          for (const c of cuts) {
            const end = Math.min(all.length, pos + c);
            out.push(...decoder.push(all.subarray(pos, end)));
            pos = end;
          }
          out.push(...decoder.push(all.subarray(pos)));
          expect(decoder.pending).toBe(false);
          expect(out.map((f) => [f.stream, [...f.data]])).toEqual(frames.map(([s, d]) => [s, [...d]]));
        },
      ),
    );
  });

  it('refuses a frame with an invalid stream id', () => {
    expect(() => new MuxDecoder().push(new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/invalid stream id 7/);
  });
});

describe('streamFrom', () => {
  it('ends the source iterator when the stream is cancelled', async () => {
    let finished = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    const reader = streamFrom(source(), (i) => jsonLine({ i })).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"i":0}\n');
    await reader.cancel();
    expect(finished).toBe(true);
  });
});

describe('hijack hook', () => {
  it('lets a route hand over the connection; the handler sees stdin and writes frames', async () => {
    const h = harness();
    h.api.router.post('/test/{id}/attach', ({ params }) =>
      new HijackResponse(
        async ({ readable, writable }) => {
          const writer = writable.getWriter();
          const reader = readable.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writer.write(muxFrame(1, value));
          }
          await writer.write(muxFrame(2, new TextEncoder().encode(`bye ${params.id}`)));
          await writer.close();
        },
        { mediaType: MULTIPLEXED_STREAM },
      ),
    );
    const req = new Request('http://localhost/v1.50/test/c1/attach', { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    expect(wantsUpgrade(req)).toBe(true);
    const res = await h.api.fetch(req);
    expect(isHijackResponse(res)).toBe(true);
    if (!isHijackResponse(res)) return;
    expect(res.headers.get('content-type')).toBe(MULTIPLEXED_STREAM);
    expect(res.headers.get('api-version')).toBe('1.50');
    const input = new TransformStream<Uint8Array, Uint8Array>();
    const output = new TransformStream<Uint8Array, Uint8Array>();
    const done = res.hijack({ readable: input.readable, writable: output.writable });
    const w = input.writable.getWriter();
    await w.write(new TextEncoder().encode('hello'));
    await w.close();
    const decoder = new MuxDecoder();
    const frames: { stream: number; text: string }[] = [];
    for await (const chunk of output.readable as unknown as AsyncIterable<Uint8Array>) {
      for (const f of decoder.push(chunk)) frames.push({ stream: f.stream, text: new TextDecoder().decode(f.data) });
    }
    await done;
    expect(frames).toEqual([
      { stream: 1, text: 'hello' },
      { stream: 2, text: 'bye c1' },
    ]);
    expect(wantsUpgrade(new Request('http://localhost/x'))).toBe(false);
  });
});

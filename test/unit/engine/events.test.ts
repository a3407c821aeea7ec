// The event log: replay windows, live delivery, filters, buffer size, ends.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/engine/clock.js';
import { EventService, matchEvent } from '../../../src/engine/events.js';
import type { EngineEvent } from '../../../src/engine/events.js';

async function take(source: AsyncIterable<EngineEvent>, n = Infinity): Promise<EngineEvent[]> {
  const out: EngineEvent[] = [];
  for await (const e of source) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

describe('EventService', () => {
  it('stamps events with the clock in seconds and nanoseconds', () => {
    const clock = new ManualClock(1_700_000_000_123);
    const events = new EventService({ clock });
    const e = events.publish('image', 'tag', { id: 'sha256:x', attributes: { name: 'a:1' } });
    expect(e).toEqual({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:x', Attributes: { name: 'a:1' } }, scope: 'local', time: 1_700_000_000, timeNano: 1_700_000_000_123_000_000 });
  });

  it('replays since, stops at a past until, and keeps only the newest events', async () => {
    const clock = new ManualClock(10_000);
    const events = new EventService({ clock, bufferSize: 3 });
    for (let i = 0; i < 5; i++) {
      events.publish('volume', 'create', { id: `v${i}` });
      clock.advance(1000);
    }
    const got = await take(events.subscribe({ since: 0, until: clock.now() }));
    expect(got.map((e) => e.Actor.ID)).toEqual(['v2', 'v3', 'v4']);
    const window = await take(events.subscribe({ since: 12_000, until: 13_000 }));
    expect(window.map((e) => e.Actor.ID)).toEqual(['v2', 'v3']);
    expect(events.listeners).toBe(0);
    expect(() => events.subscribe({ since: 5, until: 1 })).toThrow(/before since/);
  });

  it('delivers live events to subscribers until they stop, abort or the service closes', async () => {
    const events = new EventService({ clock: new ManualClock() });
    const abort = new AbortController();
    const a = take(events.subscribe({ filters: { type: ['volume'] } }), 2);
    const b = take(events.subscribe({ signal: abort.signal }));
    const c = take(events.subscribe());
    expect(events.listeners).toBe(3);
    events.publish('image', 'tag', { id: 'i' });
    events.publish('volume', 'create', { id: 'v1' });
    events.publish('volume', 'destroy', { id: 'v1' });
    expect((await a).map((e) => e.Action)).toEqual(['create', 'destroy']);
    abort.abort();
    expect((await b).map((e) => e.Action)).toEqual(['tag', 'create', 'destroy']);
    events.close();
    expect(await c).toHaveLength(3);
    expect(events.listeners).toBe(0);
  });

  it('ends a live subscription at a future until', async () => {
    const clock = new ManualClock(1_000_000);
    const events = new EventService({ clock });
    const sub = take(events.subscribe({ until: clock.now() + 30 }));
    events.publish('image', 'tag', { id: 'x' });
    expect(await sub).toHaveLength(1);
  });

  it('filters like Docker: type, event, actor by id, id prefix or name, labels', () => {
    const clock = new ManualClock();
    const events = new EventService({ clock });
    const id = `sha256:${'ab'.repeat(32)}`;
    const e = events.publish('image', 'untag', { id, attributes: { name: 'app:1', team: 'x' } });
    expect(matchEvent(e, { type: ['image', 'volume'] })).toBe(true);
    expect(matchEvent(e, { type: ['volume'] })).toBe(false);
    expect(matchEvent(e, { event: ['untag'] })).toBe(true);
    expect(matchEvent(e, { image: ['app:1'] })).toBe(true);
    expect(matchEvent(e, { image: ['abab'] })).toBe(true);
    expect(matchEvent(e, { image: ['other'] })).toBe(false);
    expect(matchEvent(e, { container: ['app:1'] })).toBe(false);
    expect(matchEvent(e, { label: ['team=x'] })).toBe(true);
    expect(matchEvent(e, { label: ['team=y'] })).toBe(false);
    const exec = events.publish('container', 'exec_start: sh -c ls', { id: 'c1', attributes: { image: 'app:1', name: 'web' } });
    expect(matchEvent(exec, { event: ['exec_start'], container: ['web'], image: ['app:1'] })).toBe(true);
  });
});

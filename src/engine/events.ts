// The engine's event log: services publish what happened (image tag/untag/delete/load/save,
// volume create/destroy, later container start/die...) and `docker events` subscribers read it
// live, or replay a window of recent events with `since`/`until`, as Docker's daemon does.

import { WasmboxError } from '../errors.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { checkFilterKeys, matchLabels } from './filters.js';
import type { Filters } from './filters.js';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'builder';

/** One event, in the Engine API's own shape (`Type`, `Action`, `Actor`, `time`, `timeNano`). */
export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Unix seconds. */
  time: number;
  /** Unix nanoseconds. */
  timeNano: number;
}

export interface SubscribeOptions {
  /** Replay buffered events from this time (ms since epoch, inclusive), then go live. */
  since?: number;
  /** Stop at this time (ms since epoch); a past `until` ends right after the replay. */
  until?: number;
  filters?: Filters;
  /** Ends the subscription (client went away). */
  signal?: AbortSignal;
}

export const EVENT_FILTER_KEYS = ['type', 'event', 'container', 'image', 'volume', 'network', 'label', 'scope', 'daemon', 'plugin', 'node', 'service', 'secret', 'config'] as const;

export interface EventServiceOptions {
  clock?: Clock;
  /** Events kept for `since` replays (Docker keeps 256; a little more is cheap). */
  bufferSize?: number;
}

/** Docker's events filter: keys AND, values of a key OR. */
export function matchEvent(event: EngineEvent, filters: Filters): boolean {
  const any = (key: string, candidates: (string | undefined)[]) => {
    const wanted = filters[key];
    if (wanted === undefined || wanted.length === 0) return true;
    return wanted.some((w) => candidates.some((c) => c !== undefined && (c === w || idPrefixMatch(c, w))));
  };
  const a = event.Actor.Attributes;
  const byActor = (type: EventType) => (event.Type === type ? [event.Actor.ID, a.name] : []);
  const action = event.Action.split(':')[0]!;
  if (!any('type', [event.Type])) return false;
  if (!any('event', [action, event.Action])) return false;
  if (!any('scope', [event.scope])) return false;
  if (!any('container', byActor('container'))) return false;
  if (!any('image', event.Type === 'image' ? [event.Actor.ID, a.name] : event.Type === 'container' ? [a.image] : [])) return false;
  if (!any('volume', byActor('volume'))) return false;
  if (!any('network', byActor('network'))) return false;
  if (!any('daemon', byActor('daemon'))) return false;
  if (!any('plugin', byActor('plugin'))) return false;
  return matchLabels(a, filters.label);
}

/** `abc123` matches the id `sha256:abc123…` (Docker accepts id prefixes wherever it takes an id). */
function idPrefixMatch(candidate: string, wanted: string): boolean {
  if (!/^(?:sha256:)?[a-f0-9]{64}$/.test(candidate)) return false;
  const w = wanted.replace(/^sha256:/, '');
  return /^[a-f0-9]+$/.test(w) && candidate.replace(/^sha256:/, '').startsWith(w);
}

class Subscription implements AsyncIterable<EngineEvent> {
  readonly #queue: EngineEvent[] = [];
  #wake: (() => void) | undefined;
  #done = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly filters: Filters,
    private readonly until: number | undefined,
    private readonly detach: (s: Subscription) => void,
  ) {}

  push(event: EngineEvent): void {
    if (this.#done) return;
    if (this.until !== undefined && event.timeNano > this.until * 1e6) return this.end();
    if (!matchEvent(event, this.filters)) return;
    this.#queue.push(event);
    this.#signal();
  }

  endAt(delayMs: number): void {
    this.#timer = setTimeout(() => this.end(), Math.max(0, delayMs));
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.detach(this);
    this.#signal();
  }

  #signal(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EngineEvent> {
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.#done) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.end();
    }
  }
}

export class EventService {
  readonly #clock: Clock;
  readonly #bufferSize: number;
  readonly #buffer: EngineEvent[] = [];
  readonly #subscribers = new Set<Subscription>();

  constructor(options: EventServiceOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#bufferSize = options.bufferSize ?? 1024;
  }

  /** Records an event and hands it to every live subscriber. */
  publish(type: EventType, action: string, actor: { id: string; attributes?: Record<string, string> }): EngineEvent {
    const ms = this.#clock.now();
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: actor.id, Attributes: { ...(actor.attributes ?? {}) } },
      scope: 'local',
      time: Math.floor(ms / 1000),
      timeNano: Math.round(ms * 1e6),
    };
    this.#buffer.push(event);
    if (this.#buffer.length > this.#bufferSize) this.#buffer.splice(0, this.#buffer.length - this.#bufferSize);
    for (const s of [...this.#subscribers]) s.push(event);
    return event;
  }

  /** Buffered events in a window, oldest first. */
  recent(options: Omit<SubscribeOptions, 'signal'> = {}): EngineEvent[] {
    const filters = options.filters ?? {};
    return this.#buffer.filter(
      (e) =>
        (options.since === undefined || e.timeNano >= options.since * 1e6) &&
        (options.until === undefined || e.timeNano <= options.until * 1e6) &&
        matchEvent(e, filters),
    );
  }

  /** Number of live subscribers (`docker info` shows NEventsListener). */
  get listeners(): number {
    return this.#subscribers.size;
  }

  /**
   * Events as an async iterable: the buffered ones since `since`, then live ones until `until`
   * (or until the signal aborts, or the consumer stops iterating).
   */
  subscribe(options: SubscribeOptions = {}): AsyncIterable<EngineEvent> {
    const filters = options.filters ?? {};
    checkFilterKeys(filters, EVENT_FILTER_KEYS);
    if (options.since !== undefined && options.until !== undefined && options.until < options.since) {
      throw new WasmboxError('INVALID_ARGUMENT', `events: until (${options.until}) is before since (${options.since})`);
    }
    const now = this.#clock.now();
    const sub = new Subscription(filters, options.until, (s) => this.#subscribers.delete(s));
    if (options.since !== undefined) for (const e of this.recent({ since: options.since, until: options.until, filters })) sub.push(e);
    if (options.until !== undefined && options.until <= now) sub.end();
    else {
      this.#subscribers.add(sub);
      if (options.until !== undefined) sub.endAt(options.until - now);
    }
    if (options.signal) {
      if (options.signal.aborted) sub.end();
      else options.signal.addEventListener('abort', () => sub.end(), { once: true });
    }
    return sub;
  }

  /** Ends every live subscription (daemon shutdown). */
  close(): void {
    for (const s of [...this.#subscribers]) s.end();
  }
}

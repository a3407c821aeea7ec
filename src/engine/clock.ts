// Time as the engine sees it: injected, so tests pin event times, `since`/`until` windows and
// creation dates without sleeping.

export interface Clock {
  /** Milliseconds since the unix epoch (may carry a fraction). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private ms = Date.UTC(2024, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** RFC 3339 in UTC with seconds, as Docker prints CreatedAt. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

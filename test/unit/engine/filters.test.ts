// Docker's filter values: both JSON forms, booleans, labels, globs, times.
import { describe, expect, it } from 'vitest';
import { boolFilter, globMatch, matchLabels, parseFilters, parseTimeFilter } from '../../../src/engine/filters.js';

describe('filters', () => {
  it('parses the map form and the legacy array form, and refuses anything else', () => {
    expect(parseFilters('{"label":{"a=b":true,"c":false},"dangling":["true"]}')).toEqual({ label: ['a=b'], dangling: ['true'] });
    expect(parseFilters(null)).toEqual({});
    expect(parseFilters('')).toEqual({});
    expect(() => parseFilters('{')).toThrow(/is not JSON/);
    expect(() => parseFilters('[1]')).toThrow(/expected a JSON object/);
    expect(() => parseFilters('{"a":3}')).toThrow(/invalid filter "a"/);
  });

  it('reads booleans and refuses conflicting or odd values', () => {
    expect(boolFilter({ d: ['TRUE'] }, 'd')).toBe(true);
    expect(boolFilter({ d: ['0'] }, 'd')).toBe(false);
    expect(boolFilter({}, 'd')).toBeUndefined();
    expect(() => boolFilter({ d: ['true', 'false'] }, 'd')).toThrow(/conflicting/);
    expect(() => boolFilter({ d: ['maybe'] }, 'd')).toThrow(/expected true or false/);
  });

  it('matches labels by key or key=value, all of them', () => {
    const labels = { a: '1', b: '' };
    expect(matchLabels(labels, ['a'])).toBe(true);
    expect(matchLabels(labels, ['a=1', 'b'])).toBe(true);
    expect(matchLabels(labels, ['a=2'])).toBe(false);
    expect(matchLabels(labels, ['a', 'c'])).toBe(false);
    expect(matchLabels(labels, ['c'], { invert: true })).toBe(true);
    expect(matchLabels(undefined, undefined)).toBe(true);
  });

  it('globs like path.Match: * and ? stop at slashes, classes work', () => {
    expect(globMatch('app*', 'app:1')).toBe(true);
    expect(globMatch('*', 'user/app')).toBe(false);
    expect(globMatch('*/*', 'user/app')).toBe(true);
    expect(globMatch('app:?', 'app:1')).toBe(true);
    expect(globMatch('app:[0-9]', 'app:x')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });

  it('reads unix seconds, RFC 3339 and durations before now', () => {
    const now = Date.UTC(2024, 0, 1);
    expect(parseTimeFilter('1700000000.5', now)).toBe(1700000000500);
    expect(parseTimeFilter('2024-01-01T00:00:00Z', now)).toBe(now);
    expect(parseTimeFilter('1h30m', now)).toBe(now - 90 * 60_000);
    expect(() => parseTimeFilter('yesterday', now)).toThrow(/invalid time/);
  });
});

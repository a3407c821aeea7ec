// The humanized units against docker/go-units' own expectations.
import { describe, expect, it } from 'vitest';
import { createdSince, formatGoG, goTimeString, humanDuration, humanSize, imageSize } from '../../../src/cli/units.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

describe('humanSize (go-units HumanSize, 4 digits)', () => {
  it.each([
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1000000, '1MB'],
    [1048576, '1.049MB'],
    [2e6, '2MB'],
    [3.42e9, '3.42GB'],
    [5.372e12, '5.372TB'],
    [2.22e15, '2.22PB'],
    [1e28, '1e+04YB'],
    [0, '0B'],
    [999, '999B'],
  ])('%d bytes is %s', (n, s) => expect(humanSize(n)).toBe(s));
});

describe('imageSize (docker images SIZE, 3 digits)', () => {
  it.each([
    [29300, '29.3kB'],
    [13256, '13.3kB'],
    [1_200_000, '1.2MB'],
    [7_800_000, '7.8MB'],
    [1024, '1.02kB'],
    [512, '512B'],
    // Go's %.3g switches to exponent form at 1000 after rounding.
    [999_950, '1e+03kB'],
  ])('%d bytes is %s', (n, s) => expect(imageSize(n)).toBe(s));
});

describe('formatGoG', () => {
  it.each([
    [1, 3, '1'],
    [1.5, 3, '1.5'],
    [0.0001234, 3, '0.000123'],
    [0.00001234, 3, '1.23e-05'],
    [123456, 3, '1.23e+05'],
    [100, 3, '100'],
  ])('%f with %d digits is %s', (x, p, s) => expect(formatGoG(x, p)).toBe(s));
});

describe('humanDuration (go-units HumanDuration)', () => {
  it.each([
    [450, 'Less than a second'],
    [1 * SECOND, '1 second'],
    [45 * SECOND, '45 seconds'],
    [59 * SECOND, '59 seconds'],
    [60 * SECOND, 'About a minute'],
    [3 * MINUTE, '3 minutes'],
    [35 * MINUTE + 40 * SECOND, '35 minutes'],
    [59 * MINUTE, '59 minutes'],
    [1 * HOUR, 'About an hour'],
    [1 * HOUR + 29 * MINUTE, 'About an hour'],
    [1 * HOUR + 31 * MINUTE, '2 hours'],
    [3 * HOUR + 29 * MINUTE, '3 hours'],
    [3 * HOUR + 31 * MINUTE, '4 hours'],
    [24 * HOUR, '24 hours'],
    [DAY + 12 * HOUR, '36 hours'],
    [2 * DAY, '2 days'],
    [13 * DAY + 5 * HOUR, '13 days'],
    [2 * WEEK, '2 weeks'],
    [4 * WEEK + 3 * DAY, '4 weeks'],
    [MONTH, '4 weeks'],
    [MONTH + 2 * WEEK, '6 weeks'],
    [2 * MONTH, '2 months'],
    [5 * MONTH + 2 * WEEK, '5 months'],
    [24 * MONTH, '24 months'],
    [24 * MONTH + 2 * WEEK, '2 years'],
    [3 * YEAR + 2 * MONTH, '3 years'],
  ])('%d ms is %s', (ms, s) => expect(humanDuration(ms)).toBe(s));

  it('says "… ago", and N/A without a time', () => {
    const now = Date.parse('2024-05-03T12:00:00Z');
    expect(createdSince('2024-05-01T12:00:00Z', now)).toBe('2 days ago');
    expect(createdSince('2024-05-03T11:00:00Z', now)).toBe('About an hour ago');
    expect(createdSince(undefined, now)).toBe('N/A');
    expect(goTimeString('2024-05-02T16:49:27.187Z')).toBe('2024-05-02 16:49:27 +0000 UTC');
  });
});

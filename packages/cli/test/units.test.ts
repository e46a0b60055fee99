import { describe, expect, test } from '@jest/globals';
import { describeTimeClaim, duration, relativeTime } from '../src/relative-time.js';
import { Spinner } from '../src/spinner.js';
import { renderTable } from '../src/table.js';

describe('relative time', () => {
  const now = Date.UTC(2026, 0, 1);
  test('rounds down, in the largest unit that reads naturally', () => {
    expect(relativeTime(now + 59 * 60_000 + 59_000, now)).toBe('in 59 minutes');
    expect(relativeTime(now - 3 * 3600_000 - 1, now)).toBe('3 hours ago');
    expect(relativeTime(now + 1000, now)).toBe('in 1 second');
    expect(relativeTime(now + 300, now)).toBe('now');
    expect(duration(47 * 3600_000)).toBe('47 hours');
    expect(duration(3 * 24 * 3600_000)).toBe('3 days');
  });

  test('time claims in words', () => {
    const s = now / 1000;
    expect(describeTimeClaim('exp', s + 3600, now)).toBe('expires in 1 hour');
    expect(describeTimeClaim('exp', s - 7200, now)).toBe('expired 2 hours ago');
    expect(describeTimeClaim('iat', s - 120, now)).toBe('issued 2 minutes ago');
    expect(describeTimeClaim('nbf', s + 60, now)).toBe('not valid before in 1 minute');
    expect(describeTimeClaim('sub', s, now)).toBeUndefined();
  });
});

const ESC = String.fromCharCode(27);

describe('spinner', () => {
  test('draws on a terminal and erases its line when stopped', () => {
    const written: string[] = [];
    const spinner = new Spinner({ isTTY: true, write: (text: string) => written.push(text) });
    spinner.update('checking CSDS…');
    spinner.stop();
    expect(written[0]).toMatch(new RegExp(`^\r${ESC}\\[2K. checking CSDS…$`));
    expect(written.at(-1)).toBe(`\r${ESC}[2K`);
  });

  test('draws nothing when the stream is not a terminal', () => {
    const written: string[] = [];
    const spinner = new Spinner({ isTTY: false, write: (text: string) => written.push(text) });
    spinner.update('checking CSDS…');
    spinner.stop();
    expect(written).toEqual([]);
  });
});

test('tables pad every column but the last', () => {
  expect(renderTable(['A', 'B'], [['long cell', 'x']])).toBe('A          B\n---------  -\nlong cell  x');
});

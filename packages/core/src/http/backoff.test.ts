import { describe, expect, test } from '@jest/globals';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from './backoff.js';
import { computeRefreshAt } from '../tokens/token-manager.js';

describe('backoff', () => {
  test('grows exponentially within [ceiling/2, ceiling] and is capped', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(10, p, () => 1)).toBe(1000);
  });
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  test('refresh at 75 % of the lifetime, at most 5 minutes early', () => {
    expect(computeRefreshAt(0, 4000)).toBe(3000);
    expect(computeRefreshAt(0, 3_600_000)).toBe(3_300_000);
    expect(computeRefreshAt(0, 86_400_000)).toBe(86_100_000);
  });
});

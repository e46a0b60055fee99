/**
 * The clock check: how far this machine's clock is from LivePerson's, read from the `Date` header of
 * the answers `doctor` receives anyway. Tokens' `exp`/`iat` and OAuth 1.0 timestamps are judged by
 * LivePerson's clock, so a skewed local clock shows up as tokens that "expire" too early or too late.
 *
 * @module
 */
import type { FetchFn } from '@lp-auth/core';
import { duration } from '../relative-time.js';
import { checkResult, type CheckResult } from './check-result.js';

/** Above this skew `doctor` warns. */
export const CLOCK_SKEW_WARN_MS = 30_000;

/** A `fetch` that notes the `Date` header of every answer, and the verdict on them. */
export class ClockProbe {
  readonly #samples: number[] = [];
  readonly #fetch: FetchFn;

  constructor(fetchFn: FetchFn = (input, init) => fetch(input, init)) {
    this.#fetch = fetchFn;
  }

  /** Pass this as `http.fetch` to `createLpAuth`. */
  readonly fetch: FetchFn = async (input, init) => {
    const sent = Date.now();
    const response = await this.#fetch(input, init);
    const received = Date.now();
    const date = Date.parse(response.headers.get('date') ?? '');
    // The header has whole seconds, cut down: the server's time was half a second later on average.
    if (Number.isFinite(date)) this.#samples.push(date + 500 - (sent + received) / 2);
    return response;
  };

  /** The report line: ok within 30 s, a warning beyond, a skip when no answer carried a date. */
  result(): CheckResult {
    if (this.#samples.length === 0) {
      return checkResult('clock', 'skip', 'not checked: no answer from LivePerson carried a Date header');
    }
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const offset = sorted[Math.floor(sorted.length / 2)]!;
    const words = Math.abs(offset) < 1000 ? 'less than a second' : duration(offset);
    const side = offset > 0 ? 'behind' : 'ahead of';
    const finding =
      Math.abs(offset) < 1000
        ? `in sync with LivePerson (within a second)`
        : `${words} ${side} LivePerson's clock`;
    if (Math.abs(offset) <= CLOCK_SKEW_WARN_MS) return checkResult('clock', 'ok', finding);
    return checkResult(
      'clock',
      'warn',
      `this machine's clock is ${finding}`,
      'Sync the clock with NTP (e.g. "timedatectl set-ntp true", or "w32tm /resync" on Windows): token ' +
        'expiry and OAuth 1.0 timestamps are judged by LivePerson’s clock.',
    );
  }
}

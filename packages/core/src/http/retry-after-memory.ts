/** The longest `Retry-After` remembered for an API endpoint, as for token endpoints. */
export const MAX_REMEMBERED_API_WAIT_MS = 60 * 60_000;

/** Endpoints remembered at most per client; the oldest go first (paths can carry ids). */
const MAX_ENDPOINTS = 1000;

/**
 * The `Retry-After` an API endpoint (origin and path) asked for and that a call did not wait out
 * (longer than `http.retry.maxRetryAfterMs`, or the budget was spent), kept until it passes, so that
 * the next calls fail at once instead of asking again.
 */
export class RetryAfterMemory {
  readonly #until = new Map<string, { until: number; status: number }>();

  /** The endpoint's wait, if one is still running. */
  pending(url: URL, now: number): { remainingMs: number; status: number } | undefined {
    const key = keyOf(url);
    const entry = this.#until.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.#until.delete(key);
      return undefined;
    }
    return { remainingMs: entry.until - now, status: entry.status };
  }

  remember(url: URL, status: number, retryAfterMs: number, now: number): void {
    const key = keyOf(url);
    this.#until.delete(key);
    this.#until.set(key, { until: now + Math.min(retryAfterMs, MAX_REMEMBERED_API_WAIT_MS), status });
    if (this.#until.size > MAX_ENDPOINTS) this.#until.delete(this.#until.keys().next().value!);
  }

  forget(url: URL): void {
    this.#until.delete(keyOf(url));
  }
}

function keyOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

import {
  LpAuthError,
  NetworkError,
  RetryBudgetExceededError,
  TimeoutError,
  TokenRequestError,
} from '../errors/index.js';
import { backoffDelay, sleep, type RetryPolicy } from './backoff.js';

/** True for failures that a later attempt may not see: 5xx, 429, timeouts, dropped connections. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof TokenRequestError) return error.retryable;
  return error instanceof NetworkError || error instanceof TimeoutError;
}

/** The `Retry-After` a failure carried, if any. */
function retryAfterOf(error: unknown): number | undefined {
  return error instanceof TokenRequestError ? error.retryAfterMs : undefined;
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable (thrown as it is), or the policy's
 * budget is spent ({@link RetryBudgetExceededError} with the last failure as `cause`). Waits the
 * server's `Retry-After` when given, else an exponential backoff with jitter.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: (error: unknown, delayMs: number, n: number) => void } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetryableError(error)) throw error;
      const retryAfter = retryAfterOf(error);
      if (n >= policy.maxAttempts || (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs)) {
        throw new RetryBudgetExceededError(what, n, error);
      }
      const delay = retryAfter ?? backoffDelay(n, policy);
      options.onRetry?.(error, delay, n);
      try {
        await sleep(delay, options.signal);
      } catch (reason) {
        throw reason instanceof LpAuthError ? reason : error;
      }
    }
  }
}

import { CredentialsRejectedError, RetryBudgetExceededError, TokenRequestError } from '../errors/index.js';
import { backoffDelay, type RetryPolicy } from '../http/backoff.js';

/**
 * Failures of a token endpoint that the library remembers, so that a caller in a tight loop does
 * not turn one refusal into thousands of upstream calls (README, "Remembered failures"):
 *
 * - a refusal of the credentials (401/403, `credentials_rejected`) blocks the credential for a
 *   jittered, doubling wait: 1–2 s after the first, then 2–4 s, … up to 2.5–5 min;
 * - a `Retry-After` (429/503) blocks it until that moment, at most {@link MAX_REMEMBERED_RETRY_AFTER_MS}.
 *
 * The memory is process-wide and keyed by the token's store key (account, flow and identity), so
 * every `TokenManager` of the same credential shares it: a second `createLpAuth`, or `invalidate()`,
 * does not reset it. Only a success does. The token engine also writes it to the shared store, so
 * that other processes sharing it (Redis) wait too.
 *
 * @module
 */

/** The schedule of waits after consecutive refusals: base 2 s doubling, capped at 5 min, jittered to [ceiling/2, ceiling]. */
export const REFUSAL_BACKOFF: Readonly<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>> = Object.freeze({
  baseDelayMs: 2_000,
  maxDelayMs: 5 * 60_000,
});
/** The longest `Retry-After` remembered: 1 hour. A longer one is cut to this. */
export const MAX_REMEMBERED_RETRY_AFTER_MS = 60 * 60_000;
/** Bound on remembered credentials, so that a process making credentials in a loop cannot grow it. */
const MAX_ENTRIES = 10_000;

/** What is remembered about one credential; JSON-safe, as it is also written to the shared store. */
export interface RememberedFailure {
  /** Epoch ms until which no token call is made. */
  until: number;
  /** Consecutive refusals; drives the next wait. Reset by a success. */
  refusals: number;
  kind: 'refused' | 'retry-after';
  status?: number;
  /** The original message, without the credential's name (no secret: errors never carry one). */
  message: string;
  url?: string;
}

const memory = new Map<string, RememberedFailure>();

/** The remembered failure of `key` when it still blocks calls at `now`. */
export function activeFailure(key: string, now: number): RememberedFailure | undefined {
  const entry = memory.get(key);
  return entry && entry.until > now ? entry : undefined;
}

/** Adopts a failure another process remembered (read from the shared store), if it blocks longer. */
export function adoptFailure(key: string, failure: RememberedFailure): void {
  const mine = memory.get(key);
  if (!mine || mine.until < failure.until)
    remember(key, { ...failure, refusals: Math.max(failure.refusals, mine?.refusals ?? 0) });
}

/** Forgets `key`'s failures: the credential just worked. Returns whether there was one. */
export function forgetFailure(key: string): boolean {
  return memory.delete(key);
}

/**
 * Records `error` (what one token attempt, retries included, ended with) when it is worth
 * remembering, and returns the entry, or undefined when the error is not one that blocks.
 */
export function recordFailure(
  key: string,
  credential: string,
  error: unknown,
  now: number,
  random: () => number = Math.random,
): RememberedFailure | undefined {
  const previous = memory.get(key);
  if (error instanceof CredentialsRejectedError) {
    const refusals = (previous?.refusals ?? 0) + 1;
    const wait = backoffDelay(refusals, { ...REFUSAL_BACKOFF, maxAttempts: 1, maxRetryAfterMs: 0 }, random);
    return remember(key, {
      until: Math.max(previous?.until ?? 0, now + wait),
      refusals,
      kind: 'refused',
      ...(error.status !== undefined ? { status: error.status } : {}),
      message: withoutPrefix(error.message, credential),
    });
  }
  const limited = error instanceof RetryBudgetExceededError ? error.cause : error;
  if (limited instanceof TokenRequestError && limited.retryAfterMs !== undefined) {
    const wait = Math.min(Math.max(0, limited.retryAfterMs), MAX_REMEMBERED_RETRY_AFTER_MS);
    if (wait === 0) return undefined;
    return remember(key, {
      until: Math.max(previous?.until ?? 0, now + wait),
      refusals: previous?.refusals ?? 0,
      kind: 'retry-after',
      ...(limited.status !== undefined ? { status: limited.status } : {}),
      message: withoutPrefix(limited.message, credential),
      ...(limited.url !== undefined ? { url: limited.url } : {}),
    });
  }
  return undefined;
}

/** The error a caller gets while `failure` blocks: typed, with the wait in `retryAfterMs` and in words. */
export function failureError(
  credential: string,
  failure: RememberedFailure,
  now: number,
  original?: unknown,
): CredentialsRejectedError | TokenRequestError {
  const retryAfterMs = Math.max(0, failure.until - now);
  const wait = `${Math.ceil(retryAfterMs / 1000)} s`;
  if (failure.kind === 'refused') {
    const times = failure.refusals === 1 ? 'once' : `${failure.refusals} times in a row`;
    return new CredentialsRejectedError(
      credential,
      `${failure.message} Refused by LivePerson ${times}; next attempt in ${wait} (calls until then fail at once).`,
      {
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        // The caller whose call was refused still sees LivePerson's answer.
        ...(original instanceof CredentialsRejectedError
          ? { body: original.body, requestId: original.requestId }
          : {}),
        retryAfterMs,
      },
    );
  }
  return new TokenRequestError(
    credential,
    `${failure.message}, asking for a pause (Retry-After); next attempt in ${wait} (calls until then fail at once)`,
    {
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...(failure.url !== undefined ? { url: failure.url } : {}),
      retryAfterMs,
      retryable: true,
    },
  );
}

function remember(key: string, failure: RememberedFailure): RememberedFailure {
  memory.delete(key);
  memory.set(key, failure);
  // Oldest first: Map keeps insertion order, and every write re-inserts.
  while (memory.size > MAX_ENTRIES) memory.delete(memory.keys().next().value!);
  return failure;
}

function withoutPrefix(message: string, credential: string): string {
  return message.startsWith(`${credential}: `) ? message.slice(credential.length + 2) : message;
}

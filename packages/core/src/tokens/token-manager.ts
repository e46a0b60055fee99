import { untilAborted } from '../http/deadline.js';
import { ClosedError } from '../errors/index.js';
import type { Logger } from '../support/logger.js';
import { DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from '../http/backoff.js';
import { MAX_TOKEN_LIFETIME_MS, SHORT_LIFETIME_MS } from './lifetime.js';
import {
  activeFailure,
  adoptFailure,
  failureError,
  forgetFailure,
  recordFailure,
  type RememberedFailure,
} from './failure-memory.js';
import { withRetries } from '../http/retry.js';
import type { TokenStore, TokenStoreLock } from './store.js';

/** A token as the engine keeps it. Times are epoch milliseconds. */
export interface TokenSet {
  value: string;
  issuedAt: number;
  expiresAt: number;
  /** From this moment the engine refreshes in the background while callers keep using `value`. */
  refreshAt: number;
  /** Flow-specific companions of the token (a session cookie, a csrf value, a refresh token). */
  data?: Record<string, string>;
}

/** What a flow's token endpoint gave back. */
export interface FetchedToken {
  value: string;
  expiresAt: number;
  data?: Record<string, string>;
}

export interface TokenManagerOptions {
  /** Names the credential in messages and logs, e.g. `appJwt`. */
  name: string;
  /** Key of this token in the store; distinct per credential and account. */
  key: string;
  store: TokenStore;
  /** Calls the flow's token endpoint once. Throws typed errors; retries are the manager's job. */
  fetchToken: (signal: AbortSignal, previous: TokenSet | undefined) => Promise<FetchedToken>;
  retry?: Partial<RetryPolicy>;
  logger: Logger;
  now?: () => number;
  /**
   * How long a waiter polls the store while another process refreshes, before it refreshes without
   * the lock. Default: a little longer than the lock's TTL, so that no process refreshes while
   * another may still hold the lock (a rotating refresh token would be spent twice); a holder that
   * died is taken over as soon as its lock expires.
   */
  lockWaitMs?: number;
  onRefreshed?: (token: TokenSet, background: boolean) => void;
  onRefreshFailed?: (error: unknown, background: boolean) => void;
}

export interface GetTokenOptions {
  /** Skip the cache: the caller's token was just rejected by an API. */
  forceRefresh?: boolean;
  /**
   * The token value the API rejected. When the current token already differs, another caller has
   * refreshed since, and that token is returned without a new upstream call.
   */
  rejected?: string;
  signal?: AbortSignal;
}

/** Seconds before expiry from which a token is not handed out any more (clock skew, transit). */
const EXPIRY_MARGIN_MS = 5_000;
/** After a failed background refresh, callers keep the current token and retry no sooner than this. */
const BACKGROUND_RETRY_MS = 5_000;
/** How long a refresh lock outlives a holder that died (a store may cap it lower). */
const LOCK_TTL_MS = 30_000;
/** Waiters give up on the lock only once it must have expired: see `lockWaitMs`. */
const LOCK_WAIT_MS = LOCK_TTL_MS + 1_000;

/** When to refresh a token of the given lifetime: at 75 % of it, and at most 5 minutes early. */
export function computeRefreshAt(issuedAt: number, expiresAt: number): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return expiresAt - Math.min(lifetime * 0.25, 5 * 60_000);
}

/**
 * A flow's `expiresAt` held to what a store can keep: flows compute it with `tokenLifetime`
 * (capped already); this guards a custom `fetchToken` that returns NaN or a far future.
 */
function boundedExpiry(issuedAt: number, expiresAt: number): number {
  if (Number.isNaN(expiresAt)) return issuedAt + SHORT_LIFETIME_MS;
  return Math.min(expiresAt, issuedAt + MAX_TOKEN_LIFETIME_MS);
}

/**
 * One credential's token: cached in a {@link TokenStore}, fetched once for any number of concurrent
 * callers (single-flight), refreshed in the background before it expires so that callers holding a
 * valid token never wait, retried with backoff, and replaced on demand when an API rejects it.
 */
export class TokenManager {
  readonly #o: TokenManagerOptions;
  readonly #retry: RetryPolicy;
  readonly #now: () => number;
  readonly #closing = new AbortController();
  #current: TokenSet | undefined;
  #inflight: Promise<TokenSet> | undefined;
  #backgroundBlockedUntil = 0;

  constructor(options: TokenManagerOptions) {
    this.#o = options;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#now = options.now ?? Date.now;
  }

  /** A usable token: the cached one, or a fresh one when there is none or it is (nearly) expired. */
  async getToken(options: GetTokenOptions = {}): Promise<TokenSet> {
    if (this.#closing.signal.aborted) throw new ClosedError(`The ${this.#o.name} credential`);
    const now = this.#now();
    if (options.forceRefresh) {
      const current = this.#usable(this.#current, now) ?? this.#usable(await this.#fromStore(), now);
      if (current && options.rejected !== undefined && current.value !== options.rejected) return current;
      return untilAborted(this.#refresh(options.rejected ?? current?.value), options.signal);
    }
    let current = this.#usable(this.#current, now);
    if (!current || now >= current.refreshAt) {
      // Another process may have refreshed it already.
      const stored = this.#usable(await this.#fromStore(), now);
      if (stored && (!current || stored.issuedAt > current.issuedAt)) current = this.#current = stored;
    }
    if (current) {
      if (now >= current.refreshAt) this.#refreshInBackground();
      return current;
    }
    return untilAborted(this.#refresh(undefined), options.signal);
  }

  /** Forgets the token here and in the store; the next caller fetches a new one. */
  async invalidate(): Promise<void> {
    this.#current = undefined;
    await this.#o.store.delete(this.#o.key);
  }

  /** Stops retries and background work; later calls fail with `closed`. */
  close(): void {
    this.#closing.abort(new ClosedError(`The ${this.#o.name} credential`));
  }

  /** The token this process holds, if any (for diagnostics; never logged). */
  peek(): TokenSet | undefined {
    return this.#current;
  }

  #usable(token: TokenSet | undefined, now: number): TokenSet | undefined {
    if (!token) return undefined;
    const margin = Math.min(EXPIRY_MARGIN_MS, (token.expiresAt - token.issuedAt) / 10);
    return token.expiresAt - margin > now ? token : undefined;
  }

  async #fromStore(): Promise<TokenSet | undefined> {
    try {
      return await this.#o.store.get<TokenSet>(this.#o.key);
    } catch (error) {
      this.#o.logger.warn(`${this.#o.name}: token store read failed; using this process's cache`, {
        error: String(error),
      });
      return undefined;
    }
  }

  #refreshInBackground(): void {
    if (this.#inflight || this.#now() < this.#backgroundBlockedUntil) return;
    this.#refresh(undefined, true).catch(() => {
      this.#backgroundBlockedUntil = this.#now() + BACKGROUND_RETRY_MS;
    });
  }

  #refresh(rejected: string | undefined, background = false): Promise<TokenSet> {
    if (this.#inflight) return this.#inflight;
    // A refused credential or a Retry-After still running: fail at once, without an upstream call.
    const blocked = activeFailure(this.#o.key, this.#now());
    if (blocked) return Promise.reject(failureError(this.#o.name, blocked, this.#now()));
    // A caller that looked (at this process's token or the store) before a refresh here finished:
    // that refresh's token is the one it needs, and a second call would waste, or with a rotating
    // refresh token spend, one more.
    const now = this.#now();
    const fresh = this.#usable(this.#current, now);
    if (fresh && (rejected === undefined ? now < fresh.refreshAt : fresh.value !== rejected)) {
      return Promise.resolve(fresh);
    }
    const run = this.#refreshAcrossProcesses(rejected)
      .then((token) => {
        if (forgetFailure(this.#o.key))
          void this.#o.store.delete(`${this.#o.key}:failure`).catch(() => undefined);
        this.#o.onRefreshed?.(token, background);
        return token;
      })
      .catch((caught: unknown) => {
        const error = this.#remember(caught);
        this.#o.onRefreshFailed?.(error, background);
        if (background) {
          this.#o.logger.warn(
            `${this.#o.name}: background token refresh failed; the current token stays in use`,
            {
              error: error instanceof Error ? error.message : String(error),
            },
          );
        }
        throw error;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    this.#inflight = run;
    return run;
  }

  async #refreshAcrossProcesses(rejected: string | undefined): Promise<TokenSet> {
    const { store, key } = this.#o;
    let lock = await store.lock(`${key}:lock`, LOCK_TTL_MS).catch(() => undefined);
    if (lock === null) {
      // Another process is refreshing: wait for its token rather than calling LivePerson too.
      const waited = await this.#awaitOtherProcess(rejected);
      if (waited.token) return (this.#current = waited.token);
      lock = waited.lock;
    } else if (lock) {
      // Another process may have refreshed between our store read and taking the lock: use its
      // token, or at least refresh from it (a rotated refresh token lives in its `data`).
      const stored = this.#newer(await this.#fromStore(), rejected, this.#current?.issuedAt ?? 0);
      if (stored) this.#current = stored;
      if (stored && this.#now() < stored.refreshAt) {
        await lock.release().catch(() => undefined);
        return stored;
      }
    }
    try {
      // Another process sharing the store may have been refused or told to wait: so are we.
      const shared = await this.#o.store.get<RememberedFailure>(`${key}:failure`).catch(() => undefined);
      if (shared && shared.until > this.#now()) {
        adoptFailure(key, shared);
        throw failureError(this.#o.name, shared, this.#now());
      }
      const previous = this.#current;
      const fetched = await withRetries(
        `Getting a ${this.#o.name} token`,
        this.#retry,
        () => this.#o.fetchToken(this.#closing.signal, previous),
        {
          signal: this.#closing.signal,
          onRetry: (error, delay, n) =>
            this.#o.logger.debug(`${this.#o.name}: token attempt ${n} failed; retrying in ${delay} ms`, {
              error: error instanceof Error ? error.message : String(error),
            }),
        },
      );
      const issuedAt = this.#now();
      const expiresAt = boundedExpiry(issuedAt, fetched.expiresAt);
      const token: TokenSet = {
        value: fetched.value,
        issuedAt,
        expiresAt,
        refreshAt: computeRefreshAt(issuedAt, expiresAt),
        ...(fetched.data ? { data: fetched.data } : {}),
      };
      // Stored before anyone sees it, so that other processes pick it up instead of refreshing.
      await store.set(key, token, Math.max(1, token.expiresAt - issuedAt)).catch((error: unknown) =>
        this.#o.logger.warn(`${this.#o.name}: token store write failed; token kept in this process only`, {
          error: String(error),
        }),
      );
      this.#current = token;
      return token;
    } finally {
      await lock?.release().catch(() => undefined);
    }
  }

  /**
   * Remembers a failure that must slow every caller down (a refusal, a `Retry-After`), here and in
   * the shared store, and returns the error to throw: a refusal names the wait before the next try.
   */
  #remember(error: unknown): unknown {
    const now = this.#now();
    // Already remembered (adopted from the shared store just now): not one more refusal.
    if (activeFailure(this.#o.key, now)) return error;
    const failure = recordFailure(this.#o.key, this.#o.name, error, now);
    if (!failure) return error;
    const ttl = failure.until - now;
    this.#o.logger.warn(
      `${this.#o.name}: token endpoint ${failure.kind}; no token call for ${Math.ceil(ttl / 1000)} s`,
      {
        status: failure.status,
      },
    );
    void this.#o.store.set(`${this.#o.key}:failure`, failure, ttl).catch(() => undefined);
    return failure.kind === 'refused' ? failureError(this.#o.name, failure, now, error) : error;
  }

  /**
   * Polls the store until another process's token arrives, or takes the lock over when the holder
   * finished without one or died (its lock expired). After `lockWaitMs` (by default, longer than
   * the lock lives) it gives up: the caller refreshes without the lock rather than fail, which only
   * a store whose locks never expire can bring about.
   */
  async #awaitOtherProcess(
    rejected: string | undefined,
  ): Promise<{ token?: TokenSet; lock?: TokenStoreLock }> {
    const deadline = this.#now() + (this.#o.lockWaitMs ?? LOCK_WAIT_MS);
    const before = this.#current?.issuedAt ?? 0;
    while (this.#now() < deadline) {
      await sleep(50, this.#closing.signal);
      const stored = this.#newer(await this.#fromStore(), rejected, before);
      if (stored) return { token: stored };
      const lock = await this.#o.store.lock(`${this.#o.key}:lock`, LOCK_TTL_MS).catch(() => undefined);
      if (lock) {
        // The holder stores before it releases, so look once more before refreshing ourselves.
        const last = this.#newer(await this.#fromStore(), rejected, before);
        if (!last) return { lock };
        await lock.release().catch(() => undefined);
        return { token: last };
      }
    }
    return {};
  }

  /** `stored` if it is usable, issued after `since`, and not the token an API rejected. */
  #newer(stored: TokenSet | undefined, rejected: string | undefined, since: number): TokenSet | undefined {
    const usable = this.#usable(stored, this.#now());
    return usable && usable.issuedAt > since && usable.value !== rejected ? usable : undefined;
  }
}
